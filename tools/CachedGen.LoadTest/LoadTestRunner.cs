using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Sample;

namespace CachedGen.LoadTest;

/// <summary>
/// Runs the workload: for each engine, N nodes over one Redis and one in-memory source; W workers in a closed loop,
/// each operation on a random node and a Zipf-distributed form, a read with probability <c>ReadRatio</c>, else a write
/// of the next revision. Warm-up first (unmeasured), then the measured window; then, optionally, every written form
/// is re-read on every node once the cross-node window has passed.
/// </summary>
public static partial class LoadTestRunner
{
    private static readonly Guid Tenant = new("5b0d6f1e-9c8a-4e43-9a51-2f8f1c7a3d10");

    /// <summary>Runs every engine the options name with the same seed: in alternating slices of
    /// <see cref="LoadTestOptions.Slice"/> (see <see cref="RunInterleavedAsync"/>), or one after the other.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="log">Progress and the final table go here.</param>
    /// <param name="progressInPlace">Rewrite one progress line with <c>\r</c> (a terminal) instead of a line a second.</param>
    /// <param name="ct">Stops the run early; results so far are still returned.</param>
    public static async Task<LoadTestResult> RunAsync(LoadTestOptions options, TextWriter log, bool progressInPlace = false, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        var started = DateTimeOffset.UtcNow;
        RedisProcess? ownRedis = null;
        var redis = options.Redis;
        if (redis is null)
        {
            ownRedis = await RedisProcess.StartAsync(ct).ConfigureAwait(false);
            redis = ownRedis.Endpoint;
            await log.WriteLineAsync($"Started a private redis-server on {redis}.").ConfigureAwait(false);
        }

        try
        {
            var zipf = new ZipfSampler(options.Keys, options.ZipfExponent);
            await log.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Workload ({options.Mode.ToString().ToLowerInvariant()} mode): {options.Keys:N0} keys, Zipf({options.ZipfExponent}) (top {Math.Min(options.L1Capacity, options.Keys):N0} keys = {zipf.MassOfTop(options.L1Capacity):P1} of draws), " +
                $"{options.ReadRatio:P0} reads, {options.Nodes} nodes, {options.EffectiveConcurrency} workers, warm-up {options.Warmup.TotalSeconds}s, measured {options.Duration.TotalSeconds}s, " +
                $"source latency {options.SourceLatency.TotalMilliseconds} ms, seed {options.Seed}.")).ConfigureAwait(false);
            var engines = options.Engine switch
            {
                EngineChoice.CachedGen => new[] { EngineChoice.CachedGen },
                EngineChoice.FusionCache => new[] { EngineChoice.FusionCache },
                _ => new[] { EngineChoice.CachedGen, EngineChoice.FusionCache },
            };
            var results = new List<EngineResult>();
            if (engines.Length > 1 && options.Slice is { } slice && !options.Profile)
            {
                results.AddRange(await RunInterleavedAsync(engines, redis, options, zipf, slice, log, ct).ConfigureAwait(false));
            }
            else
            {
                foreach (var engine in engines)
                {
                    if (ct.IsCancellationRequested)
                    {
                        break;
                    }

                    results.Add(await RunEngineAsync(engine, redis, options, zipf, log, progressInPlace, ct).ConfigureAwait(false));
                }
            }

            return new LoadTestResult
            {
                StartedAt = started,
                Machine = $"{Environment.ProcessorCount} CPUs, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC",
                Redis = ownRedis is null ? redis : "private redis-server on " + redis,
                Settings = LoadTestSettings.From(options),
                Engines = results,
            };
        }
        finally
        {
            if (ownRedis is not null)
            {
                await ownRedis.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<EngineResult> RunEngineAsync(EngineChoice engine, string redis, LoadTestOptions options, ZipfSampler zipf, TextWriter log, bool progressInPlace, CancellationToken ct)
    {
        await using var engineRun = await EngineRun.StartAsync(engine, redis, options, zipf, log, gate: null).ConfigureAwait(false);
        var harness = engineRun.Harness;
        var run = engineRun.Run;
        var t0 = Stopwatch.GetTimestamp();
        using var progressStop = new CancellationTokenSource();
        var progress = ReportProgressAsync(harness.Name, engineRun.Workers, run, t0, log, progressInPlace, progressStop.Token);

        // Warm-up, then snapshot the counters and open the measured window.
        await DelayUntilAsync(t0 + Ticks(options.Warmup), ct).ConfigureAwait(false);
        engineRun.BeginMeasure();
        harness.Profile?.Start();
        using var poolStop = new CancellationTokenSource();
        var pool = harness.Profile?.SamplePoolAsync(poolStop.Token) ?? Task.CompletedTask;

        await DelayUntilAsync(run.MeasureStart + Ticks(options.Duration), ct).ConfigureAwait(false);

        // A window in which no call finished measures nothing (a short run on a loaded machine, where the first calls
        // pay for JIT and serializer set-up): it stays open until one has, for at most a minute.
        var deadline = Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromMinutes(1));
        while (!ct.IsCancellationRequested && Stopwatch.GetTimestamp() < deadline && engineRun.MeasuredOperations == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), ct).ConfigureAwait(false);
        }

        engineRun.EndMeasure();
        harness.Profile?.Stop();
        await poolStop.CancelAsync().ConfigureAwait(false);
        await pool.ConfigureAwait(false);
        await engineRun.StopAsync().ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        return await engineRun.ResultAsync(log, ct).ConfigureAwait(false);
    }

    /// <summary>Waits the window out, then reads every written form on every node: any older revision than the last
    /// completed write is stale (every write completed at least the window ago).</summary>
    private static async Task<(long Checked, long Stale)> FinalCheckAsync(EngineHarness harness, StaleReadTracker tracker, LoadTestOptions options, RunState run, CancellationToken ct)
    {
        var settle = options.CrossNodeWindow > options.SameNodeWindow ? options.CrossNodeWindow : options.SameNodeWindow;
        // The window is the definition being checked (a read older than the last write is stale only once the window has
        // passed), so this waits it out by the clock; it does not stand in for a signal.
        await Task.Delay(settle + TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
        long checkedPairs = 0, stale = 0;
        var start = Stopwatch.GetTimestamp();
        foreach (var (formId, revision) in tracker.WrittenForms())
        {
            for (var node = 0; node < harness.Nodes.Count; node++)
            {
                FormSchema? value;
                try
                {
                    value = await harness.Nodes[node].GetSchemaAsync(formId, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    run.RecordError("final check", ex);
                    continue;
                }

                checkedPairs++;
                if (value is null || value.FormId != formId || tracker.Classify(formId, value.Revision, node, start).Consistency != ReadConsistency.Fresh || value.Revision < revision)
                {
                    stale++;
                    run.RecordSample($"final check: node {node} form {formId} returned r{value?.Revision} after r{revision} had completed");
                }
            }
        }

        return (checkedPairs, stale);
    }

    private static async Task ReportProgressAsync(string name, Worker[] workers, RunState run, long t0, TextWriter log, bool inPlace, CancellationToken ct)
    {
        long lastOps = 0;
        var lastTime = t0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                long ops = 0, errors = 0, stale = 0;
                foreach (var worker in workers)
                {
                    ops += Volatile.Read(ref worker.Operations);
                    errors += Volatile.Read(ref worker.Stats.Errors);
                    stale += Volatile.Read(ref worker.Stats.Stale);
                }

                var now = Stopwatch.GetTimestamp();
                var rate = (ops - lastOps) / ((now - lastTime) / (double)Stopwatch.Frequency);
                var phase = Volatile.Read(ref run.MeasureStart) == long.MaxValue ? "warm-up " : "measured";
                var elapsed = (now - t0) / (double)Stopwatch.Frequency;
                var line = string.Create(CultureInfo.InvariantCulture, $"[{name}] {phase} t={elapsed,5:F1}s  {rate,9:N0} ops/s  errors {errors}  stale {stale}");
                if (inPlace)
                {
                    await log.WriteAsync("\r" + line + "   ").ConfigureAwait(false);
                }
                else
                {
                    await log.WriteLineAsync(line).ConfigureAwait(false);
                }

                lastOps = ops;
                lastTime = now;
            }
        }
        catch (OperationCanceledException)
        {
        }

        if (inPlace)
        {
            await log.WriteLineAsync().ConfigureAwait(false);
        }
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken ct)
    {
        while (true)
        {
            var left = timestamp - Stopwatch.GetTimestamp();
            if (left <= 0 || ct.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(left / (double)Stopwatch.Frequency, 0.25)), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    /// <summary>What the workers share.</summary>
    private sealed class RunState(LoadTestOptions options, ZipfSampler zipf, InMemoryFormSource source, StaleReadTracker tracker, IReadOnlyList<IFormRepository> nodes)
    {
        private const int MaxSamples = 12;
        private int _samples;

        public readonly LoadTestOptions Options = options;
        public readonly ZipfSampler Zipf = zipf;
        public readonly InMemoryFormSource Source = source;
        public readonly StaleReadTracker Tracker = tracker;
        public readonly IReadOnlyList<IFormRepository> Nodes = nodes;
        public readonly ConcurrentQueue<string> ErrorSamples = new();
        public long MeasureStart = long.MaxValue;
        public int Stop;

        public void RecordError(string operation, Exception ex) => RecordSample($"{operation}: {ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}");

        public void RecordSample(string text)
        {
            if (Interlocked.Increment(ref _samples) <= MaxSamples)
            {
                ErrorSamples.Enqueue(text);
            }
        }
    }

    private sealed class WorkerStats
    {
        public readonly LatencyHistogram ReadLatency = new();
        public readonly LatencyHistogram ReadHitLatency = new();
        public readonly LatencyHistogram ReadMissLatency = new();
        public readonly LatencyHistogram ReadNoLoadLatency = new();
        public readonly LatencyHistogram ReadServedLatency = new();
        public readonly LatencyHistogram ReadAwaitedLatency = new();
        public readonly LatencyHistogram ReadServedAsyncLatency = new();
        public readonly LatencyHistogram WriteLatency = new();
        public readonly LatencyHistogram WriteLatencyAfterTurn = new();
        public long Reads;
        public long Writes;
        public long Errors;
        public long WrongValues;
        public long Stale;
        public long StaleSameNode;
        public long WithinWindow;
        public long MaxStaleTicks;
        public long LongestTicks;
        public long Over1s;

        /// <summary>Every call, warm-up included: a stall that straddles the start of the window still shows.</summary>
        public void Observe(long elapsedTicks)
        {
            LongestTicks = Math.Max(LongestTicks, elapsedTicks);
            if (elapsedTicks > Stopwatch.Frequency)
            {
                Over1s++;
            }
        }

        public void Add(WorkerStats other)
        {
            LongestTicks = Math.Max(LongestTicks, other.LongestTicks);
            Over1s += other.Over1s;
            ReadLatency.Add(other.ReadLatency);
            ReadHitLatency.Add(other.ReadHitLatency);
            ReadMissLatency.Add(other.ReadMissLatency);
            ReadNoLoadLatency.Add(other.ReadNoLoadLatency);
            ReadServedLatency.Add(other.ReadServedLatency);
            ReadAwaitedLatency.Add(other.ReadAwaitedLatency);
            ReadServedAsyncLatency.Add(other.ReadServedAsyncLatency);
            WriteLatency.Add(other.WriteLatency);
            WriteLatencyAfterTurn.Add(other.WriteLatencyAfterTurn);
            Reads += other.Reads;
            Writes += other.Writes;
            Errors += other.Errors;
            WrongValues += other.WrongValues;
            Stale += other.Stale;
            StaleSameNode += other.StaleSameNode;
            WithinWindow += other.WithinWindow;
            MaxStaleTicks = Math.Max(MaxStaleTicks, other.MaxStaleTicks);
        }
    }

    private sealed class Worker(RunState run, int index, SliceGate? gate)
    {
        private const int YieldEvery = 64;

        public readonly WorkerStats Stats = new();
        public long Operations;

        // Calls of the warm-up are recorded here and thrown away: the recording code (histograms, the stale-read check)
        // is then compiled and warm before the first measured slice, as the engines' code is.
        private readonly WorkerStats _warmUp = new();

        public async Task RunAsync()
        {
            // Seeded per worker: the same seed gives every engine the same sequence of (node, form, read/write) per worker.
            var random = new Random(HashCode.Combine(run.Options.Seed, index));
            var calledSource = new StrongBox<bool>();
            InMemoryFormSource.TrackCallsOfThisFlow(calledSource);
            var awaitedLoad = new StrongBox<bool>();
            AwaitedLoads.TrackThisFlow(awaitedLoad);
            var waitedForTurn = new StrongBox<long>();
            FormWriteLocks.TrackWaitsOfThisFlow(waitedForTurn);
            var nodes = run.Nodes;
            var readRatio = run.Options.ReadRatio;
            var synchronous = 0;
            while (Volatile.Read(ref run.Stop) == 0)
            {
                if (gate is { IsOpen: false })
                {
                    // Interleaved: the other engine's slice. Parked here, between calls, until this engine's next one.
                    await gate.ParkAsync().ConfigureAwait(false);
                    continue;
                }

                var node = random.Next(nodes.Count);
                var formId = run.Zipf.Next(random);
                var read = random.NextDouble() < readRatio;
                var repository = nodes[node];
                var start = Stopwatch.GetTimestamp();
                var measured = start >= Volatile.Read(ref run.MeasureStart);
                var stats = measured ? Stats : _warmUp;
                bool completedSynchronously;
                if (read)
                {
                    calledSource.Value = false;
                    awaitedLoad.Value = false;
                    var loads = run.Source.MarkReads(formId);
                    FormSchema? value;
                    try
                    {
                        var task = repository.GetSchemaAsync(formId);
                        completedSynchronously = task.IsCompleted;
                        value = await task.ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref Stats.Errors);
                        run.RecordError($"read form {formId} on node {node}", ex);
                        continue;
                    }

                    var elapsed = Stopwatch.GetTimestamp() - start;
                    Stats.Observe(elapsed);
                    if (value is null || value.FormId != formId)
                    {
                        Stats.WrongValues++;
                        run.RecordSample($"read form {formId} on node {node} returned {(value is null ? "null" : "form " + value.FormId)}");
                        continue;
                    }

                    // Warm-up reads run the same code into the throw-away stats.
                    stats.Reads++;
                    stats.ReadLatency.RecordTicks(elapsed);
                    (calledSource.Value ? stats.ReadMissLatency : stats.ReadHitLatency).RecordTicks(elapsed);
                    if (!calledSource.Value)
                    {
                        var overlapped = run.Source.ReadOverlapped(formId, loads);
                        if (!overlapped)
                        {
                            stats.ReadNoLoadLatency.RecordTicks(elapsed);
                        }

                        if (overlapped && awaitedLoad.Value)
                        {
                            stats.ReadAwaitedLatency.RecordTicks(elapsed);
                        }
                        else
                        {
                            stats.ReadServedLatency.RecordTicks(elapsed);
                            if (!completedSynchronously)
                            {
                                stats.ReadServedAsyncLatency.RecordTicks(elapsed);
                            }
                        }
                    }

                    var check = run.Tracker.Classify(formId, value.Revision, node, start);
                    switch (check.Consistency)
                    {
                        case ReadConsistency.Stale:
                            Interlocked.Increment(ref stats.Stale);
                            if (check.SameNode)
                            {
                                stats.StaleSameNode++;
                            }

                            stats.MaxStaleTicks = Math.Max(stats.MaxStaleTicks, check.AgeTicks);
                            if (measured)
                            {
                                run.RecordSample(string.Create(CultureInfo.InvariantCulture,
                                    $"stale read: node {node} read form {formId} in {elapsed * 1000.0 / Stopwatch.Frequency:F2} ms and got r{value.Revision}; r{check.MissedRevision} had completed on node {check.MissedNode} {check.AgeTicks * 1000.0 / Stopwatch.Frequency:F1} ms before the read started" +
                                    $" (committed now: r{run.Source.CommittedRevision(formId)}; this read {(calledSource.Value ? "called" : "did not call")} the source)"));
                            }

                            break;
                        case ReadConsistency.WithinWindow:
                            stats.WithinWindow++;
                            break;
                    }
                }
                else
                {
                    var revision = run.Source.AllocateRevision(formId);
                    waitedForTurn.Value = 0;
                    try
                    {
                        var task = repository.UpdateSchemaAsync(formId, Tenant, InMemoryFormSource.CreateSchema(formId, revision));
                        completedSynchronously = task.IsCompleted;
                        await task.ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        Interlocked.Increment(ref Stats.Errors);
                        run.RecordError($"write form {formId} on node {node}", ex);
                        continue;
                    }

                    // Recorded in every phase: a write in the warm-up still makes later reads of older revisions stale.
                    var completed = run.Tracker.RecordWriteCompleted(formId, revision, node);
                    Stats.Observe(completed - start);
                    stats.Writes++;
                    stats.WriteLatency.RecordTicks(completed - start);
                    stats.WriteLatencyAfterTurn.RecordTicks(completed - start - waitedForTurn.Value);
                }

                Volatile.Write(ref Operations, Operations + 1);
                // A worker whose calls all complete synchronously (L1 hits) would never give its thread back.
                if (completedSynchronously && ++synchronous >= YieldEvery)
                {
                    synchronous = 0;
                    await Task.Yield();
                }
            }
        }
    }
}

/// <summary>The process's garbage collector counters and CPU time at one moment: the measured window's figures are the difference of
/// two (both engines run in the same process, one after the other, so each window sees only its own engine).</summary>
internal readonly record struct GcSnapshot(long AllocatedBytes, int Gen0, int Gen1, int Gen2, TimeSpan Pause, TimeSpan Cpu)
{
    public static GcSnapshot Take()
        => new(GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), Environment.CpuUsage.TotalTime);

    public static GcSnapshot operator +(GcSnapshot a, GcSnapshot b)
        => new(a.AllocatedBytes + b.AllocatedBytes, a.Gen0 + b.Gen0, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2, a.Pause + b.Pause, a.Cpu + b.Cpu);

    public static GcSnapshot operator -(GcSnapshot a, GcSnapshot b)
        => new(a.AllocatedBytes - b.AllocatedBytes, a.Gen0 - b.Gen0, a.Gen1 - b.Gen1, a.Gen2 - b.Gen2, a.Pause - b.Pause, a.Cpu - b.Cpu);
}
