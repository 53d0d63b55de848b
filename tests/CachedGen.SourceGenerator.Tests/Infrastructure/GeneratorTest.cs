using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace CachedGen.SourceGenerator.Tests.Infrastructure;

/// <summary>
/// <see cref="CSharpSourceGeneratorTest{TSourceGenerator, TVerifier}"/> (Microsoft.CodeAnalysis.CSharp.SourceGenerators.Testing)
/// set up for CachedGen: references from the running .NET and the CachedGen runtime (no reference-assembly package is
/// downloaded), expected sources read from the approved snapshots. The framework checks that exactly the expected files
/// are generated, with exactly that text, and that the compilation with them has exactly the expected diagnostics
/// (none, unless a test says otherwise): generated code that warns fails here.
/// </summary>
internal static class GeneratorTest
{
    private static readonly string GeneratorVersion = typeof(CachedGenerator).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var runtimeDir = Path.GetDirectoryName(typeof(CacheRuntime).Assembly.Location)!;
        var extra = new[] { typeof(CacheRuntime).Assembly.Location }
            .Concat(Directory.GetFiles(runtimeDir, "StackExchange.Redis.dll"))
            .Concat(Directory.GetFiles(runtimeDir, "Microsoft.Extensions.*.dll"));
        return trusted.Concat(extra).Distinct(StringComparer.Ordinal)
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    /// <summary>A test over <paramref name="sources"/> (compiled with nullable enabled, as users compile).</summary>
    public static CSharpSourceGeneratorTest<CachedGenerator, DefaultVerifier> Create(params string[] sources)
    {
        var test = new CSharpSourceGeneratorTest<CachedGenerator, DefaultVerifier>
        {
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        foreach (var source in sources)
        {
            test.TestState.Sources.Add(source);
        }

        test.TestState.AdditionalReferences.AddRange(References.Value);
        test.SolutionTransforms.Add((solution, projectId) =>
        {
            var project = solution.GetProject(projectId)!;
            var options = (Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions)project.CompilationOptions!;
            return solution.WithProjectCompilationOptions(projectId, options.WithNullableContextOptions(NullableContextOptions.Enable));
        });
        return test;
    }

    /// <summary>Expects <paramref name="hintName"/> with the text of an approved snapshot (its version put back).</summary>
    public static void ExpectSnapshot(this CSharpSourceGeneratorTest<CachedGenerator, DefaultVerifier> test, string hintName, string snapshot, [CallerFilePath] string callerFile = "")
    {
        var path = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots", snapshot + ".verified.cs");
        var text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("GeneratedCode(\"CachedGen\", \"{version}\")", $"GeneratedCode(\"CachedGen\", \"{GeneratorVersion}\")", StringComparison.Ordinal);
        test.TestState.GeneratedSources.Add((typeof(CachedGenerator), hintName, SourceText.From(text, Encoding.UTF8)));
    }

    public static Task RunAsync(this CSharpSourceGeneratorTest<CachedGenerator, DefaultVerifier> test) => test.RunAsync(CancellationToken.None);
}
