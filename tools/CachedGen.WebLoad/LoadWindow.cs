using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.WebLoad;

/// <summary>What one window of load against one app measured.</summary>
public sealed record WindowResult(long Requests, long Errors, TimeSpan Elapsed, double[] SortedMillis, double HitRatio)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p) => SortedMillis.Length == 0 ? 0 : SortedMillis[Math.Min(SortedMillis.Length - 1, (int)Math.Ceiling(p * SortedMillis.Length) - 1)];

    /// <summary>Several windows of one app as one.</summary>
    public static WindowResult Merge(IReadOnlyList<WindowResult> windows)
        => new(
            windows.Sum(w => w.Requests),
            windows.Sum(w => w.Errors),
            TimeSpan.FromTicks(windows.Sum(w => w.Elapsed.Ticks)),
            windows.SelectMany(w => w.SortedMillis).Order().ToArray(),
            windows.Average(w => w.HitRatio));
}

/// <summary>Closed-loop load: <c>concurrency</c> workers each send the next request as soon as the previous one is
/// answered, for a fixed time; every latency is kept.</summary>
public static class LoadWindow
{
    private static int _sequence;

    public static async Task<WindowResult> RunAsync(HttpClient http, Uri app, RequestMix mix, int concurrency, TimeSpan duration, int seed)
    {
        var (hitsBefore, missesBefore) = await ScrapeAsync(http, app);
        var latencies = new List<double>[concurrency];
        var errors = 0L;
        var stop = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(seed * 1000 + worker);
            var mine = latencies[worker] = new List<double>(100_000);
            while (stop.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await mix.SendAsync(http, app, random, Interlocked.Increment(ref _sequence));
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!ok)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = stop.Elapsed;
        var (hitsAfter, missesAfter) = await ScrapeAsync(http, app);
        var hits = hitsAfter - hitsBefore;
        var lookups = hits + (missesAfter - missesBefore);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new WindowResult(all.Length, errors, elapsed, all, lookups == 0 ? 0 : hits / lookups);
    }

    /// <summary>Calls served from the cache (L1 and L2) and misses so far, from the app's Prometheus endpoint.</summary>
    private static async Task<(double Hits, double Misses)> ScrapeAsync(HttpClient http, Uri app)
    {
        var text = await http.GetStringAsync(new Uri(app, "/metrics"));
        double Sum(string counter) => text.Split('\n')
            .Where(line => line.StartsWith(counter + "{", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        return (Sum("cachedgen_hits_total"), Sum("cachedgen_misses_total"));
    }
}
