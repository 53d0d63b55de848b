using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

public class SmokeTests
{
    [Fact]
    public void Dump()
    {
        var result = GeneratorHarness.Run(Sources.FormRepository);
        foreach (var (name, text) in result.Sources)
        {
            System.IO.File.WriteAllText("/tmp/gen_" + name, text);
        }

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
    }
}
