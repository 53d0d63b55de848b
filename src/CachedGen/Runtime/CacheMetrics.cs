using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The <c>CachedGen</c> meter (System.Diagnostics.Metrics). Tags are bounded: <c>method</c> is a method id known at
/// compile time, <c>level</c> is <c>l1</c> or <c>l2</c>, <c>operation</c> a Redis command; keys never appear. Hits, the
/// hot path, are per-thread counters in each method (<see cref="ThreadCounter"/>), counted only while a listener wants
/// them and observed when it collects; L1 lookups are timed by sampling (at most one per method per coarse clock tick,
/// see <see cref="RuntimeClock.SampleMs"/>); the other instruments are recorded as they happen (misses and writes are
/// rare next to the Redis round trip they follow). Time comes from the runtime's <see cref="RuntimeClock"/>, so a
/// <c>FakeTimeProvider</c> drives the durations and the listener check too.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "CachedGen";

    /// <summary>How soon hit counting starts after a listener enables <c>cachedgen.hits</c>.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly Meter _meter;
    private readonly ObservableCounter<long> _hits;
    private readonly ITimer _refresh;
    private readonly TimeProvider _time;
    private volatile bool _countHits;
    private volatile bool _timeDurations;

    public CacheMetrics(RuntimeClock clock, Func<int> circuitState, Func<IEnumerable<Measurement<long>>> hits, Func<IEnumerable<Measurement<long>>> evictions, Func<IEnumerable<Measurement<long>>> redisMemory)
    {
        _meter = new Meter(MeterName, typeof(CacheMetrics).Assembly.GetName().Version?.ToString(3));
        _hits = _meter.CreateObservableCounter("cachedgen.hits", hits, "{call}", "Calls served from the cache, by level (l1, l2) and method.");
        _time = clock.Provider;
        _refresh = _time.CreateTimer(static state => ((CacheMetrics)state!).Refresh(), this, RefreshInterval, RefreshInterval);
        Misses = _meter.CreateCounter<long>("cachedgen.misses", "{call}", "Calls that missed L1 and L2 and got their value from the source (directly or by waiting for a load in flight), by method.");
        SourceCalls = _meter.CreateCounter<long>("cachedgen.source.calls", "{call}", "Calls of the repository method behind the cache, by method.");
        Coalesced = _meter.CreateCounter<long>("cachedgen.coalesced", "{call}", "Callers that waited for a load already in flight instead of calling the source.");
        Invalidations = _meter.CreateCounter<long>("cachedgen.invalidations", "{invalidation}", "Invalidations, by kind, and by method where one method's entries are concerned: local (a write on this node, or a clear of one method's L1 everywhere called here), put (a write-through on this node), tag (a tag, everything or one method invalidated on this node; no method), remote (another node's, over the backplane: of a key or a method, with method; of a tag or everything, without), resync (L1 cleared after the backplane reconnected; no method).");
        InvalidationFailures = _meter.CreateCounter<long>("cachedgen.invalidation.failures", "{invalidation}", "Invalidations Redis did not confirm (Redis down, over budget, circuit open), by method: the Redis entry may outlive the write until its TTL.");
        LeaseWaits = _meter.CreateCounter<long>("cachedgen.lease.waits", "{call}", "Misses that waited for another node's load (its Redis lease) instead of calling the source, by method.");
        LeaseTimeouts = _meter.CreateCounter<long>("cachedgen.lease.timeouts", "{call}", "Waits for another node's load that ran past the lease duration and called the source, by method.");
        StaleFillsPrevented = _meter.CreateCounter<long>("cachedgen.fills.discarded", "{call}", "Loaded values not written to Redis because an invalidation (or the lease's expiry) came in during the load, by method.");
        RedisErrors = _meter.CreateCounter<long>("cachedgen.redis.errors", "{operation}", "Redis operations that failed or exceeded their budget, by operation.");
        PayloadBytes = _meter.CreateHistogram<int>("cachedgen.payload.size", "By", "Size of payloads written to Redis, by method.");
        Duration = _meter.CreateHistogram<double>(
            "cachedgen.operation.duration",
            "s",
            "Duration of cache operations, by method, level (l1, l2, source) and operation (get, lease, fill, invalidate, load).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        Follows = _meter.CreateCounter<long>("cachedgen.follows", "{entry}", "L1 copies another node's write made stale, read again from Redis in the background once the new value was there (CachedGenOptions.FollowRemoteChanges), by method.");
        EarlyRefreshes = _meter.CreateCounter<long>("cachedgen.refreshes", "{call}", "Background refreshes of entries close to their expiry (early refresh), by method.");
        Oversize = _meter.CreateCounter<long>("cachedgen.oversize", "{value}", "Values not written to Redis because their payload exceeded MaxValueBytes, by method.");
        PayloadsRejected = _meter.CreateCounter<long>("cachedgen.payload.rejected", "{payload}", "Payloads read from Redis and not served, treated as a miss and deleted, by method and reason: corrupt (checksum, authentication or any other check failed), outdated (written in the previous payload format).");
        Unserializable = _meter.CreateCounter<long>("cachedgen.unserializable", "{value}", "Values served but not written to Redis because their object graph has a cycle or nests deeper than MaxSerializedDepth, by method.");
        FailSafe = _meter.CreateCounter<long>("cachedgen.failsafe", "{call}", "Calls answered with an expired value because the source failed or was too slow (fail-safe), by method and reason (error, timeout).");
        _meter.CreateObservableGauge("cachedgen.redis.circuit.state", circuitState, "{state}", "Redis circuit breaker: 0 closed, 1 open, 2 half-open.");
        _meter.CreateObservableCounter("cachedgen.evictions", evictions, "{entry}", "L1 entries evicted to stay within capacity, by method.");
        _meter.CreateObservableGauge("cachedgen.redis.memory", redisMemory, "By", "Redis memory, summed over the primaries: state=used (used_memory) and state=limit (maxmemory, 0 when unlimited). Sampled at most every 10 s while observed.");
    }

    /// <summary>This runtime's meter (each runtime has its own, all named <see cref="MeterName"/>).</summary>
    public Meter Meter => _meter;

    public Counter<long> Misses { get; }

    public Counter<long> SourceCalls { get; }

    public Counter<long> Coalesced { get; }

    public Counter<long> Invalidations { get; }

    public Counter<long> RedisErrors { get; }

    public Counter<long> InvalidationFailures { get; }

    public Counter<long> LeaseWaits { get; }

    public Counter<long> LeaseTimeouts { get; }

    public Counter<long> StaleFillsPrevented { get; }

    public const string KindLocal = "local";

    public const string KindRemote = "remote";

    public const string KindResync = "resync";

    public const string KindTag = "tag";

    public const string KindPut = "put";

    /// <summary>Counts an invalidation of <paramref name="kind"/>, for one method or (<see langword="null"/>) all.</summary>
    public void AddInvalidation(string kind, KeyValuePair<string, object?>? method)
    {
        if (!Invalidations.Enabled)
        {
            return;
        }

        if (method is { } tag)
        {
            Invalidations.Add(1, tag, new KeyValuePair<string, object?>("kind", kind));
        }
        else
        {
            Invalidations.Add(1, new KeyValuePair<string, object?>("kind", kind));
        }
    }

    public Histogram<int> PayloadBytes { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> Follows { get; }

    public Counter<long> EarlyRefreshes { get; }

    public Counter<long> FailSafe { get; }

    public Counter<long> Oversize { get; }

    public Counter<long> PayloadsRejected { get; }

    public Counter<long> Unserializable { get; }

    public static readonly KeyValuePair<string, object?> ReasonCorrupt = new("reason", "corrupt");

    public static readonly KeyValuePair<string, object?> ReasonOutdated = new("reason", "outdated");

    /// <summary>Bucket boundaries in seconds, from 10 µs to 10 s: an L1 hit, a Redis round trip and a slow source all
    /// land in buckets of their own.</summary>
    private static readonly double[] DurationBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>A timestamp of the runtime's clock to pass to <see cref="RecordDuration"/>, or 0 when nobody listens to
    /// the histogram.</summary>
    public long StartTiming() => Duration.Enabled ? Math.Max(1, _time.GetTimestamp()) : 0;

    public void RecordDuration(long started, KeyValuePair<string, object?> method, KeyValuePair<string, object?> level, KeyValuePair<string, object?> operation)
    {
        if (started != 0)
        {
            Duration.Record(_time.GetElapsedTime(started).TotalSeconds, method, level, operation);
        }
    }

    /// <summary>Whether a listener wants <c>cachedgen.operation.duration</c> (checked every <see cref="RefreshInterval"/>):
    /// then the L1 hit path times one lookup per method per coarse clock tick.</summary>
    public bool TimesDurations => _timeDurations;

    public static readonly KeyValuePair<string, object?> Source = new("level", "source");

    public static readonly KeyValuePair<string, object?> OpGet = new("operation", "get");

    public static readonly KeyValuePair<string, object?> OpLease = new("operation", "lease");

    public static readonly KeyValuePair<string, object?> OpFill = new("operation", "fill");

    public static readonly KeyValuePair<string, object?> OpInvalidate = new("operation", "invalidate");

    public static readonly KeyValuePair<string, object?> OpLoad = new("operation", "load");

    /// <summary>
    /// Whether hits are being counted: only while a listener has enabled <c>cachedgen.hits</c> (checked every
    /// <see cref="RefreshInterval"/>). Counting a hit is a plain increment of a per-thread cell, so with no listener
    /// attached the hit path reads this flag and nothing more.
    /// </summary>
    public bool CountHits => _countHits;

    /// <summary>Whether anything observes the L1 hit path: hit counts, the duration histogram, or a trace listener.
    /// The hit path reads this one flag and, when it is false, does nothing else.</summary>
    public bool Observed => _observed;

    private volatile bool _observed;

    /// <summary>Whether an audit sink is configured (then every call is observed).</summary>
    public bool Audited { get; init; }

    /// <summary>Re-reads whether a listener wants hit counts, durations or traces.</summary>
    public void Refresh()
    {
        _countHits = _hits.Enabled;
        _timeDurations = Duration.Enabled;
        var observed = _countHits || _timeDurations || CacheTracing.Source.HasListeners() || Audited;
        if (observed != _observed)
        {
            _observed = observed;
            ObservedChanged?.Invoke();
        }
    }

    /// <summary>Raised by <see cref="Refresh"/> when <see cref="Observed"/> changes: the methods re-read it.</summary>
    public event Action? ObservedChanged;

    public static KeyValuePair<string, object?> Method(string methodId) => new("method", methodId);

    public static readonly KeyValuePair<string, object?> L1 = new("level", "l1");

    public static readonly KeyValuePair<string, object?> L2 = new("level", "l2");

    public void Dispose()
    {
        _refresh.Dispose();
        _meter.Dispose();
    }
}
