using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The <c>CachedGen</c> meter (System.Diagnostics.Metrics). Tags are bounded: <c>method</c> is a method id known at
/// compile time, <c>level</c> is <c>l1</c> or <c>l2</c>, <c>operation</c> a Redis command; keys never appear. Hits, the
/// hot path, are striped counters in each method, counted only while a listener wants them and observed when it
/// collects; the other instruments are
/// recorded as they happen (misses and writes are rare next to the Redis round trip they follow).
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "CachedGen";

    /// <summary>How soon hit counting starts after a listener enables <c>cachedgen.hits</c>.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private readonly Meter _meter;
    private readonly ObservableCounter<long> _hits;
    private readonly Timer _refresh;
    private volatile bool _countHits;

    public CacheMetrics(Func<int> circuitState, Func<IEnumerable<Measurement<long>>> hits)
    {
        _meter = new Meter(MeterName, typeof(CacheMetrics).Assembly.GetName().Version?.ToString(3));
        _hits = _meter.CreateObservableCounter("cachedgen.hits", hits, "{call}", "Calls served from the cache, by level (l1, l2) and method.");
        _refresh = new Timer(static state => ((CacheMetrics)state!).Refresh(), this, RefreshInterval, RefreshInterval);
        Misses = _meter.CreateCounter<long>("cachedgen.misses", "{call}", "Calls that missed L1 and L2 and got their value from the source (directly or by waiting for a load in flight), by method.");
        SourceCalls = _meter.CreateCounter<long>("cachedgen.source.calls", "{call}", "Calls of the repository method behind the cache, by method.");
        Coalesced = _meter.CreateCounter<long>("cachedgen.coalesced", "{call}", "Callers that waited for a load already in flight instead of calling the source.");
        Invalidations = _meter.CreateCounter<long>("cachedgen.invalidations", "{invalidation}", "Invalidations, by method and kind: local (a write or a call on this node), remote (another node's, over the backplane), resync (L1 cleared after the backplane reconnected).");
        InvalidationFailures = _meter.CreateCounter<long>("cachedgen.invalidation.failures", "{invalidation}", "Invalidations Redis did not confirm (Redis down, over budget, circuit open), by method: the Redis entry may outlive the write until its TTL.");
        LeaseWaits = _meter.CreateCounter<long>("cachedgen.lease.waits", "{call}", "Misses that waited for another node's load (its Redis lease) instead of calling the source, by method.");
        LeaseTimeouts = _meter.CreateCounter<long>("cachedgen.lease.timeouts", "{call}", "Waits for another node's load that ran past the lease duration and called the source, by method.");
        StaleFillsPrevented = _meter.CreateCounter<long>("cachedgen.fills.discarded", "{call}", "Loaded values not written to Redis because an invalidation (or the lease's expiry) came in during the load, by method.");
        RedisErrors = _meter.CreateCounter<long>("cachedgen.redis.errors", "{operation}", "Redis operations that failed or exceeded their budget, by operation.");
        PayloadBytes = _meter.CreateHistogram<int>("cachedgen.payload.size", "By", "Size of payloads written to Redis, by method.");
        _meter.CreateObservableGauge("cachedgen.redis.circuit.state", circuitState, "{state}", "Redis circuit breaker: 0 closed, 1 open, 2 half-open.");
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

    /// <summary>
    /// Whether hits are being counted: only while a listener has enabled <c>cachedgen.hits</c> (checked every
    /// <see cref="RefreshInterval"/>). Counting a hit is an atomic increment, a quarter of the cost of an L1 hit, so
    /// with no listener attached the hit path reads this flag and nothing more.
    /// </summary>
    public bool CountHits => _countHits;

    /// <summary>Re-reads whether a listener wants hit counts.</summary>
    public void Refresh() => _countHits = _hits.Enabled;

    public static KeyValuePair<string, object?> Method(string methodId) => new("method", methodId);

    public static readonly KeyValuePair<string, object?> L1 = new("level", "l1");

    public static readonly KeyValuePair<string, object?> L2 = new("level", "l2");

    public void Dispose()
    {
        _refresh.Dispose();
        _meter.Dispose();
    }
}
