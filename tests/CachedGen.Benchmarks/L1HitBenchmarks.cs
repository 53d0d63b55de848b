using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BitFaster.Caching.Lru;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace CachedGen.Benchmarks;

/// <summary>
/// An in-process (L1) hit on a pre-warmed key, no Redis anywhere. Every row returns the value synchronously when the
/// call completed synchronously (all of them do on a hit) and blocks only otherwise, so no row pays for an await.
/// String-keyed caches build their key on each call, as cache-aside code does; factories are cached delegates so
/// that no row pays for a closure it would not need on a hit.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class L1HitBenchmarks
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(10);

    private readonly int _id = 42;
    private InMemoryItemRepository _source = null!;
    private ConcurrentLru<int, ItemDto> _lru = null!;
    private MemoryCache _memory = null!;
    private CacheRuntime _runtime = null!;
    private IItemRepository _cachedGen = null!;
    private CacheRuntime _observedRuntime = null!;
    private IItemRepository _cachedGenObserved = null!;
    private System.Diagnostics.Metrics.MeterListener _listener = null!;
    private FusionCache _fusion = null!;
    private FusionCacheEntryOptions _fusionOptions = null!;
    private Func<FusionCacheFactoryExecutionContext<ItemDto?>, CancellationToken, Task<ItemDto?>> _fusionFactory = null!;
    private ServiceProvider _services = null!;
    private HybridCache _hybrid = null!;
    private HybridCacheEntryOptions _hybridOptions = null!;

    /// <summary>FusionCache's meter (one static meter for every instance).</summary>
    private const string FusionMeterName = "ZiggyCreatures.Caching.Fusion";

    private System.Diagnostics.Metrics.MeterListener? _fusionListener;
    private int _fusionEnabled;

    /// <summary>FusionCache's meter is static: only the process of the row that measures it listens to it (each row runs
    /// in a process of its own), so the plain FusionCache row is not slowed by it.</summary>
    [GlobalSetup(Target = nameof(FusionCacheMemoryObserved))]
    public void SetupFusionObserved()
    {
        _fusionListener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == FusionMeterName)
                {
                    _fusionEnabled++;
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _fusionListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _fusionListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _fusionListener.SetMeasurementEventCallback<int>(static (_, _, _, _) => { });
        _fusionListener.Start();
        Setup();
        if (_fusionEnabled == 0)
        {
            throw new InvalidOperationException("FusionCache published no instrument on its meter.");
        }
    }

    [GlobalSetup(Targets = [nameof(BitFasterTryGet), nameof(MemoryCacheAside), nameof(CachedGenL1), nameof(CachedGenL1Observed), nameof(FusionCacheMemory), nameof(HybridCacheMemory), nameof(HybridCacheMemoryImmutable)])]
    public void Setup()
    {
        _source = new InMemoryItemRepository();

        _lru = new ConcurrentLru<int, ItemDto>(10_000);
        _lru.AddOrUpdate(_id, _source.Get(_id)!);

        _memory = new MemoryCache(new MemoryCacheOptions());

        _runtime = new CacheRuntime(new CachedGenOptions());
        _cachedGen = new CachedItemRepository(_source, _runtime);

        // The same with a listener on its meter that wants every instrument (hits, durations): what observing costs.
        _observedRuntime = new CacheRuntime(new CachedGenOptions());
        _cachedGenObserved = new CachedItemRepository(_source, _observedRuntime);
        var observedMeter = _observedRuntime.Metrics.Meter;
        _listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, observedMeter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        _listener.Start();
        _observedRuntime.Metrics.Refresh();
        _runtime.Metrics.Refresh();
        if (_runtime.Metrics.Observed || !_observedRuntime.Metrics.Observed)
        {
            throw new InvalidOperationException("Only the observed runtime must see a listener.");
        }

        _fusion = new FusionCache(new FusionCacheOptions());
        _fusionOptions = new FusionCacheEntryOptions(Ttl);
        _fusionFactory = (_, ct) => _source.GetAsync(_id, ct).AsTask();

        var services = new ServiceCollection();
        services.AddHybridCache().AddSerializerFactory(new MessagePackHybridCacheSerializerFactory());
        _services = services.BuildServiceProvider();
        _hybrid = _services.GetRequiredService<HybridCache>();
        _hybridOptions = new HybridCacheEntryOptions { Expiration = Ttl, LocalCacheExpiration = Ttl };

        // Warm every cache, then check that each row is a hit that returns the item.
        var loads = _source.Calls;
        foreach (var row in new Func<ItemDto?>[] { BitFasterTryGet, MemoryCacheAside, CachedGenL1, CachedGenL1Observed, FusionCacheMemory, FusionCacheMemoryObserved, HybridCacheMemory })
        {
            row();
            loads = _source.Calls;
            Check(row()?.Id);
        }

        HybridCacheMemoryImmutable();
        loads = _source.Calls;
        Check(HybridCacheMemoryImmutable()?.Id);

        void Check(int? id)
        {
            if (id != _id || _source.Calls != loads)
            {
                throw new InvalidOperationException("A row did not hit its L1.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Dispose();
        _runtime.Dispose();
        _listener.Dispose();
        _fusionListener?.Dispose();
        _observedRuntime.Dispose();
        _fusion.Dispose();
        _services.Dispose();
    }

    [Benchmark(Baseline = true, Description = "BitFaster ConcurrentLru.TryGet")]
    public ItemDto? BitFasterTryGet() => _lru.TryGet(_id, out var item) ? item : null;

    [Benchmark(Description = "IMemoryCache cache-aside (string key)")]
    public ItemDto? MemoryCacheAside()
    {
        var key = $"item:{_id}";
        if (!_memory.TryGetValue(key, out ItemDto? item))
        {
            item = _source.Get(_id);
            _memory.Set(key, item, Ttl);
        }

        return item;
    }

    [Benchmark(Description = "CachedGen decorator L1 hit")]
    public ItemDto? CachedGenL1() => Result(_cachedGen.GetAsync(_id));

    [Benchmark(Description = "CachedGen L1 hit, every instrument listened to")]
    public ItemDto? CachedGenL1Observed() => Result(_cachedGenObserved.GetAsync(_id));

    [Benchmark(Description = "FusionCache GetOrSetAsync memory hit")]
    public ItemDto? FusionCacheMemory() => Result(_fusion.GetOrSetAsync<ItemDto?>($"item:{_id}", _fusionFactory, options: _fusionOptions));

    [Benchmark(Description = "FusionCache memory hit, its meter listened to")]
    public ItemDto? FusionCacheMemoryObserved() => Result(_fusion.GetOrSetAsync<ItemDto?>($"item:{_id}", _fusionFactory, options: _fusionOptions));

    [Benchmark(Description = "HybridCache GetOrCreateAsync memory hit")]
    public ItemDto? HybridCacheMemory()
        => Result(_hybrid.GetOrCreateAsync($"item:{_id}", (_source, _id), static (s, _) => new ValueTask<ItemDto?>(s._source.Get(s._id)), _hybridOptions));

    [Benchmark(Description = "HybridCache memory hit, [ImmutableObject] DTO")]
    public ImmutableItemDto? HybridCacheMemoryImmutable()
        => Result(_hybrid.GetOrCreateAsync($"item-immutable:{_id}", (_source, _id), static (s, _) => new ValueTask<ImmutableItemDto?>(s._source.GetImmutable(s._id)), _hybridOptions));

    private static T Result<T>(ValueTask<T> pending) => pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
}
