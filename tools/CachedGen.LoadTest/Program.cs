using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.LoadTest;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadTestOptions? options;
        try
        {
            options = LoadTestOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (options is null)
        {
            await Console.Out.WriteLineAsync(LoadTestOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        // Workers whose calls complete synchronously hold their thread for a while; enough threads up front keeps
        // thread injection delays out of the latencies.
        ThreadPool.GetMinThreads(out var workerThreads, out var ioThreads);
        ThreadPool.SetMinThreads(Math.Max(workerThreads, (2 * options.EffectiveConcurrency) + 4), ioThreads);

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };

        LoadTestResult result;
        try
        {
            result = await LoadTestRunner.RunAsync(options, Console.Out, progressInPlace: !Console.IsOutputRedirected, cts.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        await Console.Out.WriteLineAsync().ConfigureAwait(false);
        await Console.Out.WriteLineAsync(Report.ToMarkdown(result)).ConfigureAwait(false);
        if (options.JsonPath is { } path)
        {
            var json = JsonSerializer.Serialize(result, JsonOptions);
            await File.WriteAllTextAsync(path, json).ConfigureAwait(false);
            await Console.Out.WriteLineAsync("Results written to " + Path.GetFullPath(path)).ConfigureAwait(false);
        }

        await Console.Out.WriteLineAsync(result.InvariantsHold ? "Invariants hold." : "INVARIANTS VIOLATED (see errors / stale reads above).").ConfigureAwait(false);
        if (result.InvariantsHold && result.Engines.Any(e => !e.InvariantsHold))
        {
            await Console.Out.WriteLineAsync("(The FusionCache baseline violated them; that does not decide the exit code beside CachedGen.)").ConfigureAwait(false);
        }
        return result.InvariantsHold ? 0 : 1;
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
