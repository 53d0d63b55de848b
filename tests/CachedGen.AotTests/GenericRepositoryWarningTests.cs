using System;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

// Both test classes build src/CachedGen with dotnet: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CachedGen.AotTests;

/// <summary>
/// An application with a generic <c>[Cached]</c> repository registered closed (<c>GenericConsumer/</c>): built as an
/// ordinary JIT application it has no warning at all (CG0020 is Info there); built as an application published with
/// Native AOT, CG0020 warns on each cached method whose value is built from the type parameters, and nothing else does:
/// the generic decorator is not registered in such a build, so no trim or AOT warning comes from generated code.
/// </summary>
public sealed class GenericRepositoryWarningTests(ITestOutputHelper output)
{
    private const string Project = "tests/CachedGen.AotTests/GenericConsumer/GenericConsumer.csproj";

    [Fact]
    public async Task A_generic_repository_builds_without_warnings_under_the_JIT_and_gets_CG0020_warnings_under_AOT()
    {
        var (jitCode, jitLog) = await NativeAotSampleTests.RunAsync("dotnet", $"build {Project} -c Release -warnaserror --no-incremental", TimeSpan.FromMinutes(10));
        Assert.True(jitCode == 0, jitLog);
        Assert.Empty(Warnings(jitLog));

        var (aotCode, aotLog) = await NativeAotSampleTests.RunAsync("dotnet", $"build {Project} -c Release -p:Aot=true -p:TreatWarningsAsErrors=false --no-incremental", TimeSpan.FromMinutes(10));
        Assert.True(aotCode == 0, aotLog);
        var warnings = Warnings(aotLog);
        foreach (var warning in warnings)
        {
            output.WriteLine(warning);
        }

        // The package's build/CachedGen.props makes PublishAot visible to the analyzers: CG0020 is a warning here, on
        // both methods whose value is built from TEntity ...
        Assert.Contains(warnings, w => w.Contains("Program.cs", StringComparison.Ordinal) && w.Contains("warning CG0020: CachedGen writes no MessagePack formatter for the value of 'GetAsync': the result is 'TEntity'", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("Program.cs", StringComparison.Ordinal) && w.Contains("warning CG0020: CachedGen writes no MessagePack formatter for the value of 'PageAsync': the result is 'Page<TEntity>'", StringComparison.Ordinal));

        // ... and nothing else: the generated generic decorator is not registered, so neither IL2026 nor IL3050.
        Assert.All(warnings, w => Assert.Contains("warning CG0020:", w, StringComparison.Ordinal));
        Assert.Equal(2, warnings.Length);
    }

    /// <summary>The distinct compiler and analyzer warnings of a build log, without the project suffix.</summary>
    private static string[] Warnings(string log)
        => log.Split('\n')
            .Select(line => Regex.Replace(line.Trim(), @"\s*\[[^\]]*\.csproj[^\]]*\]$", ""))
            .Where(line => Regex.IsMatch(line, @": warning [A-Z]+\d+"))
            .Distinct()
            .ToArray();
}
