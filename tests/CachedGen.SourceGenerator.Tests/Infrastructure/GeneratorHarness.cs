using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using CachedGen.SourceGenerator;
using CachedGen.SourceGenerator.Emitting;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.SourceGenerator.Tests.Infrastructure;

/// <summary>Compiles sources against the running framework and the CachedGen runtime, and runs the generator.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var runtimeDir = Path.GetDirectoryName(typeof(CacheRuntime).Assembly.Location)!;
        var extra = new[] { typeof(CacheRuntime).Assembly.Location }
            .Concat(Directory.GetFiles(runtimeDir, "StackExchange.Redis.dll"))
            .Concat(Directory.GetFiles(runtimeDir, "Microsoft.Extensions.*.dll"));
        return trusted.Concat(extra).Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) => Compile(ParseOptions, sources);

    private static CSharpCompilation Compile(CSharpParseOptions parseOptions, string[] sources)
        => CSharpCompilation.Create(
            "TestAssembly",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, parseOptions, path: $"Source{i}.cs")),
            References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true)
                // As the SDK does: MessagePack (which the formatters use) was built against older framework assemblies.
                // Missing comments on the inputs' own public members (CS1591, only reported when documentation
                // comments are checked) are the inputs' business.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress), new("CS1591", ReportDiagnostic.Suppress)]));

    public static GeneratorDriver CreateDriver()
        => CSharpGeneratorDriver.Create(
            [new CachedGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the generated sources and the diagnostics of the output compilation.</summary>
    public static GeneratorResult Run(params string[] sources) => Run(ParseOptions, sources);

    /// <summary>Runs the generator as a project that generates its documentation file does
    /// (<c>GenerateDocumentationFile</c>): documentation comments are checked (<c>cref</c>s, XML), in the generated
    /// code too.</summary>
    public static GeneratorResult RunDocumented(params string[] sources)
        => Run(ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose), sources);

    /// <summary>Runs the generator on sources parsed as <paramref name="version"/> (a project's <c>LangVersion</c>).</summary>
    public static GeneratorResult RunWithLanguageVersion(LanguageVersion version, params string[] sources)
        => Run(new CSharpParseOptions(version), sources);

    /// <summary>Runs the generator with MSBuild properties as the compiler sees them (<c>build_property.PublishAot</c>,
    /// what the package's CompilerVisibleProperty items write).</summary>
    public static GeneratorResult RunWithBuildProperties((string Name, string Value)[] properties, params string[] sources)
        => Run(ParseOptions, sources, new BuildPropertyOptions(properties));

    private static GeneratorResult Run(CSharpParseOptions parseOptions, string[] sources, AnalyzerConfigOptionsProvider? options = null)
    {
        var compilation = Compile(parseOptions, sources);
        var driver = CSharpGeneratorDriver.Create(
                [new CachedGenerator().AsSourceGenerator()],
                parseOptions: parseOptions,
                optionsProvider: options,
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true))
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        var diagnostics = output.GetDiagnostics().Concat(generatorDiagnostics)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .ToImmutableArray();
        var generated = run.GeneratedTrees.ToImmutableDictionary(t => Path.GetFileName(t.FilePath), t => t.GetText().ToString());
        return new GeneratorResult(generated.Remove(FormatterEmitter.HintName), diagnostics, (CSharpCompilation)output)
        {
            Formatters = generated.GetValueOrDefault(FormatterEmitter.HintName),
        };
    }
}

/// <summary>Global options holding <c>build_property.*</c> values; no per-file options.</summary>
internal sealed class BuildPropertyOptions((string Name, string Value)[] properties) : AnalyzerConfigOptionsProvider
{
    private readonly Options _global = new(properties.ToDictionary(p => "build_property." + p.Name, p => p.Value, StringComparer.Ordinal));

    public override AnalyzerConfigOptions GlobalOptions => _global;

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public static readonly Options Empty = new(new Dictionary<string, string>(StringComparer.Ordinal));

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            => values.TryGetValue(key, out value);
    }
}

/// <param name="Sources">The decorators, by hint name.</param>
internal sealed record GeneratorResult(ImmutableDictionary<string, string> Sources, ImmutableArray<Diagnostic> Diagnostics, CSharpCompilation Output)
{
    /// <summary>The MessagePack formatters file (<see cref="FormatterEmitter.HintName"/>), or null when none was written.</summary>
    public string? Formatters { get; init; }

    public string DiagnosticText => string.Join(Environment.NewLine, Diagnostics.Select(d => d.ToString()));
}
