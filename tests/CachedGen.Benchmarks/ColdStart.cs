using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace CachedGen.Benchmarks;

/// <summary>
/// The first calls of a fresh process: <c>cold-start [runs]</c> starts, per run and per library, a new process
/// (<c>cold-child</c>) that connects two nodes to Redis and times, once each, the first miss on one node (source call,
/// Redis write), the first hit after it on the same node (L1), and the first read of that entry on the other node (an
/// L2 hit). Connecting is not timed; setting up the first node (the library's objects) is. Native AOT: the published
/// <c>samples/CachedGen.AotSample</c> (when <c>artifacts/aot/sample</c> holds it) times the same three calls. Prints the
/// median of each column.
/// </summary>
internal static class ColdStart
{
    private static readonly string[] Libraries = ["CachedGen", "FusionCache", "HybridCache"];

    public static async Task<int> RunAsync(int runs)
    {
        var results = new Dictionary<string, List<(double Setup, double Miss, double Hit, double L2)>>();
        var self = typeof(ColdStart).Assembly.Location;
        var aot = FindAotSample();
        for (var run = 0; run < runs; run++)
        {
            // Interleaved: each run starts every library once, so machine noise spreads over all of them.
            foreach (var library in Libraries)
            {
                var text = await RunProcessAsync("dotnet", $"\"{self}\" cold-child {library} {L2Paths.Endpoint}").ConfigureAwait(false);
                Add(results, library + " (JIT)", Parse(text, "cold:"));
            }

            if (aot is not null)
            {
                var text = await RunProcessAsync(aot, L2Paths.Endpoint).ConfigureAwait(false);
                Add(results, "CachedGen (Native AOT sample)", ParseSample(text));
            }
        }

        Console.WriteLine($"| Library | first node set up (µs) | first miss (µs) | first hit after it (µs) | first L2 hit, other node (µs) |   ({runs} fresh processes each, median)");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, rows) in results)
        {
            var setup = rows.Any(r => double.IsNaN(r.Setup)) ? "–" : Median(rows.Select(r => r.Setup)).ToString("F0", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {name} | {setup} | {Median(rows.Select(r => r.Miss)):F0} | {Median(rows.Select(r => r.Hit)):F0} | {Median(rows.Select(r => r.L2)):F0} |");
        }

        return 0;
    }

    /// <summary>One fresh process: two nodes of <paramref name="library"/>, three timed calls.</summary>
    public static async Task<int> ChildAsync(string library, string endpoint)
    {
        var prefix = "cold:" + Guid.NewGuid().ToString("N")[..8] + ":";
        var first = await ConnectionMultiplexer.ConnectAsync(endpoint).ConfigureAwait(false);
        var second = await ConnectionMultiplexer.ConnectAsync(endpoint).ConfigureAwait(false);
        var source = new InMemoryItemRepository();
        Func<ValueTask<ItemDto?>> a, b;
        // The first node's set-up (the library's objects, not the connection) is timed: a library may move first-call
        // work there (CachedGen's decorator compiles its methods under the JIT), and this column shows what it costs.
        var setupStart = Stopwatch.GetTimestamp();
        double setup;
        switch (library)
        {
            case "CachedGen":
                var nodeA = new CachedItemRepository(source, new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix }, first));
                setup = Stopwatch.GetElapsedTime(setupStart).TotalMicroseconds;
                var nodeB = new CachedItemRepository(source, new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix }, second));
                a = () => ((IItemRepository)nodeA).GetAsync(1);
                b = () => ((IItemRepository)nodeB).GetAsync(1);
                break;
            case "FusionCache":
                var fusionA = Fusion(first, prefix);
                setup = Stopwatch.GetElapsedTime(setupStart).TotalMicroseconds;
                var fusionB = Fusion(second, prefix);
                var entry = new FusionCacheEntryOptions(TimeSpan.FromMinutes(10));
                a = () => fusionA.GetOrSetAsync<ItemDto?>("item:1", (_, ct) => source.GetAsync(1, ct).AsTask(), options: entry);
                b = () => fusionB.GetOrSetAsync<ItemDto?>("item:1", (_, ct) => source.GetAsync(1, ct).AsTask(), options: entry);
                break;
            case "HybridCache":
                var hybridA = Hybrid(first, prefix);
                setup = Stopwatch.GetElapsedTime(setupStart).TotalMicroseconds;
                var hybridB = Hybrid(second, prefix);
                var options = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10) };
                a = () => hybridA.GetOrCreateAsync("item:1", source, static (s, ct) => s.GetAsync(1, ct), options);
                b = () => hybridB.GetOrCreateAsync("item:1", source, static (s, ct) => s.GetAsync(1, ct), options);
                break;
            default:
                Console.Error.WriteLine("unknown library " + library);
                return 2;
        }

        var miss = await TimeAsync(a).ConfigureAwait(false);
        var hit = await TimeAsync(a).ConfigureAwait(false);
        // HybridCache (and FusionCache, unless told otherwise) writes L2 in the background after answering: time the
        // other node's read once the entry is in Redis, so every library's third call is an L2 hit.
        await WaitForEntryAsync(first, prefix).ConfigureAwait(false);
        var l2 = await TimeAsync(b).ConfigureAwait(false);
        if (source.Calls != 1)
        {
            Console.Error.WriteLine($"{library}: the source was called {source.Calls} times, expected once");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cold: {setup:F1} {miss:F1} {hit:F1} {l2:F1}"));
        return 0;
    }

    private static async Task WaitForEntryAsync(IConnectionMultiplexer redis, string prefix)
    {
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (!server.Keys(pattern: prefix + "*").Any() && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1).ConfigureAwait(false); // polling for the background write; not timed
        }
    }

    private static FusionCache Fusion(IConnectionMultiplexer redis, string prefix)
    {
        var connection = Task.FromResult(redis);
        var l2 = new RedisCache(Options.Create(new RedisCacheOptions { ConnectionMultiplexerFactory = () => connection, InstanceName = prefix + "fc:" }));
        var fusion = new FusionCache(new FusionCacheOptions());
        fusion.SetupDistributedCache(l2, new MessagePackFusionCacheSerializer());
        return fusion;
    }

    private static HybridCache Hybrid(IConnectionMultiplexer redis, string prefix)
    {
        var connection = Task.FromResult(redis);
        var services = new ServiceCollection();
        services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => connection;
            o.InstanceName = prefix + "hc:";
        });
        services.AddHybridCache().AddSerializerFactory(new MessagePackHybridCacheSerializerFactory());
        return services.BuildServiceProvider().GetRequiredService<HybridCache>();
    }

    private static async Task<double> TimeAsync(Func<ValueTask<ItemDto?>> call)
    {
        var start = Stopwatch.GetTimestamp();
        var item = await call().ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        return item?.Id == 1 ? elapsed : throw new InvalidOperationException("wrong item");
    }

    private static (double, double, double, double) Parse(string text, string marker)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(marker, StringComparison.Ordinal));
        var parts = line[marker.Length..].Trim().Split(' ').Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        return (parts[0], parts[1], parts[2], parts[3]);
    }

    // The AOT sample does not time its set-up (nothing is compiled at run time there).
    private static (double, double, double, double) ParseSample(string text)
    {
        double Read(string label) => double.Parse(text.Split('\n').Single(l => l.StartsWith("time: " + label + " ", StringComparison.Ordinal)).Split(' ')[^2], CultureInfo.InvariantCulture);
        return (double.NaN, Read("first miss"), Read("first L1 hit"), Read("first L2 hit"));
    }

    private static void Add(Dictionary<string, List<(double, double, double, double)>> results, string name, (double, double, double, double) row)
    {
        if (!results.TryGetValue(name, out var rows))
        {
            results[name] = rows = [];
        }

        rows.Add(row);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string? FindAotSample()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var binary = Path.Combine(directory.FullName, "artifacts", "aot", "sample", "CachedGen.AotSample");
            if (File.Exists(binary))
            {
                return binary;
            }
        }

        return null;
    }

    private static async Task<string> RunProcessAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = await process.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        var error = await process.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{file} {arguments} exited with {process.ExitCode}: {output}{error}");
    }
}
