using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.LoadTest;

public static partial class LoadTestRunner
{
    /// <summary>
    /// Runs the engines side by side in time: every engine's nodes are built first, then the engines take turns in slices
    /// of <paramref name="slice"/>, the order alternating from one round to the next (A B, B A, A B, ...), so a minute in
    /// which the machine is busier falls on both engines alike, and neither always runs first. Only one engine's workers
    /// run at a time: a slice ends when its engine's calls in flight have ended (<see cref="SliceGate"/>). The warm-up
    /// rounds come first and are not measured; every engine gets the same warm-up and measured time.
    /// </summary>
    /// <remarks>
    /// Between two slices the process collects generation 0 once, outside every slice and counted (allocations, pause
    /// time, collections) with the slice that allocated it: otherwise the collections an engine's allocations make due
    /// would fall into the next engine's slice and pause its calls.
    /// </remarks>
    private static async Task<IReadOnlyList<EngineResult>> RunInterleavedAsync(EngineChoice[] engines, string redis, LoadTestOptions options, ZipfSampler zipf, TimeSpan slice, TextWriter log, CancellationToken ct)
    {
        var runs = new List<EngineRun>();
        try
        {
            foreach (var engine in engines)
            {
                runs.Add(await EngineRun.StartAsync(engine, redis, options, zipf, log, new SliceGate(options.EffectiveConcurrency)).ConfigureAwait(false));
            }

            var warmupRounds = (int)Math.Ceiling(options.Warmup / slice);
            var measuredRounds = Math.Max(1, (int)Math.Ceiling(options.Duration / slice));
            var measuredSlice = options.Duration / measuredRounds;
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Interleaved: {warmupRounds} warm-up and {measuredRounds} measured rounds, one slice of {measuredSlice.TotalSeconds:0.###} s per engine each, the order alternating.")).ConfigureAwait(false);
            for (var round = 0; round < warmupRounds + measuredRounds && !ct.IsCancellationRequested; round++)
            {
                var measured = round >= warmupRounds;
                var length = measured ? measuredSlice : options.Warmup / warmupRounds;
                var order = round % 2 == 0 ? runs : Enumerable.Reverse(runs);
                var line = new List<string>();
                var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                foreach (var engineRun in order)
                {
                    var before = engineRun.Operations;
                    var started = Stopwatch.GetTimestamp();
                    await RunSliceAsync(engineRun, length, measured, ct).ConfigureAwait(false);
                    var rate = (engineRun.Operations - before) / Stopwatch.GetElapsedTime(started).TotalSeconds;
                    line.Add(string.Create(CultureInfo.InvariantCulture, $"{engineRun.Harness.Name} {rate,9:N0} ops/s"));
                }

                await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"[round {round + 1,3}/{warmupRounds + measuredRounds}] {(measured ? "measured" : "warm-up ")}  {string.Join("  ", line)}  JIT +{System.Runtime.JitInfo.GetCompiledMethodCount() - compiled} methods")).ConfigureAwait(false);
            }

            var results = new List<EngineResult>();
            foreach (var engineRun in runs)
            {
                await engineRun.StopAsync().ConfigureAwait(false);
            }

            foreach (var engineRun in runs)
            {
                results.Add(await engineRun.ResultAsync(log, ct).ConfigureAwait(false));
            }

            return results;
        }
        finally
        {
            foreach (var engineRun in runs)
            {
                await engineRun.StopAsync().ConfigureAwait(false);
                await engineRun.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>One slice of one engine: its workers run for <paramref name="length"/>, then finish their calls in flight;
    /// the generation-0 collection that follows is counted with the slice when it is measured.</summary>
    private static async Task RunSliceAsync(EngineRun engineRun, TimeSpan length, bool measured, CancellationToken ct)
    {
        if (measured)
        {
            engineRun.BeginMeasure();
        }

        var end = Stopwatch.GetTimestamp() + Ticks(length);
        engineRun.Gate!.Open();
        await DelayUntilAsync(end, ct).ConfigureAwait(false);
        await engineRun.Gate.CloseAsync().ConfigureAwait(false);
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        if (measured)
        {
            engineRun.EndMeasure();
        }
    }
}
