using System;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Every_value_falls_in_a_bucket_that_holds_it_within_1_6_percent()
    {
        var random = new Random(5);
        for (var i = 0; i < 100_000; i++)
        {
            var value = (long)Math.Exp(random.NextDouble() * 27); // 1 ns .. 9 min
            var index = LatencyHistogram.Index(value);
            var upper = LatencyHistogram.UpperBound(index);
            var lower = index == 0 ? 0 : LatencyHistogram.UpperBound(index - 1) + 1;
            Assert.InRange(value, lower, upper);
            Assert.True(upper - value <= Math.Max(1, value / 64), $"{value} -> {upper}");
        }
    }

    [Fact]
    public void Percentiles_of_a_uniform_sample()
    {
        var histogram = new LatencyHistogram();
        for (long us = 1; us <= 10_000; us++)
        {
            histogram.RecordNanos(us * 1000);
        }

        Assert.Equal(10_000, histogram.Count);
        Assert.Equal(10_000_000, histogram.MaxNanos);
        Assert.InRange(histogram.PercentileNanos(50), 5_000_000, 5_000_000 * 1.016);
        Assert.InRange(histogram.PercentileNanos(99), 9_900_000, 9_900_000 * 1.016);
        Assert.InRange(histogram.PercentileNanos(99.9), 9_990_000, 10_000_000);
        Assert.Equal(10_000_000, histogram.PercentileNanos(100));
        Assert.Equal(5_000_500, histogram.MeanNanos, 0);
        // Values above 9 ms, to bucket precision: the bucket holding 9 ms is about 140 µs wide and is not counted.
        Assert.InRange(histogram.CountAbove(9_000_000), 1000 - 141, 1000);
    }

    [Fact]
    public void Merging_adds_counts_and_keeps_the_maximum()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.RecordNanos(100);
        b.RecordNanos(1_000_000);
        b.RecordNanos(-5); // clamped to 0
        a.Add(b);
        Assert.Equal(3, a.Count);
        Assert.Equal(1_000_000, a.MaxNanos);
        Assert.Equal(0, a.PercentileNanos(1));
        Assert.Equal(0, new LatencyHistogram().PercentileNanos(99));
    }
}
