using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace CachedGen.Benchmarks;

/// <summary>The batch contract (docs/batch.md) with L1 off, so that every call reads Redis.</summary>
public interface IBatchItemRepository
{
    [Cached("10m", "bitem:{id}", LocalTtl = "0s")]
    ValueTask<ItemDto?> GetAsync(int id, CancellationToken ct = default);

    [Cached("10m", "bitem:{ids[]}", LocalTtl = "0s")]
    Task<IReadOnlyDictionary<int, ItemDto>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default);
}

/// <summary>A source that has every id.</summary>
public sealed class BatchItemSource : IBatchItemRepository
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public ValueTask<ItemDto?> GetAsync(int id, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _calls);
        return new(InMemoryItemRepository.Create(id));
    }

    public Task<IReadOnlyDictionary<int, ItemDto>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult<IReadOnlyDictionary<int, ItemDto>>(ids.ToDictionary(id => id, InMemoryItemRepository.Create));
    }
}

/// <summary>
/// 100 ids per operation: 90 already in Redis, 10 never seen before (fresh ids each operation, so each one is a miss
/// that the operation loads and writes). No in-process level anywhere. CachedGen's batch against a loop of 100 CachedGen
/// single reads, and loops over FusionCache (memory skipped) and HybridCache (DisableLocalCache), in one run.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class BatchBenchmarks
{
    private BatchPaths _paths = null!;

    [GlobalSetup]
    public void Setup() => _paths = BatchPaths.CreateAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _paths.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "CachedGen GetManyAsync(100)")]
    public Task<int> CachedGenBatch() => _paths.CachedGenBatchAsync();

    [Benchmark(Description = "CachedGen 100 x GetAsync")]
    public Task<int> CachedGenLoop() => _paths.CachedGenLoopAsync();

    [Benchmark(Description = "FusionCache 100 x GetOrSetAsync")]
    public Task<int> FusionCacheLoop() => _paths.FusionCacheLoopAsync();

    [Benchmark(Description = "HybridCache 100 x GetOrCreateAsync")]
    public Task<int> HybridCacheLoop() => _paths.HybridCacheLoopAsync();
}

/// <summary>The four paths of <see cref="BatchBenchmarks"/>, and the Redis commands one operation of each sends.</summary>
public sealed class BatchPaths : IAsyncDisposable
{
    private const int Cached = 90;
    private const int Missing = 10;
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    private readonly BatchItemSource _source = new();
    private readonly ConnectionMultiplexer _redis;
    private readonly CacheRuntime _runtime;
    private readonly IBatchItemRepository _cachedGen;
    private readonly RedisCache _fusionL2;
    private readonly FusionCache _fusion;
    private readonly FusionCacheEntryOptions _fusionOptions;
    private readonly ServiceProvider _services;
    private readonly HybridCache _hybrid;
    private readonly HybridCacheEntryOptions _hybridOptions;
    private readonly int[] _warm = Enumerable.Range(1, Cached).ToArray();
    private int _next = 1_000_000 + Random.Shared.Next(1_000_000) * 100;

    private BatchPaths(ConnectionMultiplexer redis)
    {
        _redis = redis;
        var connection = Task.FromResult<IConnectionMultiplexer>(redis);
        _runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "bench:batch:cg:" }, redis);
        _cachedGen = new CachedBatchItemRepository(_source, _runtime);

        _fusionL2 = new RedisCache(Options.Create(new RedisCacheOptions { ConnectionMultiplexerFactory = () => connection, InstanceName = "bench:batch:fc:" }));
        _fusion = new FusionCache(new FusionCacheOptions());
        _fusion.SetupDistributedCache(_fusionL2, new MessagePackFusionCacheSerializer());
        _fusionOptions = new FusionCacheEntryOptions(Ttl) { SkipMemoryCacheRead = true, SkipMemoryCacheWrite = true };

        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => connection;
            o.InstanceName = "bench:batch:hc:";
        });
        services.AddHybridCache().AddSerializerFactory(new MessagePackHybridCacheSerializerFactory());
        _services = services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        _hybridOptions = new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl, Flags = HybridCacheEntryFlags.DisableLocalCache };
    }

    public static async Task<BatchPaths> CreateAsync()
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(L2Paths.Endpoint).ConfigureAwait(false);
        var paths = new BatchPaths(redis);
        foreach (var (_, call) in paths.All)
        {
            await call().ConfigureAwait(false); // writes the 90 warm ids of each path
        }

        return paths;
    }

    /// <summary>Each path with its row name, the baseline first.</summary>
    public (string Name, Func<Task<int>> Call)[] All =>
    [
        ("CachedGen GetManyAsync(100)", CachedGenBatchAsync),
        ("CachedGen 100 x GetAsync", CachedGenLoopAsync),
        ("FusionCache 100 x GetOrSetAsync", FusionCacheLoopAsync),
        ("HybridCache 100 x GetOrCreateAsync", HybridCacheLoopAsync),
    ];

    /// <summary>The 90 warm ids and 10 fresh ones.</summary>
    private int[] Ids()
    {
        var ids = new int[Cached + Missing];
        _warm.CopyTo(ids, 0);
        var first = Interlocked.Add(ref _next, Missing) - Missing;
        for (var i = 0; i < Missing; i++)
        {
            ids[Cached + i] = first + i;
        }

        return ids;
    }

    public async Task<int> CachedGenBatchAsync() => (await _cachedGen.GetManyAsync(Ids()).ConfigureAwait(false)).Count;

    public async Task<int> CachedGenLoopAsync()
    {
        var found = 0;
        foreach (var id in Ids())
        {
            found += await _cachedGen.GetAsync(id).ConfigureAwait(false) is null ? 0 : 1;
        }

        return found;
    }

    public async Task<int> FusionCacheLoopAsync()
    {
        var found = 0;
        foreach (var id in Ids())
        {
            var item = await _fusion.GetOrSetAsync<ItemDto?>("item:" + id.ToString(CultureInfo.InvariantCulture), (_, ct) => _source.GetAsync(id, ct).AsTask(), options: _fusionOptions).ConfigureAwait(false);
            found += item is null ? 0 : 1;
        }

        return found;
    }

    public async Task<int> HybridCacheLoopAsync()
    {
        var found = 0;
        foreach (var id in Ids())
        {
            var item = await _hybrid.GetOrCreateAsync("item:" + id.ToString(CultureInfo.InvariantCulture), (_source, id), static (s, ct) => s._source.GetAsync(s.id, ct), _hybridOptions).ConfigureAwait(false);
            found += item is null ? 0 : 1;
        }

        return found;
    }

    /// <summary>Per path and operation: the commands the client sent (round trips; StackExchange.Redis profiling), the
    /// commands Redis processed (<c>INFO stats</c> total_commands_processed, which also counts each command a Lua script
    /// runs), source calls, the median over rounds of the time ratio to the batch (paths interleaved, order rotating each
    /// round, after a warm-up until the JIT is done (<see cref="JitWarmUp"/>), so that drift in the machine's load
    /// cancels), the median time, and process-wide allocated bytes per operation.</summary>
    public async Task<(string Name, double Sent, double Processed, double SourceCalls, double Ratio, double Milliseconds, double Bytes)[]> MeasureAsync(int rounds = 11, int operations = 5)
    {
        var options = ConfigurationOptions.Parse(L2Paths.Endpoint);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        var session = new StackExchange.Redis.Profiling.ProfilingSession();
        _redis.RegisterProfiler(() => session);
        var paths = All;
        var ms = paths.Select(_ => new List<double>()).ToArray();
        var ratios = paths.Select(_ => new List<double>()).ToArray();
        var sent = new double[paths.Length];
        var processed = new double[paths.Length];
        var sources = new double[paths.Length];
        var bytes = new double[paths.Length];
        Console.WriteLine(await JitWarmUp.UntilQuietAsync(async () =>
        {
            foreach (var (_, call) in paths)
            {
                for (var i = 0; i < operations; i++)
                {
                    await call().ConfigureAwait(false);
                }
            }
        }).ConfigureAwait(false));

        for (var round = 0; round < rounds; round++)
        {
            var times = new double[paths.Length];
            for (var k = 0; k < paths.Length; k++)
            {
                var p = (k + round) % paths.Length;
                var (name, call) = paths[p];
                session.FinishProfiling();
                var loads = _source.Calls;
                var before = await CommandsAsync(server).ConfigureAwait(false);
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                for (var i = 0; i < operations; i++)
                {
                    if (await call().ConfigureAwait(false) != Cached + Missing)
                    {
                        throw new InvalidOperationException($"{name} did not return 100 items.");
                    }
                }

                times[p] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds / operations;
                var used = GC.GetTotalAllocatedBytes(precise: true) - allocated;
                var after = await CommandsAsync(server).ConfigureAwait(false);
                var commands = session.FinishProfiling().Count(c => c.Command is not ("PUBLISH" or "SUBSCRIBE" or "PING" or "INFO"));
                sent[p] += commands / (double)operations / rounds;
                processed[p] += (after - before - 1) / (double)operations / rounds;
                sources[p] += (_source.Calls - loads) / (double)operations / rounds;
                bytes[p] += used / (double)operations / rounds;
            }

            for (var p = 0; p < paths.Length; p++)
            {
                ms[p].Add(times[p]);
                ratios[p].Add(times[p] / times[0]);
            }
        }

        return paths.Select((path, p) => (path.Name, sent[p], processed[p], sources[p], Median(ratios[p]), Median(ms[p]), bytes[p])).ToArray();
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static async Task<long> CommandsAsync(IServer server)
    {
        var stats = await server.InfoAsync("stats").ConfigureAwait(false);
        return long.Parse(stats.SelectMany(g => g).First(p => p.Key == "total_commands_processed").Value, CultureInfo.InvariantCulture);
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
