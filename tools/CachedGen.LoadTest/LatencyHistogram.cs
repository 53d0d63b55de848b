using System;
using System.Diagnostics;
using System.Numerics;

namespace CachedGen.LoadTest;

/// <summary>
/// A log-linear latency histogram in nanoseconds (the layout of an HdrHistogram with 7 significant bits): values below
/// 128 ns are exact, larger ones fall into 64 buckets per power of two, so a reported percentile is at most 1/64
/// (1.6 %) above the true value. Recording is one array increment; not thread-safe: each worker keeps its own and they
/// are merged at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int Linear = 128;
    private const int PerOctave = 64;
    // Up to 2^40 ns (18 minutes): anything longer is clamped into the last bucket.
    private const int MaxShift = 34;
    private const int BucketCount = Linear + (MaxShift * PerOctave);
    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    private readonly long[] _counts = new long[BucketCount];

    public long Count { get; private set; }

    public long MaxNanos { get; private set; }

    public double SumNanos { get; private set; }

    public double MeanNanos => Count == 0 ? 0 : SumNanos / Count;

    public void RecordTicks(long elapsedTicks) => RecordNanos((long)(elapsedTicks * NanosPerTick));

    public void RecordNanos(long nanos)
    {
        if (nanos < 0)
        {
            nanos = 0;
        }

        _counts[Index(nanos)]++;
        Count++;
        SumNanos += nanos;
        if (nanos > MaxNanos)
        {
            MaxNanos = nanos;
        }
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        SumNanos += other.SumNanos;
        MaxNanos = Math.Max(MaxNanos, other.MaxNanos);
    }

    /// <summary>The smallest recorded-bucket upper bound at or below which <paramref name="percentile"/> % of the values
    /// lie (never above the maximum recorded value); 0 when empty.</summary>
    public long PercentileNanos(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(Math.Clamp(percentile, 0, 100) / 100.0 * Count);
        rank = Math.Max(1, rank);
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), MaxNanos);
            }
        }

        return MaxNanos;
    }

    /// <summary>Values recorded above <paramref name="nanos"/> (to bucket precision).</summary>
    public long CountAbove(long nanos)
    {
        long count = 0;
        for (var i = Index(nanos) + 1; i < BucketCount; i++)
        {
            count += _counts[i];
        }

        return count;
    }

    internal static int Index(long nanos)
    {
        if (nanos < Linear)
        {
            return (int)nanos;
        }

        var msb = 63 - BitOperations.LeadingZeroCount((ulong)nanos);
        var shift = msb - 6; // keep the top 7 bits: 64..127
        if (shift > MaxShift)
        {
            return BucketCount - 1;
        }

        var top = (int)(nanos >> shift);
        return Linear + ((shift - 1) * PerOctave) + (top - PerOctave);
    }

    internal static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }

        var shift = ((index - Linear) / PerOctave) + 1;
        var top = ((index - Linear) % PerOctave) + PerOctave;
        return ((long)(top + 1) << shift) - 1;
    }
}
