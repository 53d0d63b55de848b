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
/// An application with a generic <c>[Cached]</c> repository (<c>GenericConsumer/</c>): its generated decorator is not
/// trim-safe, so CachedGen suppresses nothing about it and the application's own trim and AOT analyzers report it, in
/// the generated file; built as an ordinary JIT application it has no warning at all.
/// </summary>
public sealed class GenericRepositoryWarningTests(ITestOutputHelper output)
{
    private const string Project = "tests/CachedGen.AotTests/GenericConsumer/GenericConsumer.csproj";

    [Fact]
    public async Task A_generic_repository_builds_without_warnings_under_the_JIT_and_is_reported_by_the_AOT_analyzers()
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

        // Closing CachedRepository<> for the closed registration IRepository<Order> is dynamic code ...
        Assert.Contains(warnings, w => w.Contains("IRepository`1.g.cs", StringComparison.Ordinal)
            && w.Contains("warning IL3050: Using member 'Shop.CachedRepositoryRegistration.Close(Type[])'", StringComparison.Ordinal)
            && w.Contains("AddCachedGen closes CachedRepository over the type arguments", StringComparison.Ordinal));

        // ... and the decorator reads its type argument's members by reflection for the shape fingerprint.
        Assert.Contains(warnings, w => w.Contains("IRepository`1.g.cs", StringComparison.Ordinal)
            && w.Contains("warning IL2026: Using member 'Shop.CachedRepository<TEntity>.CachedRepository(", StringComparison.Ordinal)
            && w.Contains("CachedRepository computes the shape fingerprint", StringComparison.Ordinal));

        // Nothing else: CachedGen itself builds clean under the same analyzers.
        Assert.All(warnings, w => Assert.Matches(@"IRepository`1\.g\.cs\(\d+,\d+\): warning IL(2026|3050):", w));
    }

    /// <summary>The distinct compiler and analyzer warnings of a build log, without the project suffix.</summary>
    private static string[] Warnings(string log)
        => log.Split('\n')
            .Select(line => Regex.Replace(line.Trim(), @"\s*\[[^\]]*\.csproj[^\]]*\]$", ""))
            .Where(line => Regex.IsMatch(line, @": warning [A-Z]+\d+"))
            .Distinct()
            .ToArray();
}
