using System;
using System.Globalization;
using System.Threading.Tasks;
using BenchmarkDotNet.Running;

namespace CachedGen.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- l1</c>, <c>-- l1-interleaved [rounds] [callsPerBatch]</c>, <c>-- l1-policy</c>, <c>-- l2</c>, <c>-- interleaved [rounds] [callsPerBatch]</c>,
/// <c>-- l2-alone row seconds</c> (one L2 row alone, after the JIT warm-up, for a profiler), <c>-- cold-start [runs]</c> (<see cref="ColdStart"/>),
/// <c>-- batch</c>, <c>-- batch-commands [rounds]</c>; anything else goes to
/// BenchmarkDotNet's switcher (for example <c>-- --filter *L1*</c>).
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : "")
        {
            case "l1":
                BenchmarkRunner.Run<L1HitBenchmarks>(args: args[1..]);
                return 0;
            case "l2":
                BenchmarkRunner.Run<L2HitBenchmarks>(args: args[1..]);
                return 0;
            case "l1-policy":
                return L1Policy.Run();
            case "l1-interleaved":
                return InterleavedL1.Run(
                    args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300,
                    args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20_000);
            case "cold-start":
                return await ColdStart.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7).ConfigureAwait(false);
            case "cold-child":
                return await ColdStart.ChildAsync(args[1], args[2]).ConfigureAwait(false);
            case "batch":
                BenchmarkRunner.Run<BatchBenchmarks>(args: args[1..]);
                return 0;
            case "batch-commands":
                await using (var paths = await BatchPaths.CreateAsync().ConfigureAwait(false))
                {
                    var batchRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 11;
                    foreach (var (name, sent, processed, sources, ratio, ms, bytes) in await paths.MeasureAsync(batchRounds).ConfigureAwait(false))
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-36} ratio {ratio,6:0.00}  {ms,8:0.00} ms  {bytes,10:N0} B  {sent,6:0.0} sent  {processed,6:0.0} processed  {sources,5:0.0} source calls (per 100 ids)"));
                    }
                }

                return 0;
            case "l2-alone":
                return await InterleavedL2.RunAloneAsync(
                    int.Parse(args[1], CultureInfo.InvariantCulture),
                    TimeSpan.FromSeconds(double.Parse(args[2], CultureInfo.InvariantCulture))).ConfigureAwait(false);
            case "interleaved":
                var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 40;
                var calls = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
                return await InterleavedL2.RunAsync(rounds, calls).ConfigureAwait(false);
            default:
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
                return 0;
        }
    }
}
