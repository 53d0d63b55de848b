using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using CachedGen.SourceGenerator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>Compiles sources (each file gets <see cref="Usings"/> unless it starts with a <c>global using</c>), runs
/// the generator on them and, on the same compilation, the analyzers that look at CachedGen's attributes.</summary>
internal static class GeneratorAndAnalyzers
{
    private const string Usings = "using System; using System.Collections.Generic; using System.Threading.Tasks; using CachedGen;\n";

    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        [new CachedMethodRulesAnalyzer(), new InvalidatesTagsAnalyzer(), new UnworkableCachePutAnalyzer(), new NonMemberAttributeAnalyzer(), new InterfaceCoverageAnalyzer()];

    /// <summary>What the generator wrote, what the analyzers reported, the errors of the compilation with the generated
    /// code, and the warnings inside the generated code.</summary>
    public sealed record Run(string[] Generated, ImmutableArray<Diagnostic> Reported, Diagnostic[] OutputErrors, Diagnostic[] GeneratedWarnings);

    public static async Task<Run> RunAsync(string[] sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "SkipPaths",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText((s.StartsWith("global using", StringComparison.Ordinal) ? "" : Usings) + s, parse, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        var inputErrors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(inputErrors.Count == 0, "the case does not compile: " + string.Join("; ", inputErrors));

        CSharpGeneratorDriver.Create([new CachedGenerator().AsSourceGenerator()], parseOptions: parse)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var generated = output.SyntaxTrees.Skip(compilation.SyntaxTrees.Length).Select(t => t.ToString()).ToArray();
        var outputDiagnostics = output.GetDiagnostics();
        var outputErrors = outputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        var generatedTrees = output.SyntaxTrees.Skip(compilation.SyntaxTrees.Length).ToHashSet();
        var generatedWarnings = outputDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree)).ToArray();

        var reported = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        return new Run(generated, reported, outputErrors, generatedWarnings);
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var runtimeDir = Path.GetDirectoryName(typeof(CacheRuntime).Assembly.Location)!;
        return trusted.Append(typeof(CacheRuntime).Assembly.Location)
            .Concat(Directory.GetFiles(runtimeDir, "StackExchange.Redis.dll"))
            .Concat(Directory.GetFiles(runtimeDir, "Microsoft.Extensions.*.dll"))
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });
}
