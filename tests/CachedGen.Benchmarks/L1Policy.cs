using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using BitFaster.Caching;
using BitFaster.Caching.Lfu;
using BitFaster.Caching.Lru;
using BitFaster.Caching.Scheduler;

namespace CachedGen.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- l1-policy</c>: the L1 policies CachedGen could use, on the load test's workload replayed
/// without Redis or timing (deterministic, seed 42): Zipf(1.0) over 100,000 keys, 3 nodes of 10,000 entries, reads on a
/// random node, 5 % writes that remove the key on every node (as the backplane does); then the same with a share of
/// one-off scan keys (a report or a crawler reading cold keys once); then with remote changes followed
/// (<c>FollowRemoteChanges</c>): writes that put and are followed by every node holding a copy, and invalidations whose
/// next load refreshes every stale copy. Prints each policy's L1 hit ratio over the reads after 500,000 warm-up
/// operations, then the cost of a hit (<c>TryGet</c>) of each policy in alternating batches.
/// </summary>
public static class L1Policy
{
    private const int Keys = 100_000;
    private const int Capacity = 10_000;
    private const int Nodes = 3;

    private static readonly (string Name, Func<ICache<int, object>> Create)[] Policies =
    [
        ("ConcurrentLru, default split (FavorWarmPartition 0.8)", () => new ConcurrentLru<int, object>(Capacity)),
        ("ConcurrentLru, equal hot/warm/cold (EqualCapacityPartition)", () => new ConcurrentLru<int, object>(Environment.ProcessorCount, new EqualCapacityPartition(Capacity), EqualityComparer<int>.Default)),
        ("ConcurrentLru, FavorWarmPartition 0.5", () => new ConcurrentLru<int, object>(Environment.ProcessorCount, new FavorWarmPartition(Capacity, 0.5), EqualityComparer<int>.Default)),
        ("ConcurrentLru, FavorWarmPartition 0.7", () => new ConcurrentLru<int, object>(Environment.ProcessorCount, new FavorWarmPartition(Capacity, 0.7), EqualityComparer<int>.Default)),
        ("ConcurrentLru, FavorWarmPartition 0.6", () => new ConcurrentLru<int, object>(Environment.ProcessorCount, new FavorWarmPartition(Capacity, 0.6), EqualityComparer<int>.Default)),
        ("ConcurrentLfu (W-TinyLFU)", () => new ConcurrentLfu<int, object>(1, Capacity, new ForegroundScheduler(), EqualityComparer<int>.Default)),
    ];

    public static int Run()
    {
        var cdf = new double[Keys];
        double sum = 0;
        for (var i = 0; i < Keys; i++)
        {
            sum += 1.0 / (i + 1);
            cdf[i] = sum;
        }

        for (var i = 0; i < Keys; i++)
        {
            cdf[i] /= sum;
        }

        Console.WriteLine("| Policy | Zipf(1.0) | + 20 % one-off scan keys | + 50 % one-off scan keys | Zipf(1.0), writes put and are followed | Zipf(1.0), invalidations followed at the next fill |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, create) in Policies)
        {
            var ratios = new[] { 0.0, 0.2, 0.5 }.Select(scan => HitRatio(create, cdf, scan, follow: false)).Append(HitRatio(create, cdf, 0, follow: true)).Append(FollowedInvalidations(create, cdf));
            Console.WriteLine($"| {name} | {string.Join(" | ", ratios.Select(r => r.ToString("P1", CultureInfo.InvariantCulture)))} |");
        }

        Console.WriteLine();
        Console.WriteLine("Hit ratio over the Zipf reads only (scan reads can never hit).");
        Console.WriteLine();
        HitCost();
        return 0;
    }

    private static double HitRatio(Func<ICache<int, object>> create, double[] cdf, double scanShare, bool follow)
    {
        var caches = Enumerable.Range(0, Nodes).Select(_ => create()).ToArray();
        var random = new Random(42);
        long reads = 0, hits = 0;
        var scan = Keys;
        for (var op = 0; op < 3_000_000; op++)
        {
            var node = caches[random.Next(Nodes)];
            var isScan = random.NextDouble() < scanShare;
            var key = isScan ? scan++ : Zipf(cdf, random);
            if (!isScan && random.NextDouble() < 0.05)
            {
                foreach (var cache in caches)
                {
                    if (!follow)
                    {
                        cache.TryRemove(key);
                    }
                    else if (cache == node)
                    {
                        cache.AddOrUpdate(key, key);
                    }
                    else
                    {
                        cache.TryUpdate(key, key);
                    }
                }

                continue;
            }

            var hit = node.TryGet(key, out _);
            if (!hit)
            {
                node.AddOrUpdate(key, key);
            }

            if (op >= 500_000 && !isScan)
            {
                reads++;
                hits += hit ? 1 : 0;
            }
        }

        return (double)hits / reads;
    }

    // Cold mode as CachedGen runs it when it follows changes: a write drops the writer's copy and makes the other nodes'
    // copies stale (still in L1, not served); the first load of the key after it brings the new value to every node that
    // still holds a copy (the fill's announcement).
    private static readonly object Stale = new();

    private static double FollowedInvalidations(Func<ICache<int, object>> create, double[] cdf)
    {
        var caches = Enumerable.Range(0, Nodes).Select(_ => create()).ToArray();
        var awaitingFill = new HashSet<int>();
        var random = new Random(42);
        long reads = 0, hits = 0;
        for (var op = 0; op < 3_000_000; op++)
        {
            var node = caches[random.Next(Nodes)];
            var key = Zipf(cdf, random);
            if (random.NextDouble() < 0.05)
            {
                foreach (var cache in caches)
                {
                    if (cache == node)
                    {
                        cache.TryRemove(key);
                    }
                    else
                    {
                        cache.TryUpdate(key, Stale);
                    }
                }

                awaitingFill.Add(key);
                continue;
            }

            var hit = node.TryGet(key, out var value) && value != Stale;
            if (!hit)
            {
                node.AddOrUpdate(key, key);
                if (awaitingFill.Remove(key))
                {
                    foreach (var cache in caches)
                    {
                        cache.TryUpdate(key, key);
                    }
                }
            }

            if (op >= 500_000)
            {
                reads++;
                hits += hit ? 1 : 0;
            }
        }

        return (double)hits / reads;
    }

    private static int Zipf(double[] cdf, Random random)
    {
        var i = Array.BinarySearch(cdf, random.NextDouble());
        return i < 0 ? ~i : i;
    }

    private static void HitCost()
    {
        var lru = new ConcurrentLru<int, object>(Environment.ProcessorCount, new EqualCapacityPartition(Capacity), EqualityComparer<int>.Default);
        var lfu = new ConcurrentLfu<int, object>(Capacity);
        for (var i = 0; i < 1_000; i++)
        {
            lru.AddOrUpdate(i, i);
            lfu.AddOrUpdate(i, i);
        }

        var ratios = new List<double>();
        double lruNs = 0, lfuNs = 0;
        for (var round = -1; round < 10; round++)
        {
            var a = Time(k => lru.TryGet(k, out _));
            var b = Time(k => lfu.TryGet(k, out _));
            if (round >= 0)
            {
                ratios.Add(b / a);
                lruNs += a / 10;
                lfuNs += b / 10;
            }
        }

        ratios.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"TryGet hit, 10 alternating rounds of 5,000,000: ConcurrentLru {lruNs:F1} ns, ConcurrentLfu {lfuNs:F1} ns; LFU/LRU median {ratios[ratios.Count / 2]:F2} (range {ratios[0]:F2}–{ratios[^1]:F2})."));
    }

    private static double Time(Func<int, bool> tryGet)
    {
        const int Calls = 5_000_000;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < Calls; i++)
        {
            tryGet(i & 511);
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / Calls;
    }
}
