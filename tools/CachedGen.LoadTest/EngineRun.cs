using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.LoadTest;

public static partial class LoadTestRunner
{
    /// <summary>
    /// One engine's part of a run: its nodes, source, stale-read tracker and workers, and what its measured time added
    /// up to. The measured time is one window (engines one after the other) or the sum of its slices (interleaved): each
    /// slice adds its hits, source calls, collections, allocations and CPU time, read before and after it.
    /// </summary>
    private sealed class EngineRun : IAsyncDisposable
    {
        private readonly InMemoryFormSource _source;
        private readonly StaleReadTracker _tracker;
        private readonly Task[] _tasks;
        private readonly SortedDictionary<string, long> _counters = new(StringComparer.Ordinal);
        private EngineSnapshot? _hitsAtStart;
        private long _readCallsAtStart;
        private long _writeCallsAtStart;
        private GcSnapshot _gcAtStart;
        private long _startedAt;
        private long _l1;
        private long _l2;
        private long _readCalls;
        private long _writeCalls;
        private GcSnapshot _gc;
        private long _measuredTicks;

        private EngineRun(EngineHarness harness, InMemoryFormSource source, StaleReadTracker tracker, RunState run, SliceGate? gate)
        {
            Harness = harness;
            _source = source;
            _tracker = tracker;
            Run = run;
            Gate = gate;
            Workers = new Worker[run.Options.EffectiveConcurrency];
            _tasks = new Task[Workers.Length];
            for (var i = 0; i < Workers.Length; i++)
            {
                Workers[i] = new Worker(run, i, gate);
            }
        }

        public EngineHarness Harness { get; }

        public RunState Run { get; }

        public Worker[] Workers { get; }

        /// <summary>The gate of an interleaved run; <see langword="null"/> when the engine runs alone.</summary>
        public SliceGate? Gate { get; }

        public long Operations
        {
            get
            {
                long total = 0;
                foreach (var worker in Workers)
                {
                    total += Volatile.Read(ref worker.Operations);
                }

                return total;
            }
        }

        /// <summary>Builds the engine's nodes and starts its workers (parked at the gate until it opens, if there is one).</summary>
        public static async Task<EngineRun> StartAsync(EngineChoice engine, string redis, LoadTestOptions options, ZipfSampler zipf, TextWriter log, SliceGate? gate)
        {
            var runId = Guid.NewGuid().ToString("N")[..8];
            var source = new InMemoryFormSource(options.Keys, options.SourceLatency);
            EngineHarness harness;
            try
            {
                harness = await EngineHarness.CreateAsync(engine, redis, options, source, runId).ConfigureAwait(false);
            }
            catch
            {
                source.Dispose();
                throw;
            }

            await log.WriteLineAsync($"[{harness.Name}] {harness.Description}").ConfigureAwait(false);
            var tracker = new StaleReadTracker(options.Keys, options.SameNodeWindow, options.CrossNodeWindow);
            var engineRun = new EngineRun(harness, source, tracker, new RunState(options, zipf, source, tracker, harness.Nodes), gate);
            for (var i = 0; i < engineRun.Workers.Length; i++)
            {
                engineRun._tasks[i] = Task.Run(engineRun.Workers[i].RunAsync, CancellationToken.None);
            }

            return engineRun;
        }

        /// <summary>Opens the measured window (or the next slice of it): calls from now on are measured.</summary>
        public void BeginMeasure()
        {
            _hitsAtStart = Harness.Snapshot();
            _readCallsAtStart = _source.ReadCalls;
            _writeCallsAtStart = _source.WriteCalls;
            _gcAtStart = GcSnapshot.Take();
            _startedAt = Stopwatch.GetTimestamp();
            if (Volatile.Read(ref Run.MeasureStart) == long.MaxValue)
            {
                Volatile.Write(ref Run.MeasureStart, _startedAt);
            }
        }

        /// <summary>Closes the window (or the slice) opened by <see cref="BeginMeasure"/> and adds what it measured.</summary>
        public void EndMeasure()
        {
            _measuredTicks += Stopwatch.GetTimestamp() - _startedAt;
            _gc += GcSnapshot.Take() - _gcAtStart;
            var hits = Harness.Snapshot();
            _l1 += hits.L1 - _hitsAtStart!.L1;
            _l2 += hits.L2 - _hitsAtStart.L2;
            foreach (var (name, grown) in EngineSnapshot.Delta(_hitsAtStart, hits))
            {
                _counters[name] = _counters.GetValueOrDefault(name) + grown;
            }

            _readCalls += _source.ReadCalls - _readCallsAtStart;
            _writeCalls += _source.WriteCalls - _writeCallsAtStart;
        }

        /// <summary>Calls measured so far (a window in which none finished measures nothing).</summary>
        public long MeasuredOperations
        {
            get
            {
                long total = 0;
                foreach (var worker in Workers)
                {
                    total += Volatile.Read(ref worker.Stats.Reads) + Volatile.Read(ref worker.Stats.Writes);
                }

                return total;
            }
        }

        /// <summary>Stops the workers and waits for their last calls.</summary>
        public async Task StopAsync()
        {
            Volatile.Write(ref Run.Stop, 1);
            Gate?.Open();
            await Task.WhenAll(_tasks).ConfigureAwait(false);
        }

        /// <summary>Runs the final check (if asked) and puts together what the measured time added up to.</summary>
        public async Task<EngineResult> ResultAsync(TextWriter log, CancellationToken ct)
        {
            long finalChecked = 0, finalStale = 0;
            if (Run.Options.FinalCheck && !ct.IsCancellationRequested)
            {
                (finalChecked, finalStale) = await FinalCheckAsync(Harness, _tracker, Run.Options, Run, ct).ConfigureAwait(false);
            }

            var total = new WorkerStats();
            foreach (var worker in Workers)
            {
                total.Add(worker.Stats);
            }

            var result = new EngineResult
            {
                Engine = Harness.Name,
                Description = Harness.Description,
                MeasuredSeconds = _measuredTicks / (double)Stopwatch.Frequency,
                Reads = total.Reads,
                Writes = total.Writes,
                L1Hits = _l1,
                L2Hits = _l2,
                SourceReadCalls = _readCalls,
                SourceWriteCalls = _writeCalls,
                SourceCallMeanMs = _source.MeanCallTime.TotalMilliseconds,
                ReadLatency = LatencySummary.From(total.ReadLatency),
                ReadLatencyNoSourceCall = LatencySummary.From(total.ReadHitLatency),
                ReadLatencyNoLoadInFlight = LatencySummary.From(total.ReadNoLoadLatency),
                ReadLatencyServed = LatencySummary.From(total.ReadServedLatency),
                ReadLatencyAwaitedLoad = LatencySummary.From(total.ReadAwaitedLatency),
                ReadLatencyServedNotAtOnce = LatencySummary.From(total.ReadServedAsyncLatency),
                ReadLatencySourceCall = LatencySummary.From(total.ReadMissLatency),
                WriteLatency = LatencySummary.From(total.WriteLatency),
                WriteLatencyAfterTurn = LatencySummary.From(total.WriteLatencyAfterTurn),
                Errors = total.Errors,
                WrongValues = total.WrongValues,
                StaleReads = total.Stale,
                StaleReadsSameNode = total.StaleSameNode,
                ReadsWithinWindow = total.WithinWindow,
                MaxStalenessMs = Math.Round(total.MaxStaleTicks * 1000.0 / Stopwatch.Frequency, 1),
                LongestCallMs = Math.Round(total.LongestTicks * 1000.0 / Stopwatch.Frequency, 1),
                AllocatedBytes = _gc.AllocatedBytes,
                Collections = [_gc.Gen0, _gc.Gen1, _gc.Gen2],
                GcPauseMs = Math.Round(_gc.Pause.TotalMilliseconds, 1),
                CpuMs = Math.Round(_gc.Cpu.TotalMilliseconds, 1),
                CallsOver1s = total.Over1s,
                FinalChecked = finalChecked,
                FinalStale = finalStale,
                EngineWarnings = Harness.Logs.Count,
                EngineCounters = _counters,
                ErrorSamples = [.. Run.ErrorSamples],
                WarningSamples = Harness.Logs.Samples,
            };
            if (Harness.Profile is { } profile)
            {
                await log.WriteLineAsync($"[{Harness.Name}] where the calls of the measured window spent their time:{Environment.NewLine}{profile.ToMarkdown(result.MeasuredSeconds, result.Reads, result.EngineCounters)}").ConfigureAwait(false);
            }

            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{Harness.Name}] done: {result.Reads:N0} reads, {result.Writes:N0} writes, {result.OperationsPerSecond:N0} ops/s, overall hit {result.OverallHitRatio:P1}, " +
                $"errors {result.Errors}, stale {result.StaleReads} (+{result.FinalStale} at the end), longest call {result.LongestCallMs} ms ({result.CallsOver1s} over 1 s, warm-up included), " +
                $"invariants {(result.InvariantsHold ? "hold" : "VIOLATED")}.")).ConfigureAwait(false);
            return result;
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.DisposeAsync().ConfigureAwait(false);
            _source.Dispose();
        }
    }
}
