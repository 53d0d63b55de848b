using BenchmarkDotNet.Running;

namespace CachedGen.GeneratorBenchmarks;

/// <summary>
/// <c>dotnet run -c Release</c> runs <see cref="GeneratorBenchmarks"/>; <c>dotnet run -c Release -- compile</c> runs
/// <see cref="CompileBenchmarks"/>. Other arguments go to BenchmarkDotNet.
/// </summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compile")
        {
            BenchmarkRunner.Run<CompileBenchmarks>(args: args[1..]);
            return;
        }

        BenchmarkRunner.Run<GeneratorBenchmarks>(args: args);
    }
}
