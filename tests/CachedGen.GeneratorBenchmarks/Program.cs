using BenchmarkDotNet.Running;

namespace CachedGen.GeneratorBenchmarks;

/// <summary>
/// <c>dotnet run -c Release</c> runs <see cref="GeneratorBenchmarks"/>; <c>dotnet run -c Release -- compile</c> runs
/// <see cref="CompileBenchmarks"/>; <c>dotnet run -c Release -- analyzers</c> runs <see cref="AnalyzerBenchmarks"/>.
/// Other arguments go to BenchmarkDotNet.
/// </summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        switch (args.Length > 0 ? args[0] : "")
        {
            case "compile":
                BenchmarkRunner.Run<CompileBenchmarks>(args: args[1..]);
                return;
            case "analyzers":
                BenchmarkRunner.Run<AnalyzerBenchmarks>(args: args[1..]);
                return;
            default:
                BenchmarkRunner.Run<GeneratorBenchmarks>(args: args);
                return;
        }
    }
}
