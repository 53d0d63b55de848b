using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>
/// The randomized consistency check of docs/consistency.md: workers read and write random widgets through random nodes,
/// with random pauses, against a source of truth that versions every widget. A read is stale when it returns a revision
/// older than a write that completed before the read started, on the same node, or more than the backplane's delivery
/// bound (250 ms) before it on another node. Fails on one stale read, or on more than 1 % failed invalidations.
/// </summary>
internal static class RandomizedConsistency
{
    public const int Keys = 40;
    public const int Operations = 12_000;
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    public static async Task RunAsync(
        WidgetSource source,
        IReadOnlyList<(IWidgetRepository Repository, CacheRuntime Runtime)> nodes,
        Func<IWidgetRepository, int, Task<Widget?>> read,
        Func<IWidgetRepository, int, string, Task> write,
        ITestOutputHelper output)
    {
        var recorders = nodes.Select(n => new Recorder(n.Runtime.Metrics.Meter)).ToList();

        // Every completed write: its revision, its node, and when it completed.
        var writes = Enumerable.Range(0, Keys).Select(_ => new ConcurrentQueue<(int Revision, int Node, long At)>()).ToArray();
        var writeLocks = Enumerable.Range(0, Keys).Select(_ => new SemaphoreSlim(1)).ToArray();
        var stale = new ConcurrentQueue<string>();
        var done = 0;
        var reads = 0;
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var random = new Random(1000 + w);
            while (Interlocked.Increment(ref done) <= Operations)
            {
                var n = random.Next(nodes.Count);
                var id = random.Next(Keys);
                if (random.Next(10) == 0)
                {
                    await writeLocks[id].WaitAsync(); // one write per widget at a time, so each has a known revision
                    try
                    {
                        await write(nodes[n].Repository, id, $"w{w}");
                        writes[id].Enqueue((source.RevisionOf(id), n, Stopwatch.GetTimestamp()));
                    }
                    finally
                    {
                        writeLocks[id].Release();
                    }
                }
                else
                {
                    var started = Stopwatch.GetTimestamp();
                    var required = 0;
                    foreach (var (revision, node, at) in writes[id])
                    {
                        if (at < started && (node == n || Stopwatch.GetElapsedTime(at, started) > Window))
                        {
                            required = Math.Max(required, revision);
                        }
                    }

                    var widget = await read(nodes[n].Repository, id);
                    Interlocked.Increment(ref reads);
                    if (widget!.Revision < required)
                    {
                        stale.Enqueue($"node {n} read widget {id} at revision {widget.Revision}, after revision {required} was written and invalidated");
                    }
                }

                if (random.Next(50) == 0)
                {
                    await Task.Delay(random.Next(3)); // random interleaving of the operations, part of the scenario
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await BackgroundFills.LandedAsync(nodes.Select(n => n.Runtime).ToArray()); // the fill counters are complete

        var invalidations = recorders.Sum(r => r.Tags("cachedgen.invalidations").Count(t => Equals(t["kind"], "local") || Equals(t["kind"], "tag")));
        var failures = recorders.Sum(r => r.Sum("cachedgen.invalidation.failures"));
        var discarded = recorders.Sum(r => r.Sum("cachedgen.fills.discarded"));
        output.WriteLine($"{Operations} operations on {nodes.Count} nodes ({reads} reads, {invalidations} invalidations): {stale.Count} stale reads; " +
                         $"invalidation success {100.0 * (invalidations - failures) / Math.Max(1, invalidations):F2} % ({failures} failed); " +
                         $"{discarded} fills discarded because a write came in during the load");
        foreach (var recorder in recorders)
        {
            recorder.Dispose();
        }

        Assert.True(stale.IsEmpty, string.Join(Environment.NewLine, stale.Take(10)));
        Assert.True(invalidations > 500, $"only {invalidations} invalidations");
        // The risk analysis's floor is 99 %; a failure here is an invalidation over its 100 ms budget on a loaded machine.
        Assert.True(failures <= invalidations / 100, $"{failures} of {invalidations} invalidations failed");
    }
}
