using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;

namespace CachedGen.IntegrationTests;

/// <summary>Records what one runtime's <c>CachedGen</c> meter reports, through a <see cref="MeterListener"/>.</summary>
internal sealed class Recorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)> _measurements = new();
    private readonly ConcurrentQueue<double> _durations = new();

    public IReadOnlyCollection<double> Durations => _durations;

    public Recorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            Record(instrument.Name, 1, tags);
            _durations.Enqueue(value);
        });
        _listener.Start();
    }

    public long Sum(string name, string? level = null)
    {
        // Observable instruments (hits) report cumulative totals when collected: take the latest per tag set.
        _listener.RecordObservableInstruments();
        if (name == "cachedgen.hits")
        {
            return _measurements.Where(m => m.Name == name && Equals(m.Tags.GetValueOrDefault("level"), level))
                .GroupBy(m => m.Tags["method"])
                .Sum(g => g.Last().Value);
        }

        return _measurements.Where(m => m.Name == name && (level is null || Equals(m.Tags.GetValueOrDefault("level"), level))).Sum(m => m.Value);
    }

    public int Count(string name) => _measurements.Count(m => m.Name == name);

    /// <summary>The <c>cachedgen.invalidations</c> of a kind (<c>remote</c>, <c>local</c>, ...), of one method's id.</summary>
    public long Invalidations(string kind, string method)
        => _measurements.Where(m => m.Name == "cachedgen.invalidations" && Equals(m.Tags.GetValueOrDefault("kind"), kind) && Equals(m.Tags.GetValueOrDefault("method"), method)).Sum(m => m.Value);

    /// <summary>How many <c>cachedgen.operation.duration</c> measurements were taken for a level and operation (one per
    /// operation, e.g. <c>l2</c>/<c>lease</c> for each lease script sent).</summary>
    public int Operations(string level, string operation)
        => _measurements.Count(m => m.Name == "cachedgen.operation.duration" && Equals(m.Tags.GetValueOrDefault("level"), level) && Equals(m.Tags.GetValueOrDefault("operation"), operation));

    /// <summary>Latest value of <c>cachedgen.redis.memory</c> for a state (used, limit), or 0 when none yet.</summary>
    public long Memory(string state)
    {
        _listener.RecordObservableInstruments();
        return _measurements.LastOrDefault(m => m.Name == "cachedgen.redis.memory" && Equals(m.Tags.GetValueOrDefault("state"), state)).Value;
    }

    public long Observe(string name)
    {
        _listener.RecordObservableInstruments();
        return _measurements.Last(m => m.Name == name).Value;
    }

    public IEnumerable<Dictionary<string, object?>> Tags(string name) => _measurements.Where(m => m.Name == name).Select(m => m.Tags);

    private void Record(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        => _measurements.Enqueue((name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    public void Dispose() => _listener.Dispose();
}
