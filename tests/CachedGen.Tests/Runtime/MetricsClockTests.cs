using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The meter on the runtime's clock: the listener check is a timer of the runtime's <c>TimeProvider</c>, L1
/// lookups are timed once per clock tick, hits are counted exactly.</summary>
[Collection(ActivitySourceCollection.Name)]
public class MetricsClockTests
{
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();

        public Recorder(Meter meter)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            {
                if (instrument.Name == "cachedgen.operation.duration" && tags.ToArray().Any(t => t.Key == "level" && Equals(t.Value, "l1")))
                {
                    lock (L1Durations)
                    {
                        L1Durations.Add(value);
                    }
                }
            });
            _listener.Start();
        }

        public List<double> L1Durations { get; } = [];

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task The_listener_check_runs_on_the_runtime_clock()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10));
        await h.GetValueAsync(1);
        using var recorder = new Recorder(h.Runtime.Metrics.Meter);
        Assert.False(h.Runtime.Metrics.Observed); // nothing re-read yet: the fake clock has not moved

        h.Time.Advance(CacheMetrics.RefreshInterval);

        Assert.True(h.Runtime.Metrics.Observed);
        await h.GetValueAsync(1);
        Assert.Equal(1, h.Method.LocalHits);
    }

    [Fact]
    public async Task L1_lookups_are_timed_once_per_clock_tick_and_counted_every_time()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10));
        await h.GetValueAsync(1);
        using var recorder = new Recorder(h.Runtime.Metrics.Meter);
        h.Runtime.Metrics.Refresh();

        for (var i = 0; i < 5; i++)
        {
            await h.GetValueAsync(1);
        }

        Assert.Single(recorder.L1Durations);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.GetValueAsync(1);
        await h.GetValueAsync(1);

        Assert.Equal(2, recorder.L1Durations.Count);
        Assert.All(recorder.L1Durations, d => Assert.Equal(0, d)); // the fake clock did not move during a lookup
        Assert.Equal(7, h.Method.LocalHits);
    }

    [Fact]
    public void Per_thread_counts_add_up_exactly()
    {
        var counter = ThreadCounter.Create();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                counter.Increment();
            }

            // A counter created after this thread's cells grows them without losing what it counted.
            var later = ThreadCounter.Create();
            later.Increment();
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(400_000, counter.Count());
    }
}
