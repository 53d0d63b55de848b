using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Text;
using System.Threading.Tasks;

namespace CachedGen.Benchmarks;

/// <summary>
/// Ranks the L2-hit paths on a noisy machine: the paths run in alternating batches (the order rotates each round), so
/// that drift in the machine's load falls on every path alike, and each path is compared with the baseline batch of
/// the same round. Calls are sequential awaits on one logical flow.
/// </summary>
/// <remarks>
/// Allocations are process-wide deltas of <see cref="GC.GetTotalAllocatedBytes(bool)"/> (precise), the counter
/// BenchmarkDotNet's MemoryDiagnoser reads: after the first await a call continues on a thread-pool thread, and
/// StackExchange.Redis reads replies on its own threads, so a per-thread counter would miss part of each call.
/// </remarks>
public static class InterleavedL2
{
    public static async Task<int> RunAsync(int rounds = 40, int callsPerBatch = 500)
    {
        await using var paths = await L2Paths.CreateAsync().ConfigureAwait(false);
        var all = paths.All;
        Console.WriteLine($"Redis {L2Paths.Endpoint}; {rounds} rounds x {callsPerBatch} calls per path; GC {(GCSettings.IsServerGC ? "server" : "workstation")}, concurrent {GCSettings.LatencyMode}.");
        Console.WriteLine();
        Console.WriteLine("Redis commands per call (INFO stats, 50 warm calls each):");
        foreach (var (name, perCall) in await paths.VerifyAsync().ConfigureAwait(false))
        {
            Console.WriteLine($"  {name}: {perCall:0.00}");
        }

        var micros = all.Select(_ => new List<double>()).ToArray();
        var bytes = all.Select(_ => new List<double>()).ToArray();
        var timeRatios = all.Select(_ => new List<double>()).ToArray();
        var sourceCalls = new long[all.Length];

        Console.WriteLine(await JitWarmUp.UntilQuietAsync(async () =>
        {
            foreach (var (_, call) in all)
            {
                for (var i = 0; i < callsPerBatch; i++)
                {
                    await call().ConfigureAwait(false);
                }
            }
        }).ConfigureAwait(false));

        for (var round = 0; round < rounds; round++)
        {
            var roundMicros = new double[all.Length];
            for (var slot = 0; slot < all.Length; slot++)
            {
                var p = (slot + round) % all.Length;
                var call = all[p].Call;
                var loads = paths.SourceCalls;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < callsPerBatch; i++)
                {
                    await call().ConfigureAwait(false);
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                roundMicros[p] = elapsed.TotalMicroseconds / callsPerBatch;
                sourceCalls[p] += paths.SourceCalls - loads;
                micros[p].Add(roundMicros[p]);
                bytes[p].Add(allocated / (double)callsPerBatch);
            }

            for (var p = 0; p < all.Length; p++)
            {
                timeRatios[p].Add(roundMicros[p] / roundMicros[0]);
            }
        }

        var baselineMicros = Median(micros[0]);
        var baselineBytes = Median(bytes[0]);
        var table = new StringBuilder();
        table.AppendLine("| Path | Median µs/call | p25–p75 µs/call | Median B/call | Time ratio | Bytes ratio |");
        table.AppendLine("|---|---:|---:|---:|---:|---:|");
        for (var p = 0; p < all.Length; p++)
        {
            table.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {all[p].Name}{(p == 0 ? " (baseline)" : "")} | {Median(micros[p]):0.0} | {Percentile(micros[p], 0.25):0.0}–{Percentile(micros[p], 0.75):0.0} | {Median(bytes[p]):0} | {Median(timeRatios[p]):0.00} | {Median(bytes[p]) / baselineBytes:0.00} |"));
        }

        Console.WriteLine();
        Console.WriteLine(table.ToString());
        for (var p = 0; p < all.Length; p++)
        {
            if (sourceCalls[p] > 0)
            {
                // A warm key read from the source (for CachedGen, a Redis read that ran past RedisOperationTimeout,
                // 100 ms by default): counted in its batch's time, and reported rather than ending the run.
                Console.WriteLine($"{all[p].Name}: {sourceCalls[p]} calls reached the source during the measurement.");
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Time ratio: median over rounds of (path µs/call ÷ baseline µs/call in the same round). Baseline median {baselineMicros:0.0} µs, {baselineBytes:0} B per call."));
        return 0;
    }

    private static double Median(List<double> values) => Percentile(values, 0.5);

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        var position = (sorted.Length - 1) * q;
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    /// <summary>
    /// One row of <see cref="L2Paths.All"/> (0 = the baseline) alone in the process: warmed up until the JIT is done
    /// (<see cref="JitWarmUp"/>, rounds of <paramref name="callsPerRound"/> calls), then called sequentially for
    /// <paramref name="duration"/>, for a profiler (<c>perf stat</c>, <c>perf record</c>, <c>dotnet-trace</c>) to attach to
    /// once the warm-up line is printed; prints the measured calls, µs per call, the thread pool work items per call (the
    /// hand-offs between threads a call costs) and the bytes per call.
    /// </summary>
    public static async Task<int> RunAloneAsync(int row, TimeSpan duration, int callsPerRound = 500)
    {
        await using var paths = await L2Paths.CreateAsync().ConfigureAwait(false);
        var (name, call) = paths.All[row];
        Console.WriteLine($"{name}: " + await JitWarmUp.UntilQuietAsync(async () =>
        {
            for (var i = 0; i < callsPerRound; i++)
            {
                await call().ConfigureAwait(false);
            }
        }).ConfigureAwait(false));
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workItems = System.Threading.ThreadPool.CompletedWorkItemCount;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        long calls = 0;
        while (Stopwatch.GetTimestamp() < until)
        {
            await call().ConfigureAwait(false);
            calls++;
        }

        var perCall = Math.Max(1, calls);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {calls} calls, {Stopwatch.GetElapsedTime(started).TotalMicroseconds / perCall:0.0} µs per call, {(System.Threading.ThreadPool.CompletedWorkItemCount - workItems) / (double)perCall:0.00} work items per call, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / perCall} B per call"));
        return 0;
    }
}
