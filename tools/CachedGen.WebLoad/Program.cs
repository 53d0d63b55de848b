using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using CachedGen.LoadTest;
using CachedGen.WebLoad;

// dotnet build samples/CachedGen.WebApi -c Release
// dotnet run --project tools/CachedGen.WebLoad -c Release [-- --seconds 10 --rounds 3 --concurrency 16 --redis host:port --app path/to/CachedGen.WebApi.dll]
var seconds = 10;
var rounds = 3;
var concurrency = 16;
string? redis = null;
string? appDll = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--concurrency": concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--redis": redis = args[++i]; break;
        case "--app": appDll = args[++i]; break;
        default:
            Console.Error.WriteLine("usage: CachedGen.WebLoad [--seconds N] [--rounds N] [--concurrency N] [--redis host:port] [--app CachedGen.WebApi.dll]");
            return 2;
    }
}

appDll ??= FindSample();
if (appDll is null || !File.Exists(appDll))
{
    Console.Error.WriteLine("Build the sample first (dotnet build samples/CachedGen.WebApi -c Release) or pass --app path/to/CachedGen.WebApi.dll.");
    return 2;
}

using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(10) });
await using var ownRedis = redis is null ? await RedisProcess.StartAsync() : null;
redis ??= ownRedis!.Endpoint;

Console.WriteLine($"app: {appDll}");
Console.WriteLine($"redis: {redis}{(ownRedis is null ? "" : " (private redis-server)")}; {concurrency} workers; {rounds} rounds of {seconds} s per app, interleaved");
await using var off = await SampleApp.StartAsync("off", appDll, cachedGen: false, redis: null, http);
await using var l1 = await SampleApp.StartAsync("l1", appDll, cachedGen: true, redis: null, http);
await using var l2 = await SampleApp.StartAsync("redis", appDll, cachedGen: true, redis, http);
var apps = new[] { (Label: "without CachedGen (kill switch)", App: off), (Label: "CachedGen, L1 only", App: l1), (Label: "CachedGen, L1 + Redis", App: l2) };
var mix = await RequestMix.DiscoverAsync(http, off.BaseAddress);

// Warm-up: JIT, connection pools, the first fills. Not measured.
foreach (var (_, app) in apps)
{
    await LoadWindow.RunAsync(http, app.BaseAddress, mix, concurrency, TimeSpan.FromSeconds(3), seed: 0);
}

var results = apps.ToDictionary(a => a.Label, _ => new List<WindowResult>());
for (var round = 1; round <= rounds; round++)
{
    foreach (var (label, app) in apps)
    {
        var window = await LoadWindow.RunAsync(http, app.BaseAddress, mix, concurrency, TimeSpan.FromSeconds(seconds), seed: round);
        results[label].Add(window);
        Console.WriteLine($"round {round}, {label}: {window.RequestsPerSecond:0} req/s, p99 {window.Percentile(0.99):0.00} ms, {window.Errors} errors");
    }
}

Console.WriteLine();
Console.WriteLine("| Configuration | Requests/s | p50 | p99 | Hit ratio | Errors |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|");
var baseline = WindowResult.Merge(results[apps[0].Label]).RequestsPerSecond;
foreach (var (label, _) in apps)
{
    var r = WindowResult.Merge(results[label]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {label} | {r.RequestsPerSecond:0} ({r.RequestsPerSecond / baseline:0.00}×) | {r.Percentile(0.50):0.00} ms | {r.Percentile(0.99):0.00} ms | {r.HitRatio:P1} | {r.Errors} |"));
}

return results.Values.Sum(w => w.Sum(x => x.Errors)) == 0 ? 0 : 1;

// samples/CachedGen.WebApi/bin/Release/net10.0/CachedGen.WebApi.dll above the current directory.
static string? FindSample()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "CachedGen.sln")))
        {
            return Path.Combine(dir.FullName, "samples", "CachedGen.WebApi", "bin", "Release", "net10.0", "CachedGen.WebApi.dll");
        }
    }

    return null;
}
