using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;

namespace CachedGen.Benchmarks;

/// <summary>
/// A hit that must go to Redis (endpoint from <c>CACHEDGEN_BENCH_REDIS</c>, default <c>127.0.0.1:6379</c>). On a
/// loopback Redis the round trip dominates and varies run to run: rank these rows with <see cref="InterleavedL2"/>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class L2HitBenchmarks
{
    private L2Paths _paths = null!;

    [GlobalSetup]
    public void Setup() => _paths = L2Paths.CreateAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _paths.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "raw SE.Redis StringGetAsync + MessagePack")]
    public ValueTask<ItemDto?> RawRedis() => _paths.RawAsync();

    [Benchmark(Description = "CachedGen GetL2OnlyAsync")]
    public ValueTask<ItemDto?> CachedGenL2() => _paths.CachedGenAsync();

    [Benchmark(Description = "FusionCache + RedisCache, memory skipped")]
    public ValueTask<ItemDto?> FusionCacheL2() => _paths.FusionCacheAsync();

    [Benchmark(Description = "HybridCache + RedisCache, DisableLocalCache")]
    public ValueTask<ItemDto?> HybridCacheL2() => _paths.HybridCacheAsync();
}
