using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Sample;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace CachedGen.LoadTest;

/// <summary>Cumulative hits of all nodes of an engine, by level, and the engine's other counters by name.</summary>
public sealed record EngineSnapshot(long L1, long L2, IReadOnlyDictionary<string, long> Counters)
{
    /// <summary>Counters that grew between <paramref name="before"/> and <paramref name="after"/>, by how much.</summary>
    public static SortedDictionary<string, long> Delta(EngineSnapshot before, EngineSnapshot after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var delta = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, value) in after.Counters)
        {
            var grown = value - before.Counters.GetValueOrDefault(name);
            if (grown != 0)
            {
                delta[name] = grown;
            }
        }

        return delta;
    }
}

/// <summary>One caching layer over <see cref="InMemoryFormSource"/>, as several nodes that share one Redis.</summary>
public abstract class EngineHarness : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>One repository per node; every node wraps the same source.</summary>
    public IReadOnlyList<IFormRepository> Nodes => NodeList;

    /// <summary>Warnings and errors the engine logged (failures it absorbed: Redis timeouts and the like).</summary>
    public CountingLoggerFactory Logs { get; } = new();

    /// <summary>What the engine's configuration is, for the report.</summary>
    public abstract string Description { get; }

    protected List<IFormRepository> NodeList { get; } = [];

    /// <summary>With <c>--profile</c>, where the engine's calls spend their time (CachedGen only).</summary>
    public ReadProfile? Profile { get; protected set; }

    /// <summary>Cumulative L1 and L2 hits of all nodes so far, and the other counters.</summary>
    public abstract EngineSnapshot Snapshot();

    public abstract ValueTask DisposeAsync();

    public static async Task<EngineHarness> CreateAsync(EngineChoice engine, string redis, LoadTestOptions options, InMemoryFormSource source, string runId)
        => engine switch
        {
            EngineChoice.CachedGen => await CachedGenHarness.CreateAsync(redis, options, source, runId).ConfigureAwait(false),
            EngineChoice.FusionCache => await FusionCacheHarness.CreateAsync(redis, options, source, runId).ConfigureAwait(false),
            _ => throw new ArgumentOutOfRangeException(nameof(engine), engine, "One engine at a time."),
        };

    internal static Task<ConnectionMultiplexer> ConnectAsync(string redis)
    {
        var config = ConfigurationOptions.Parse(redis);
        config.AbortOnConnectFail = false;
        return ConnectionMultiplexer.ConnectAsync(config);
    }
}

/// <summary>
/// CachedGen nodes: each a <see cref="CacheRuntime"/> (own L1, <c>DefaultMaxLocalEntries</c> = the L1 capacity) over its
/// own multiplexer, and the generated <see cref="CachedFormRepository"/> over the shared source. Hits are read from the
/// runtime's <c>cachedgen.hits</c> instrument through a <see cref="MeterListener"/> that listens only to the meters of
/// this harness's runtimes (each runtime has its own meter named <c>CachedGen</c>).
/// </summary>
internal sealed class CachedGenHarness : EngineHarness
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<Meter> _meters = [];
    private readonly List<CacheRuntime> _runtimes = [];
    private readonly List<ConnectionMultiplexer> _connections = [];
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _observed = new(StringComparer.Ordinal);
    private int _constructingThread = -1;
    private long _l1;
    private long _l2;

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly LoadTestOptions _options;

    private CachedGenHarness(LoadTestOptions options)
    {
        _options = options;
        Profile = options.Profile ? new ReadProfile() : null;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Runtimes publish their instruments from their constructor: accept only those built by this harness.
            if (instrument.Meter.Name == "CachedGen" && Volatile.Read(ref _constructingThread) == Environment.CurrentManagedThreadId)
            {
                lock (_meters)
                {
                    _meters.Add(instrument.Meter);
                }

                if (instrument is ObservableCounter<long> or Counter<long>
                    || (Profile is not null && instrument.Name == "cachedgen.operation.duration"))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name != "cachedgen.hits")
            {
                if (instrument.Name is "cachedgen.coalesced" or "cachedgen.lease.waits")
                {
                    AwaitedLoads.MarkThisFlow();
                }

                var name = instrument.Name;
                foreach (var tag in tags)
                {
                    if (tag.Key is "kind" or "operation")
                    {
                        name += "{" + tag.Key + "=" + tag.Value + "}";
                    }
                }

                // A counter reports each increment; an observable counter (evictions) its cumulative total at each
                // collection, which Snapshot collects afresh.
                var counters = instrument is ObservableCounter<long> ? _observed : _counters;
                counters.AddOrUpdate(name, value, (_, total) => total + value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == "level")
                {
                    if ((string?)tag.Value == "l1")
                    {
                        _l1 += value;
                    }
                    else if ((string?)tag.Value == "l2")
                    {
                        _l2 += value;
                    }
                }
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? level = null, operation = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "level")
                {
                    level = tag.Value as string;
                }
                else if (tag.Key == "operation")
                {
                    operation = tag.Value as string;
                }
            }

            Profile?.Record(level ?? "?", operation ?? "?", value);
        });
        _listener.Start();
    }

    public override string Name => "CachedGen";

    public override string Description => _options.Mode == LoadTestMode.Warm
        ? "warm: generated CachedWarmFormRepository through AddCachedGen + WarmUp (hot set = every key, coldest first, 16 at a time), [CachePut] write, one writer per form; CacheRuntime per node (L1 BitFaster ConcurrentLru) + Redis L2; " + WarmMode.DescribeWarmUp(WarmUpTime, _options.Nodes, _options.Keys)
        : "generated CachedFormRepository; CacheRuntime per node (L1 BitFaster ConcurrentLru) + Redis L2 (StackExchange.Redis), MessagePack payload"
            + (_options.CachedGenFollow ? "" : "; FollowRemoteChanges = false") + (_options.CachedGenBackgroundFill ? "" : "; BackgroundFill = false");

    private TimeSpan WarmUpTime { get; set; }

    /// <summary>Runs <paramref name="construct"/>, which creates a runtime, while the meter listener accepts the
    /// instruments it publishes.</summary>
    private void Constructing(Action construct)
    {
        Volatile.Write(ref _constructingThread, Environment.CurrentManagedThreadId);
        try
        {
            construct();
        }
        finally
        {
            Volatile.Write(ref _constructingThread, -1);
        }
    }

    public static async Task<CachedGenHarness> CreateAsync(string redis, LoadTestOptions options, InMemoryFormSource source, string runId)
    {
        var harness = new CachedGenHarness(options);
        try
        {
            // The same secret on every node, as a deployment must have (the sample hashes the e-mail of GetProfileAsync).
            var secret = new byte[32];
            new Random(options.Seed).NextBytes(secret);
            for (var node = 0; node < options.Nodes; node++)
            {
                var mux = await ConnectAsync(redis).ConfigureAwait(false);
                harness._connections.Add(mux);
                void Configure(CachedGenOptions runtimeOptions)
                {
                    runtimeOptions.KeyPrefix = "loadtest:" + runId + ":cg:";
                    runtimeOptions.ValueEncryptionKey = new byte[32];
                    runtimeOptions.KeyHashSecret = secret;
                    runtimeOptions.DefaultMaxLocalEntries = options.L1Capacity;
                    runtimeOptions.FollowRemoteChanges = options.CachedGenFollow;
                    runtimeOptions.BackgroundFill = options.CachedGenBackgroundFill;
                    if (options.CachedGenLeaseDuration is { } lease)
                    {
                        runtimeOptions.LeaseDuration = lease;
                    }

                    if (options.CachedGenRedisBudget is { } budget)
                    {
                        runtimeOptions.RedisOperationTimeout = budget;
                    }
                }

                if (options.Mode == LoadTestMode.Warm)
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    var (_, warmNode, owned) = await WarmMode.CreateCachedGenNodeAsync(source, mux, Configure, harness.Logs, harness.Constructing, options).ConfigureAwait(false);
                    harness._owned.Add(owned);
                    harness.WarmUpTime += System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    harness.NodeList.Add(warmNode);
                    continue;
                }

                var runtimeOptions = new CachedGenOptions();
                Configure(runtimeOptions);
                CacheRuntime runtime = null!;
                harness.Constructing(() => runtime = new CacheRuntime(runtimeOptions, mux, harness.Logs));
                harness._runtimes.Add(runtime);
                harness.NodeList.Add(new CachedFormRepository(source, runtime));
            }
        }
        catch
        {
            await harness.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return harness;
    }

    public override EngineSnapshot Snapshot()
    {
        lock (_gate)
        {
            _l1 = 0;
            _l2 = 0;
            _observed.Clear();
            _listener.RecordObservableInstruments();
            var counters = new Dictionary<string, long>(_counters, StringComparer.Ordinal);
            foreach (var (name, total) in _observed)
            {
                counters[name] = total;
            }

            return new EngineSnapshot(_l1, _l2, counters);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var runtime in _runtimes)
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var mux in _connections)
        {
            await mux.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// FusionCache nodes, configured as a user would for the same job: per node a <see cref="FusionCache"/> whose memory
/// level is a <see cref="MemoryCache"/> with <c>SizeLimit</c> = the L1 capacity (every entry size 1), a
/// <see cref="RedisCache"/> distributed level and the Redis backplane (cross-node invalidation of the memory level),
/// both over the node's own multiplexer; MessagePack with the contractless resolver as the serializer, as CachedGen
/// uses. Entry duration 1 h; everything else FusionCache's defaults (no fail-safe, no eager refresh, no timeouts).
/// Hits are counted per read, as CachedGen's are (<see cref="FusionRead"/>): a read is an L1 hit when its first memory
/// lookup found the entry, an L2 hit when it then read the entry from Redis without calling the source.
/// </summary>
internal sealed class FusionCacheHarness : EngineHarness
{
    private readonly List<IDisposable> _owned = [];
    private readonly List<ConnectionMultiplexer> _connections = [];
    private long _l1;
    private long _l2;
    private long _published;
    private long _received;
    private long _factory;

    public override string Name => "FusionCache";

    private FusionCacheHarness(LoadTestOptions options) => _options = options;

    private readonly LoadTestOptions _options;

    private TimeSpan WarmUpTime { get; set; }

    public override string Description => _options.Mode == LoadTestMode.Warm
        ? "warm: hand-written decorator (GetOrSetAsync; write = update then SetAsync with the stored form, one writer per form); FusionCache 2.9 per node: MemoryCache L1 + RedisCache L2 + Redis backplane, eager refresh at 0.9, MessagePack; same warm-up (every key, coldest first, 16 at a time); " + WarmMode.DescribeWarmUp(WarmUpTime, _options.Nodes, _options.Keys)
        : "hand-written decorator (GetOrSetAsync; write = update then RemoveAsync + RemoveByTagAsync of the tenant's lists); FusionCache 2.9 per node: MemoryCache L1 + RedisCache L2 + Redis backplane, MessagePack";

    public static async Task<FusionCacheHarness> CreateAsync(string redis, LoadTestOptions options, InMemoryFormSource source, string runId)
    {
        var harness = new FusionCacheHarness(options);
        try
        {
            for (var node = 0; node < options.Nodes; node++)
            {
                var mux = await ConnectAsync(redis).ConfigureAwait(false);
                harness._connections.Add(mux);
                var connection = Task.FromResult<IConnectionMultiplexer>(mux);
                var distributed = new RedisCache(Microsoft.Extensions.Options.Options.Create(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => connection,
                    InstanceName = "loadtest:" + runId + ":fc:",
                }));
                harness._owned.Add(distributed);
                var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.L1Capacity });
                harness._owned.Add(memory);
                var cache = new FusionCache(
                    new FusionCacheOptions
                    {
                        CacheName = "loadtest-" + runId,
                        EnableSyncEventHandlersExecution = true,
                        WaitForInitialBackplaneSubscribe = true,
                        // The keys are this run's own (InstanceName carries the run id): the advice does not apply.
                        MissingCacheKeyPrefixWarningLogLevel = LogLevel.Information,
                        DefaultEntryOptions = new FusionCacheEntryOptions(TimeSpan.FromHours(1))
                        {
                            Size = 1,
                            // Warm mode: FusionCache's best way for hot entries, eager refresh before expiry.
                            EagerRefreshThreshold = options.Mode == LoadTestMode.Warm ? 0.9f : null,
                        },
                    },
                    memory,
                    harness.Logs.CreateLogger<FusionCache>());
                harness._owned.Insert(0, cache);
                cache.SetupDistributedCache(distributed, new MessagePackFusionSerializer());
                cache.SetupBackplane(new RedisBackplane(new RedisBackplaneOptions { ConnectionMultiplexerFactory = () => connection }, harness.Logs.CreateLogger<RedisBackplane>()));
                // A stale memory hit (an entry another node's write made stale, an expired one) goes on to Redis or the source.
                cache.Events.Memory.Hit += (_, e) => FusionRead.Record(e.IsStale ? FusionRead.MemoryMiss : FusionRead.MemoryHit);
                cache.Events.Memory.Miss += (_, _) => FusionRead.Record(FusionRead.MemoryMiss);
                cache.Events.Distributed.Hit += (_, _) => FusionRead.Record(FusionRead.DistributedHit);
                cache.Events.Distributed.Miss += (_, _) => FusionRead.Record(FusionRead.DistributedMiss);
                cache.Events.Backplane.MessagePublished += (_, _) => Interlocked.Increment(ref harness._published);
                cache.Events.Backplane.MessageReceived += (_, _) => Interlocked.Increment(ref harness._received);
                cache.Events.FactorySuccess += (_, _) =>
                {
                    Interlocked.Increment(ref harness._factory);
                    FusionRead.Record(FusionRead.Factory);
                };
                if (options.Mode == LoadTestMode.Warm)
                {
                    var repository = new FusionWriteThroughRepository(source, cache, harness);
                    harness.WarmUpTime += await WarmMode.TimeAsync(() => WarmMode.WarmFusionCacheAsync(cache, source, options.Keys)).ConfigureAwait(false);
                    harness.NodeList.Add(repository);
                }
                else
                {
                    harness.NodeList.Add(new FusionFormRepository(source, cache, harness));
                }
            }
        }
        catch
        {
            await harness.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return harness;
    }

    /// <summary>Counts what one read through a node found (its <see cref="FusionRead"/>).</summary>
    internal void Count(FusionRead read)
    {
        if (read.IsMemoryHit)
        {
            Interlocked.Increment(ref _l1);
        }
        else if (read.IsDistributedHit)
        {
            Interlocked.Increment(ref _l2);
        }
    }

    public override EngineSnapshot Snapshot() => new(Interlocked.Read(ref _l1), Interlocked.Read(ref _l2), new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["fusioncache.backplane.published"] = Interlocked.Read(ref _published),
        ["fusioncache.backplane.received"] = Interlocked.Read(ref _received),
        ["fusioncache.factory.success"] = Interlocked.Read(ref _factory),
    });

    public override async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        foreach (var mux in _connections)
        {
            await mux.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The cache-aside decorator a FusionCache user writes by hand for <see cref="IFormRepository.GetSchemaAsync"/>:
/// the same key and TTL as the generated one; a write updates the source, then removes the entry (memory, Redis, and
/// the other nodes' memory through the backplane) and, as the sample's <c>UpdateSchemaAsync</c> contract says, the
/// tenant's list pages by their tag (<c>RemoveByTagAsync</c>, FusionCache's tagging).</summary>
internal sealed class FusionFormRepository(IFormRepository inner, IFusionCache cache, FusionCacheHarness harness) : IFormRepository
{
    internal static string Key(int formId) => "form:" + formId.ToString(CultureInfo.InvariantCulture) + ":schema";

    public Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default)
        => FusionRead.CountAsync(harness, () => cache.GetOrSetAsync<FormSchema?>(Key(formId), (_, token) => inner.GetSchemaAsync(formId, token), token: ct));

    public async Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default)
    {
        await inner.UpdateSchemaAsync(formId, tenantId, schema, ct).ConfigureAwait(false);
        // What the sample's contract asks of this write, as the generated decorator does it: the entry and the tenant's
        // list pages (the tag tenant:{tenantId}:forms), both at once.
        var entry = cache.RemoveAsync(Key(formId), token: ct);
        var lists = cache.RemoveByTagAsync("tenant:" + tenantId.ToString() + ":forms", token: ct);
        await entry.ConfigureAwait(false);
        await lists.ConfigureAwait(false);
    }

    public async Task DeleteFormAsync(int formId, CancellationToken ct = default)
    {
        await inner.DeleteFormAsync(formId, ct).ConfigureAwait(false);
        await cache.RemoveAsync(Key(formId), token: ct).ConfigureAwait(false);
    }

    public ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default) => inner.ListFormsAsync(tenantId, page, ct);

    public Task<UserProfile?> GetProfileAsync(string email, CancellationToken ct = default) => inner.GetProfileAsync(email, ct);
}

/// <summary>FusionCache's distributed serializer over MessagePack with the options CachedGen uses for its payload body
/// (contractless resolver, untrusted-data security), so the engines differ by cache library, not by serializer.</summary>
internal sealed class MessagePackFusionSerializer : IFusionCacheSerializer
{
    private static readonly MessagePackSerializerOptions Options =
        ContractlessStandardResolver.Options.WithSecurity(MessagePackSecurity.UntrustedData);

    public byte[] Serialize<T>(T? obj) => MessagePackSerializer.Serialize(obj, Options);

    public T? Deserialize<T>(byte[] data) => MessagePackSerializer.Deserialize<T>(data, Options);

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => new(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => new(Deserialize<T>(data));
}

/// <summary>
/// What one read through FusionCache found, from the events it raised in that read's flow (handlers run synchronously,
/// and the read's <see cref="AsyncLocal{T}"/> flows into them). The L1 and L2 hit ratios are then counted as CachedGen
/// counts its own: an L1 hit is a read whose first memory lookup found the entry (a read that waited for another
/// caller's factory and then found the entry in memory is not one, nor is a stale memory hit that went on to Redis);
/// an L2 hit is a read that missed memory and read the entry from Redis without calling the source. Counting
/// FusionCache's hit events instead counts some reads twice (their sum exceeded the reads in warm mode).
/// </summary>
internal sealed class FusionRead
{
    public const int MemoryHit = 1;
    public const int MemoryMiss = 2;
    public const int DistributedHit = 4;
    public const int DistributedMiss = 8;
    public const int Factory = 16;

    private static readonly AsyncLocal<FusionRead?> Current = new();

    private int _first;
    private int _seen;

    public bool IsMemoryHit => _first == MemoryHit;

    public bool IsDistributedHit => _first == MemoryMiss && (_seen & DistributedHit) != 0 && (_seen & Factory) == 0;

    /// <summary>Missed memory, then found the entry there without reading Redis or calling the factory: another caller
    /// stored it while this one waited for the key's lock (FusionCache looks in memory again once it holds it).</summary>
    public bool WaitedForAnotherCaller => _first == MemoryMiss && (_seen & (MemoryHit | DistributedHit | DistributedMiss | Factory)) == MemoryHit;

    /// <summary>Records an event of the read in whose flow it is raised (none outside a counted read: the warm-up,
    /// a write's <c>SetAsync</c>).</summary>
    public static void Record(int kind) => Current.Value?.Observe(kind);

    /// <summary>Adds an event to this read.</summary>
    internal void Observe(int kind)
    {
        if (_first == 0)
        {
            _first = kind;
        }

        _seen |= kind;
    }

    public static async Task<T> CountAsync<T>(FusionCacheHarness harness, Func<ValueTask<T>> call)
    {
        var read = new FusionRead();
        Current.Value = read;
        try
        {
            return await call().ConfigureAwait(false);
        }
        finally
        {
            Current.Value = null;
            if (read.WaitedForAnotherCaller)
            {
                AwaitedLoads.MarkThisFlow();
            }

            harness.Count(read);
        }
    }
}
