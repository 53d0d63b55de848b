using BenchmarkDotNet.Running;

namespace CachedGen.GeneratorBenchmarks;

/// <summary><c>dotnet run -c Release</c> runs <see cref="GeneratorBenchmarks"/>; arguments go to BenchmarkDotNet.</summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkRunner.Run<GeneratorBenchmarks>(args: args);
}
