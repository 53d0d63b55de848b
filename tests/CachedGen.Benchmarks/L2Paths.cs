using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using MessagePack;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace CachedGen.Benchmarks;

/// <summary>
/// The four L2-hit paths over one Redis connection: each call reads Redis and deserializes a MessagePack body, and
/// none reads or writes an in-process cache. Shared by <see cref="L2HitBenchmarks"/> and <see cref="InterleavedL2"/>.
/// </summary>
public sealed class L2Paths : IAsyncDisposable
{
    public const string EndpointVariable = "CACHEDGEN_BENCH_REDIS";
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    private readonly InMemoryItemRepository _source = new();
    private readonly ConnectionMultiplexer _redis;
    private readonly IDatabase _db;
    private readonly CacheRuntime _runtime;
    private readonly IItemRepository _cachedGen;
    private readonly RedisCache _fusionL2;
    private readonly FusionCache _fusion;
    private readonly FusionCacheEntryOptions _fusionOptions;
    private readonly Func<FusionCacheFactoryExecutionContext<ItemDto?>, CancellationToken, Task<ItemDto?>> _fusionFactory;
    private readonly ServiceProvider _services;
    private readonly HybridCache _hybrid;
    private readonly HybridCacheEntryOptions _hybridOptions;

    private L2Paths(ConnectionMultiplexer redis, int id)
    {
        Id = id;
        _redis = redis;
        _db = redis.GetDatabase();
        var connection = Task.FromResult<IConnectionMultiplexer>(redis);

        _runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "bench:cg:" }, redis);
        _cachedGen = new CachedItemRepository(_source, _runtime);

        _fusionL2 = new RedisCache(Options.Create(new RedisCacheOptions { ConnectionMultiplexerFactory = () => connection, InstanceName = "bench:fc:" }));
        _fusion = new FusionCache(new FusionCacheOptions());
        _fusion.SetupDistributedCache(_fusionL2, new MessagePackFusionCacheSerializer());
        // Skip the memory level both ways: every call reads Redis and nothing is written back to memory.
        _fusionOptions = new FusionCacheEntryOptions(Ttl) { SkipMemoryCacheRead = true, SkipMemoryCacheWrite = true };
        _fusionFactory = (_, ct) => _source.GetAsync(Id, ct).AsTask();

        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => connection;
            o.InstanceName = "bench:hc:";
        });
        services.AddHybridCache().AddSerializerFactory(new MessagePackHybridCacheSerializerFactory());
        _services = services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        // DisableLocalCache = DisableLocalCacheRead | DisableLocalCacheWrite: every call reads Redis, no L1 write.
        _hybridOptions = new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl, Flags = HybridCacheEntryFlags.DisableLocalCache };
    }

    /// <summary>The key every path reads.</summary>
    public int Id { get; }

    /// <summary>Calls that reached the source; constant once the paths are warm.</summary>
    public long SourceCalls => _source.Calls;

    public static string Endpoint => Environment.GetEnvironmentVariable(EndpointVariable) is { Length: > 0 } value ? value : "127.0.0.1:6379";

    /// <summary>Connects, writes each path's entry (one miss each) and checks that each path then hits Redis.</summary>
    public static async Task<L2Paths> CreateAsync(int id = 42)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(Endpoint).ConfigureAwait(false);
        var paths = new L2Paths(redis, id);
        foreach (var (_, call) in paths.All)
        {
            await call().ConfigureAwait(false);
        }

        await paths.VerifyAsync().ConfigureAwait(false);
        return paths;
    }

    /// <summary>Each path with its row name, the baseline first.</summary>
    public (string Name, Func<ValueTask<ItemDto?>> Call)[] All =>
    [
        ("raw SE.Redis + MessagePack", RawAsync),
        ("CachedGen GetL2OnlyAsync", CachedGenAsync),
        ("FusionCache (RedisCache L2, memory skipped)", FusionCacheAsync),
        ("HybridCache (RedisCache L2, DisableLocalCache)", HybridCacheAsync),
    ];

    /// <summary>Hand-written cache-aside: GET, MessagePack body; SET on a miss.</summary>
    public async ValueTask<ItemDto?> RawAsync()
    {
        var key = "bench:raw:item:" + Id.ToString(CultureInfo.InvariantCulture);
        var cached = await _db.StringGetAsync(key).ConfigureAwait(false);
        if (!cached.IsNull)
        {
            return MessagePackSerializer.Deserialize<ItemDto>((ReadOnlyMemory<byte>)cached, BenchSerializer.Options);
        }

        var item = _source.Get(Id);
        await _db.StringSetAsync(key, MessagePackSerializer.Serialize(item, BenchSerializer.Options), Ttl).ConfigureAwait(false);
        return item;
    }

    public ValueTask<ItemDto?> CachedGenAsync() => _cachedGen.GetL2OnlyAsync(Id);

    public ValueTask<ItemDto?> FusionCacheAsync() => _fusion.GetOrSetAsync<ItemDto?>("item:" + Id.ToString(CultureInfo.InvariantCulture), _fusionFactory, options: _fusionOptions);

    public ValueTask<ItemDto?> HybridCacheAsync()
        => _hybrid.GetOrCreateAsync("item:" + Id.ToString(CultureInfo.InvariantCulture), (_source, Id), static (s, _) => new ValueTask<ItemDto?>(s._source.Get(s.Id)), _hybridOptions);

    /// <summary>Redis commands one call of each path sends (from <c>INFO stats</c>), and whether it returned the item
    /// without reaching the source.</summary>
    public async Task<(string Name, double CommandsPerCall)[]> VerifyAsync(int calls = 50)
    {
        // INFO needs admin mode: read it over a second connection, so that the measured one is configured as a user's.
        var options = ConfigurationOptions.Parse(Endpoint);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var result = new (string, double)[All.Length];
        var index = 0;
        foreach (var (name, call) in All)
        {
            var loads = SourceCalls;
            var before = await CommandsAsync(server).ConfigureAwait(false);
            for (var i = 0; i < calls; i++)
            {
                var item = await call().ConfigureAwait(false);
                if (item is null || item.Id != Id || item.Tags.Count != 3)
                {
                    throw new InvalidOperationException($"{name} returned a wrong value.");
                }
            }

            var after = await CommandsAsync(server).ConfigureAwait(false);
            if (SourceCalls != loads)
            {
                throw new InvalidOperationException($"{name} reached the source on a warm key.");
            }

            // The INFO command of the first reading counts too.
            var perCall = (after - before - 1) / (double)calls;
            if (perCall < 0.99)
            {
                throw new InvalidOperationException($"{name} did not read Redis on every call ({perCall:0.00} commands a call).");
            }

            result[index++] = (name, perCall);
        }

        return result;
    }

    private static async Task<long> CommandsAsync(IServer server)
    {
        var stats = await server.InfoAsync("stats").ConfigureAwait(false);
        foreach (var group in stats)
        {
            foreach (var pair in group)
            {
                if (pair.Key == "total_commands_processed")
                {
                    return long.Parse(pair.Value, CultureInfo.InvariantCulture);
                }
            }
        }

        throw new InvalidOperationException("INFO stats has no total_commands_processed.");
    }

    public async ValueTask DisposeAsync()
    {
        _fusion.Dispose();
        _fusionL2.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
        await _runtime.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }
}
