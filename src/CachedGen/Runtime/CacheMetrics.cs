using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;

namespace CachedGen.Runtime;

/// <summary>
/// The <c>CachedGen</c> meter (System.Diagnostics.Metrics). Tags are bounded: <c>method</c> is a method id known at
/// compile time, <c>level</c> is <c>l1</c> or <c>l2</c>, <c>operation</c> a Redis command; keys never appear. With no
/// listener attached, each instrument is a field read (<see cref="Instrument.Enabled"/>) on the hot path.
/// </summary>
internal sealed class CacheMetrics : IDisposable
{
    public const string MeterName = "CachedGen";

    private readonly Meter _meter;

    public CacheMetrics(Func<int> circuitState)
    {
        _meter = new Meter(MeterName, typeof(CacheMetrics).Assembly.GetName().Version?.ToString(3));
        Hits = _meter.CreateCounter<long>("cachedgen.hits", "{call}", "Calls served from the cache, by level (l1, l2) and method.");
        Misses = _meter.CreateCounter<long>("cachedgen.misses", "{call}", "Calls that missed L1 and L2 and got their value from the source (directly or by waiting for a load in flight), by method.");
        SourceCalls = _meter.CreateCounter<long>("cachedgen.source.calls", "{call}", "Calls of the repository method behind the cache, by method.");
        Coalesced = _meter.CreateCounter<long>("cachedgen.coalesced", "{call}", "Callers that waited for a load already in flight instead of calling the source.");
        Invalidations = _meter.CreateCounter<long>("cachedgen.invalidations", "{entry}", "Entries removed by a write or by hand, by method.");
        RedisErrors = _meter.CreateCounter<long>("cachedgen.redis.errors", "{operation}", "Redis operations that failed or exceeded their budget, by operation.");
        PayloadBytes = _meter.CreateHistogram<int>("cachedgen.payload.size", "By", "Size of payloads written to Redis, by method.");
        _meter.CreateObservableGauge("cachedgen.redis.circuit.state", circuitState, "{state}", "Redis circuit breaker: 0 closed, 1 open, 2 half-open.");
    }

    /// <summary>This runtime's meter (each runtime has its own, all named <see cref="MeterName"/>).</summary>
    public Meter Meter => _meter;

    public Counter<long> Hits { get; }

    public Counter<long> Misses { get; }

    public Counter<long> SourceCalls { get; }

    public Counter<long> Coalesced { get; }

    public Counter<long> Invalidations { get; }

    public Counter<long> RedisErrors { get; }

    public Histogram<int> PayloadBytes { get; }

    public static KeyValuePair<string, object?> Method(string methodId) => new("method", methodId);

    public static readonly KeyValuePair<string, object?> L1 = new("level", "l1");

    public static readonly KeyValuePair<string, object?> L2 = new("level", "l2");

    public void Dispose() => _meter.Dispose();
}
