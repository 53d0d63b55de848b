using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>docs/generated-code.md shows the sample's decorator; it must be what the generator emits today.</summary>
public partial class GeneratedCodeDocTests
{
    [Fact]
    public void Doc_shows_the_current_output_for_the_sample()
    {
        var root = FindRoot();
        var sample = Path.Combine(root, "samples", "CachedGen.Sample");
        var sources = new[] { "IFormRepository.cs", "Models.cs" }.Select(f => File.ReadAllText(Path.Combine(sample, f))).ToArray();
        var result = GeneratorHarness.Run(sources);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var generated = Version().Replace(result.Sources.Single().Value, "GeneratedCode(\"CachedGen\", \"X\")").Replace("\r\n", "\n").TrimEnd();

        var doc = File.ReadAllText(Path.Combine(root, "docs", "generated-code.md")).Replace("\r\n", "\n");
        var start = doc.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var end = doc.IndexOf("\n```", start, StringComparison.Ordinal);
        var shown = Version().Replace(doc[start..end], "GeneratedCode(\"CachedGen\", \"X\")").TrimEnd();

        Assert.Equal(generated, shown);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CachedGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex("GeneratedCode\\(\"CachedGen\", \"[^\"]*\"\\)")]
    private static partial Regex Version();
}
