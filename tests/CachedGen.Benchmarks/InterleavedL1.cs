using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CachedGen.Benchmarks;

/// <summary>
/// The L1-hit rows of <see cref="L1HitBenchmarks"/> in alternating batches on one thread (the order rotates each round),
/// each compared with the <c>ConcurrentLru.TryGet</c> batch of the same round: on a shared machine whose load drifts
/// from second to second, BenchmarkDotNet's rows (one after the other, minutes apart) cannot give the ratio of two of
/// them, this can. FusionCache's meter is static, so its listener is switched on only around the batches of the
/// "its meter listened to" row.
/// </summary>
public static class InterleavedL1
{
    private const string FusionMeterName = "ZiggyCreatures.Caching.Fusion";

    public static int Run(int rounds = 300, int callsPerBatch = 20_000)
    {
        var rows = new L1HitBenchmarks();
        rows.Setup();
        var fusionInstruments = new List<Instrument>();
        using var fusionListener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == FusionMeterName)
                {
                    fusionInstruments.Add(instrument);
                }
            },
        };
        fusionListener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
        fusionListener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
        fusionListener.SetMeasurementEventCallback<int>(static (_, _, _, _) => { });
        fusionListener.Start();
        rows.FusionCacheMemory();
        if (fusionInstruments.Count == 0)
        {
            throw new InvalidOperationException("FusionCache published no instrument.");
        }

        (string Name, Func<object?> Call, bool FusionObserved)[] all =
        [
            ("BitFaster ConcurrentLru.TryGet (baseline)", rows.BitFasterTryGet, false),
            ("CachedGen decorator L1 hit", rows.CachedGenL1, false),
            ("CachedGen L1 hit, every instrument listened to", rows.CachedGenL1Observed, false),
            ("FusionCache GetOrSetAsync memory hit", rows.FusionCacheMemory, false),
            ("FusionCache memory hit, its meter listened to", rows.FusionCacheMemory, true),
        ];

        var nanos = all.Select(_ => new List<double>()).ToArray();
        var bytes = all.Select(_ => new List<double>()).ToArray();
        var ratios = all.Select(_ => new List<double>()).ToArray();
        var observedOverPlain = new List<double>();
        // One batch of row p: its ns per call and bytes per call.
        (double Nanos, double Bytes) RunBatch(int p)
        {
            var (_, call, fusionObserved) = all[p];
            foreach (var instrument in fusionInstruments)
            {
                if (fusionObserved)
                {
                    fusionListener.EnableMeasurementEvents(instrument);
                }
                else
                {
                    fusionListener.DisableMeasurementEvents(instrument);
                }
            }

            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < callsPerBatch; i++)
            {
                call();
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            return (elapsed.TotalNanoseconds / callsPerBatch, allocated / (double)callsPerBatch);
        }

        Console.WriteLine(JitWarmUp.UntilQuiet(() =>
        {
            for (var p = 0; p < all.Length; p++)
            {
                RunBatch(p);
            }
        }));

        for (var round = 0; round < rounds; round++)
        {
            var roundNanos = new double[all.Length];
            for (var slot = 0; slot < all.Length; slot++)
            {
                var p = (slot + round) % all.Length;
                (roundNanos[p], var perCall) = RunBatch(p);
                nanos[p].Add(roundNanos[p]);
                bytes[p].Add(perCall);
            }

            for (var p = 0; p < all.Length; p++)
            {
                ratios[p].Add(roundNanos[p] / roundNanos[0]);
            }

            observedOverPlain.Add(roundNanos[2] / roundNanos[1]);
        }

        rows.Cleanup();
        var table = new StringBuilder();
        table.AppendLine("| Row | Median ns/call | p25–p75 ns/call | B/call | Ratio to TryGet |");
        table.AppendLine("|---|---:|---:|---:|---:|");
        for (var p = 0; p < all.Length; p++)
        {
            table.AppendLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {all[p].Name} | {Median(nanos[p]):0.0} | {Percentile(nanos[p], 0.25):0.0}–{Percentile(nanos[p], 0.75):0.0} | {Median(bytes[p]):0} | {Median(ratios[p]):0.00} |"));
        }

        Console.WriteLine(table.ToString());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CachedGen listened to / not listened to, same round: median {Median(observedOverPlain):0.00} (p25–p75 {Percentile(observedOverPlain, 0.25):0.00}–{Percentile(observedOverPlain, 0.75):0.00}); {rounds} rounds x {callsPerBatch:N0} calls per row."));
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
}
