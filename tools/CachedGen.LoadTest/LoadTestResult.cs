using System;
using System.Collections.Generic;
using System.Linq;

namespace CachedGen.LoadTest;

/// <summary>Latency percentiles in microseconds (upper bounds of log-linear buckets, within 1.6 %).</summary>
public sealed record LatencySummary(long Count, double MeanUs, double P50Us, double P95Us, double P99Us, double P999Us, double MaxUs, long Over100Ms)
{
    public static LatencySummary From(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        static double Us(long nanos) => Math.Round(nanos / 1000.0, 1);
        return new(
            histogram.Count,
            Math.Round(histogram.MeanNanos / 1000.0, 1),
            Us(histogram.PercentileNanos(50)),
            Us(histogram.PercentileNanos(95)),
            Us(histogram.PercentileNanos(99)),
            Us(histogram.PercentileNanos(99.9)),
            Us(histogram.MaxNanos),
            histogram.CountAbove(100_000_000));
    }
}

/// <summary>The seed's targets, and whether a run met them.</summary>
public sealed record TargetCheck(bool HitRatioAbove80Percent, bool ReadP99Below1Ms, bool WriteP99Below5Ms)
{
    public bool All => HitRatioAbove80Percent && ReadP99Below1Ms && WriteP99Below5Ms;
}

/// <summary>What one engine did during the measured window.</summary>
public sealed record EngineResult
{
    public required string Engine { get; init; }

    public required string Description { get; init; }

    /// <summary>Length of the measured window (after warm-up).</summary>
    public required double MeasuredSeconds { get; init; }

    public required long Reads { get; init; }

    public required long Writes { get; init; }

    public double OperationsPerSecond => MeasuredSeconds <= 0 ? 0 : (Reads + Writes) / MeasuredSeconds;

    /// <summary>Reads served from a node's L1 (engine counters).</summary>
    public required long L1Hits { get; init; }

    /// <summary>Reads served from Redis (engine counters).</summary>
    public required long L2Hits { get; init; }

    /// <summary>Calls of the source's read method (misses that loaded; waiters of a load in flight are not counted).</summary>
    public required long SourceReadCalls { get; init; }

    public required long SourceWriteCalls { get; init; }

    public double L1HitRatio => Reads == 0 ? 0 : (double)L1Hits / Reads;

    public double L2HitRatio => Reads == 0 ? 0 : (double)L2Hits / Reads;

    /// <summary>Reads served without a source call: 1 − source read calls / reads.</summary>
    public double OverallHitRatio => Reads == 0 ? 0 : Math.Max(0, 1 - ((double)SourceReadCalls / Reads));

    public double SourceCallsPerSecond => MeasuredSeconds <= 0 ? 0 : (SourceReadCalls + SourceWriteCalls) / MeasuredSeconds;

    public double SourceReadCallsPerSecond => MeasuredSeconds <= 0 ? 0 : SourceReadCalls / MeasuredSeconds;

    /// <summary>Mean wall time of one source call (simulated latency included), over the whole run.</summary>
    public required double SourceCallMeanMs { get; init; }

    public required LatencySummary ReadLatency { get; init; }

    /// <summary>Reads whose own async flow did not call the source (L1, L2, or a wait for another caller's load).</summary>
    public required LatencySummary ReadLatencyNoSourceCall { get; init; }

    /// <summary>Reads that did not call the source and during which no source read of their form was in flight, through any
    /// node: reads answered from what the cache held, without those that waited for another caller's load (which an
    /// engine with a lock across nodes makes wait, and one without makes call the source itself). The same
    /// definition for every engine, taken from the source's side.</summary>
    public LatencySummary ReadLatencyNoLoadInFlight { get; init; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reads the cache served: neither called the source nor waited for another caller's source read of their
    /// form (a read that joined a load in flight, or waited for another node's lease, while a source read of its form
    /// was in flight; see <see cref="AwaitedLoads"/>). The same definition for every engine: what one engine makes a
    /// caller wait for, another makes it call the source for, and neither is an answer from what the cache held.</summary>
    public LatencySummary ReadLatencyServed { get; init; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The reads the cache served whose call did not complete at once (it returned an unfinished task): those
    /// that read Redis, or joined a read of Redis in flight; an L1 hit completes at once in both engines.</summary>
    public LatencySummary ReadLatencyServedNotAtOnce { get; init; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reads that waited for another caller's source read of their form (the complement of
    /// <see cref="ReadLatencyServed"/> within <see cref="ReadLatencyNoSourceCall"/>).</summary>
    public LatencySummary ReadLatencyAwaitedLoad { get; init; } = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reads whose own async flow called the source.</summary>
    public required LatencySummary ReadLatencySourceCall { get; init; }

    public required LatencySummary WriteLatency { get; init; }

    /// <summary>Writes from the moment they had their turn: without the wait for the form's writer (warm mode serializes
    /// the writes of one form, see <c>FormWriteLocks</c>); the same as <see cref="WriteLatency"/> in cold mode.</summary>
    public required LatencySummary WriteLatencyAfterTurn { get; init; }

    /// <summary>Exceptions from cached calls, over the whole run (warm-up included).</summary>
    public required long Errors { get; init; }

    /// <summary>Reads that returned null or another form's schema, over the whole run.</summary>
    public required long WrongValues { get; init; }

    /// <summary>Reads that missed a write completed earlier than the window before they started.</summary>
    public required long StaleReads { get; init; }

    /// <summary>Of <see cref="StaleReads"/>: those that missed a write completed on the reading node itself.</summary>
    public required long StaleReadsSameNode { get; init; }

    /// <summary>Reads that missed a completed write, within the window (eventually consistent reads).</summary>
    public required long ReadsWithinWindow { get; init; }

    /// <summary>Longest time between a missed write's completion and the start of the stale read.</summary>
    public required double MaxStalenessMs { get; init; }

    /// <summary>Longest read or write of the whole run, warm-up and the calls that ran past the window included.</summary>
    public required double LongestCallMs { get; init; }

    /// <summary>Bytes the process allocated during the measured window (engine, workers and the tool's own
    /// bookkeeping).</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>Garbage collections of generations 0, 1 and 2 during the measured window (a gen 2 collection counts in
    /// all three).</summary>
    public IReadOnlyList<int> Collections { get; init; } = [];

    /// <summary>Time the runtime was paused for garbage collection during the measured window.</summary>
    public double GcPauseMs { get; init; }

    /// <summary>CPU time (user and kernel, every thread of the process; Redis excluded) used during the measured window.</summary>
    public double CpuMs { get; init; }

    /// <summary>Calls of the whole run (warm-up included) that took more than a second.</summary>
    public required long CallsOver1s { get; init; }

    /// <summary>After the run and the window: (node, form) pairs re-read for every written form.</summary>
    public required long FinalChecked { get; init; }

    /// <summary>Of <see cref="FinalChecked"/>: reads that still returned an older revision than the last completed write.</summary>
    public required long FinalStale { get; init; }

    /// <summary>Warnings and errors the engine logged (failures it absorbed, e.g. Redis timeouts).</summary>
    public required long EngineWarnings { get; init; }

    /// <summary>The engine's own counters that moved during the measured window (CachedGen: its meter, except hits;
    /// FusionCache: backplane messages and factory runs, from its events).</summary>
    public required IReadOnlyDictionary<string, long> EngineCounters { get; init; }

    public required IReadOnlyList<string> ErrorSamples { get; init; }

    public required IReadOnlyList<string> WarningSamples { get; init; }

    /// <summary>No errors, no wrong values, no stale reads (during the run or at the end), and some operations done.
    /// Timings are not invariants.</summary>
    public bool InvariantsHold => Errors == 0 && WrongValues == 0 && StaleReads == 0 && FinalStale == 0 && Reads + Writes > 0;

    public TargetCheck Targets => new(OverallHitRatio > 0.80, ReadLatency.P99Us < 1000, WriteLatency.P99Us < 5000);
}

/// <summary>The whole run: settings, machine, and one result per engine.</summary>
public sealed record LoadTestResult
{
    public required DateTimeOffset StartedAt { get; init; }

    public required string Machine { get; init; }

    public required string Redis { get; init; }

    public required LoadTestSettings Settings { get; init; }

    public required IReadOnlyList<EngineResult> Engines { get; init; }

    /// <summary>The invariants of the system under test: CachedGen's when it ran, else those of every engine that ran.
    /// FusionCache is the baseline: its violations are reported, not gated on, beside CachedGen.</summary>
    public bool InvariantsHold
    {
        get
        {
            var underTest = Engines.Where(e => e.Engine == "CachedGen").ToList();
            var judged = underTest.Count > 0 ? underTest : [.. Engines];
            return judged.Count > 0 && judged.TrueForAll(e => e.InvariantsHold);
        }
    }
}

/// <summary>The options as they were applied (durations in seconds), for the report and the JSON file.</summary>
public sealed record LoadTestSettings(
    int Nodes,
    int Concurrency,
    int Keys,
    double ZipfExponent,
    double ReadRatio,
    double DurationSeconds,
    double WarmupSeconds,
    int Seed,
    double SourceLatencyMs,
    double CrossNodeWindowMs,
    double SameNodeWindowMs,
    int L1Capacity,
    double? CachedGenLeaseDurationMs,
    bool Short,
    string Mode,
    double? SliceSeconds = null)
{
    public static LoadTestSettings From(LoadTestOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new(o.Nodes, o.EffectiveConcurrency, o.Keys, o.ZipfExponent, o.ReadRatio, o.Duration.TotalSeconds, o.Warmup.TotalSeconds, o.Seed,
            o.SourceLatency.TotalMilliseconds, o.CrossNodeWindow.TotalMilliseconds, o.SameNodeWindow.TotalMilliseconds, o.L1Capacity, o.CachedGenLeaseDuration?.TotalMilliseconds, o.Short, o.Mode.ToString().ToLowerInvariant(),
            o.Engine == EngineChoice.Both && !o.Profile ? o.Slice?.TotalSeconds : null);
    }
}

