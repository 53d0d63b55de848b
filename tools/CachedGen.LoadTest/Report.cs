using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CachedGen.LoadTest;

/// <summary>The results as a Markdown table, engines side by side.</summary>
public static class Report
{
    public static string ToMarkdown(LoadTestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Settings;
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine(inv, $"Run {result.StartedAt:yyyy-MM-dd HH:mm} UTC; {result.Machine}; Redis: {result.Redis}.");
        text.AppendLine(inv, $"Workload: {s.Keys:N0} keys, Zipf({s.ZipfExponent}), {s.ReadRatio:P0} reads, {s.Nodes} nodes, {s.Concurrency} workers, " +
            $"warm-up {s.WarmupSeconds}s + measured {s.DurationSeconds}s, source latency {s.SourceLatencyMs} ms, L1 capacity {s.L1Capacity:N0}/node, " +
            $"stale window {s.SameNodeWindowMs} ms same node / {s.CrossNodeWindowMs} ms other nodes, seed {s.Seed}{(s.CachedGenLeaseDurationMs is { } lease ? $", CachedGen LeaseDuration {lease} ms" : "")}{(s.Short ? ", short mode" : "")}; engines {(s.SliceSeconds is { } slice ? $"in alternating slices of {slice} s" : "one after the other")}.");
        text.AppendLine();
        var engines = result.Engines;
        text.Append("| |");
        foreach (var e in engines)
        {
            text.Append(' ').Append(e.Engine).Append(" |");
        }

        text.AppendLine();
        text.Append("|---|");
        foreach (var _ in engines)
        {
            text.Append("---:|");
        }

        text.AppendLine();
        void Row(string name, Func<EngineResult, string> cell)
        {
            text.Append("| ").Append(name).Append(" |");
            foreach (var e in engines)
            {
                text.Append(' ').Append(cell(e)).Append(" |");
            }

            text.AppendLine();
        }

        static string Ms(double us) => (us / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
        static string Pct(double ratio) => ratio.ToString("P1", CultureInfo.InvariantCulture);
        static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
        static string Met(bool met) => met ? "met" : "**not met**";
        static string P99AndShare(EngineResult e, LatencySummary reads) => Ms(reads.P99Us) + " (" + Pct(e.Reads == 0 ? 0 : (double)reads.Count / e.Reads) + ")";

        Row("operations/s", e => N(e.OperationsPerSecond));
        Row("reads / writes", e => N(e.Reads) + " / " + N(e.Writes));
        Row("hit ratio L1", e => Pct(e.L1HitRatio));
        Row("hit ratio L2 (Redis)", e => Pct(e.L2HitRatio));
        Row("hit ratio overall (no source call)", e => Pct(e.OverallHitRatio));
        Row("source calls/s (reads + writes)", e => N(e.SourceCallsPerSecond) + " (" + N(e.SourceReadCallsPerSecond) + " + " + N(e.SourceWriteCalls / Math.Max(e.MeasuredSeconds, 1e-9)) + ")");
        Row("read p50 / p95 ms", e => Ms(e.ReadLatency.P50Us) + " / " + Ms(e.ReadLatency.P95Us));
        Row("read p99 / p99.9 ms", e => Ms(e.ReadLatency.P99Us) + " / " + Ms(e.ReadLatency.P999Us));
        Row("read max ms (reads over 100 ms)", e => Ms(e.ReadLatency.MaxUs) + " (" + N(e.ReadLatency.Over100Ms) + ")");
        Row("read p99, no source call / source call ms", e => Ms(e.ReadLatencyNoSourceCall.P99Us) + " / " + Ms(e.ReadLatencySourceCall.P99Us));
        Row("read p99, reads the cache served ms (share of reads)", e => P99AndShare(e, e.ReadLatencyServed));
        Row("read p99, reads the cache served that did not complete at once ms (share of reads)", e => P99AndShare(e, e.ReadLatencyServedNotAtOnce));
        Row("read p99, waited for another caller's source read ms (share of reads)", e => P99AndShare(e, e.ReadLatencyAwaitedLoad));
        Row("read p99, no load of the form in flight ms (share of reads)", e => P99AndShare(e, e.ReadLatencyNoLoadInFlight));
        Row("write p50 / p95 ms", e => Ms(e.WriteLatency.P50Us) + " / " + Ms(e.WriteLatency.P95Us));
        Row("write p99 / p99.9 ms", e => Ms(e.WriteLatency.P99Us) + " / " + Ms(e.WriteLatency.P999Us));
        Row("write p99 after its turn (one writer per form) ms", e => Ms(e.WriteLatencyAfterTurn.P99Us));
        Row("write max ms", e => Ms(e.WriteLatency.MaxUs));
        Row("allocated per operation (process) / GC pause share", e => (e.Reads + e.Writes == 0 ? "0" : N(e.AllocatedBytes / (e.Reads + e.Writes))) + " B / " + (e.MeasuredSeconds <= 0 ? 0 : e.GcPauseMs / 10 / e.MeasuredSeconds).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + " %");
        Row("process CPU per operation µs (Redis excluded)", e => e.Reads + e.Writes == 0 ? "0" : (e.CpuMs * 1000 / (e.Reads + e.Writes)).ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        Row("collections gen 0 / 1 / 2", e => string.Join(" / ", e.Collections.Select(c => N(c))));
        Row("longest call, whole run ms (calls over 1 s)", e => Ms(e.LongestCallMs * 1000) + " (" + N(e.CallsOver1s) + ")");
        Row("errors / wrong values", e => N(e.Errors) + " / " + N(e.WrongValues));
        Row("stale reads beyond window (same node)", e => N(e.StaleReads) + " (" + N(e.StaleReadsSameNode) + ")");
        Row("reads within window", e => N(e.ReadsWithinWindow));
        Row("max staleness ms", e => e.MaxStalenessMs.ToString("0.0", CultureInfo.InvariantCulture));
        Row("stale at end / re-read", e => N(e.FinalStale) + " / " + N(e.FinalChecked));
        Row("engine warnings logged", e => N(e.EngineWarnings));
        Row("mean source call ms", e => e.SourceCallMeanMs.ToString("0.000", CultureInfo.InvariantCulture));
        Row("target: hit ratio > 80 %", e => Met(e.Targets.HitRatioAbove80Percent));
        Row("target: read p99 < 1 ms", e => Met(e.Targets.ReadP99Below1Ms));
        Row("target: write p99 < 5 ms", e => Met(e.Targets.WriteP99Below5Ms));
        Row("invariants (no errors, no stale reads)", e => e.InvariantsHold ? "hold" : "**violated**");

        text.AppendLine();
        foreach (var e in engines)
        {
            text.AppendLine(inv, $"{e.Engine} counters during the measured window: {(e.EngineCounters.Count == 0 ? "none" : string.Join(", ", e.EngineCounters.Select(c => c.Key + " " + c.Value.ToString("N0", inv))))}.");
        }

        foreach (var e in engines.Where(e => e.ErrorSamples.Count > 0 || e.WarningSamples.Count > 0))
        {
            text.AppendLine();
            text.AppendLine(inv, $"{e.Engine}, first errors and warnings:");
            foreach (var sample in e.ErrorSamples.Concat(e.WarningSamples))
            {
                text.AppendLine("  - " + FirstLines(sample, 6).Replace("\n", "\n    ", StringComparison.Ordinal));
            }
        }

        return text.ToString();
    }

    private static string FirstLines(string text, int lines)
    {
        var parts = text.Split('\n');
        return parts.Length <= lines ? text : string.Join('\n', parts.Take(lines)) + "\n…";
    }
}
