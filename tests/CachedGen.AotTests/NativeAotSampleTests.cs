using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.AotTests;

/// <summary>
/// The sample published with <c>PublishAot=true</c>: the publish reports no trim or AOT warning that names CachedGen,
/// and the native binary runs misses, L1 hits, L2 hits on a second node, a key invalidation and a tag invalidation
/// against a real redis-server, with the formatters the generator wrote (no code is generated at run time): for a plain
/// interface, and for a generic repository closed by a derived interface whose entity is created through a private
/// constructor and has private setters, a get-only auto-property and read-only fields (set by [UnsafeAccessor]s).
/// </summary>
public sealed class NativeAotSampleTests(ITestOutputHelper output)
{
    internal static readonly string Root = FindRoot();

    [Fact]
    public async Task The_published_sample_runs_against_real_redis_without_a_CachedGen_trim_or_AOT_warning()
    {
        var outputDirectory = Path.Combine(Root, "artifacts", "aot", "sample");
        var started = Stopwatch.GetTimestamp();
        var (exitCode, log) = await RunAsync("dotnet", $"publish samples/CachedGen.AotSample -c Release -r linux-x64 -o \"{outputDirectory}\"", TimeSpan.FromMinutes(30));
        output.WriteLine($"publish: {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
        Assert.True(exitCode == 0, log);

        // ILxxxx warnings of the trimmer and the AOT compiler; MessagePack's are summed up per assembly (IL2104, IL3053).
        var warnings = log.Split('\n')
            .Select(line => Regex.Replace(line.Trim(), @"\s*\[[^\]]*\.csproj[^\]]*\]$", ""))
            .Where(line => Regex.IsMatch(line, @"warning IL[23]\d{3}"))
            .Distinct()
            .ToList();
        foreach (var warning in warnings)
        {
            output.WriteLine(warning);
        }

        Assert.DoesNotContain(warnings, w => w.Contains("'CachedGen", StringComparison.Ordinal) || w.Contains("/src/CachedGen", StringComparison.Ordinal) || w.Contains("CachedGen.AotSample", StringComparison.Ordinal));

        await using var redis = await RedisServer.StartAsync();
        var binary = Path.Combine(outputDirectory, "CachedGen.AotSample");
        var (code, text) = await RunAsync(binary, redis.Endpoint, TimeSpan.FromMinutes(2));
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("mode: native-aot", text, StringComparison.Ordinal);
        foreach (var check in new[]
        {
            "ok: options from configuration", "ok: miss calls the source", "ok: L1 hit", "ok: L2 hit on the second node", "ok: list miss then L2 hit",
            "ok: key invalidation reaches the second node", "ok: key invalidation on the writing node",
            "ok: tag invalidation on the writing node", "ok: tag invalidation reaches the first node",

            // The generic repository closed by ICustomerRepository, over a DDD entity read back through [UnsafeAccessor]s.
            "ok: customer repository decorated", "ok: customer miss calls the source", "ok: customer L1 hit",
            "ok: customer L2 hit on the second node with every member", "ok: customer list miss then L2 hit",
            "ok: customer key invalidation reaches the second node", "ok: customer key invalidation on the writing node",
            "ok: customer tag invalidation on the writing node", "ok: customer tag invalidation reaches the first node",
            "ok: typed id: miss then L1 hit", "ok: typed id: L2 hit on the second node",
            "ok: typed id: batch read shares the single read's entries", "ok: typed id: tag invalidation on the writing node",
            "ok: typed id: tag invalidation reaches the second node",
            "aot-sample: all checks passed",
        })
        {
            Assert.Contains(check, text, StringComparison.Ordinal);
        }
    }

    /// <summary>The same sample trimmed without Native AOT (<c>PublishTrimmed</c>, self-contained, the JIT): under the JIT
    /// the runtime's warm-up of a decorator's methods runs, which the AOT publish leaves out, and it must not make the
    /// trimmer warn about CachedGen either (IL2104 names an assembly whose code warned).</summary>
    [Fact]
    public async Task The_sample_trimmed_without_AOT_runs_without_a_CachedGen_trim_warning()
    {
        var outputDirectory = Path.Combine(Root, "artifacts", "aot", "trimmed");
        var (exitCode, log) = await RunAsync("dotnet", $"publish samples/CachedGen.AotSample -c Release -r linux-x64 -p:TrimmedSample=true -o \"{outputDirectory}\"", TimeSpan.FromMinutes(30));
        Assert.True(exitCode == 0, log);
        var warnings = log.Split('\n').Where(line => Regex.IsMatch(line, @"(warning|error) IL[23]\d{3}")).Distinct().ToList();
        foreach (var warning in warnings)
        {
            output.WriteLine(warning.Trim());
        }

        Assert.DoesNotContain(warnings, w => w.Contains("'CachedGen", StringComparison.Ordinal) || w.Contains("/src/CachedGen", StringComparison.Ordinal));

        await using var redis = await RedisServer.StartAsync();
        var (code, text) = await RunAsync(Path.Combine(outputDirectory, "CachedGen.AotSample"), redis.Endpoint, TimeSpan.FromMinutes(2));
        output.WriteLine(text);
        Assert.True(code == 0, text);
        Assert.Contains("mode: jit", text, StringComparison.Ordinal);
        Assert.Contains("aot-sample: all checks passed", text, StringComparison.Ordinal);
    }

    internal static async Task<(int ExitCode, string Output)> RunAsync(string file, string arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var text = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(timeout)) != exited)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {arguments} did not finish within {timeout}");
        }

        text.Append(await stdout).Append(await stderr);
        return (process.ExitCode, text.ToString());
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CachedGen.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("CachedGen.sln not found above " + AppContext.BaseDirectory);
    }
}
