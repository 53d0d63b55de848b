using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace CachedGen.Analyzers.Tests;

/// <summary>
/// Analyzer and code-fix tests with <c>{|CG0001:…|}</c> markup (Microsoft.CodeAnalysis.Testing). References come from
/// the running .NET and the CachedGen runtime, so no reference-assembly package is downloaded during the tests.
/// </summary>
public static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public const string Usings = "using System; using System.Collections.Generic; using System.Threading; using System.Threading.Tasks; using CachedGen;\n";

    public static Task AnalyzerAsync(string source, params (string Key, string Value)[] editorConfig)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test, editorConfig);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>As <see cref="AnalyzerAsync(string, (string Key, string Value)[])"/>, with the expected diagnostics
    /// spelled out (their arguments too) for the <c>{|#0:…|}</c> locations of <paramref name="source"/>.</summary>
    public static Task AnalyzerAsync(string source, DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test, []);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Several files (each given <see cref="Usings"/>) and an .editorconfig of their own, with the expected
    /// diagnostics spelled out for the <c>{|#0:…|}</c> locations.</summary>
    public static Task FilesAnalyzerAsync((string Path, string Source)[] sources, string editorConfig, DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>();
        foreach (var (path, source) in sources)
        {
            test.TestState.Sources.Add((path, Usings + source));
        }

        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", editorConfig));
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test, []);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>As <see cref="AnalyzerAsync(string, DiagnosticResult[])"/>, with MSBuild properties as the compiler sees
    /// them (<c>build_property.PublishAot = true</c>: a global analyzer config, what CompilerVisibleProperty writes).</summary>
    public static Task AnalyzerWithBuildPropertiesAsync(string source, (string Name, string Value)[] properties, DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test, []);
        test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\n" + string.Join("\n", properties.Select(p => $"build_property.{p.Name} = {p.Value}"))));
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>As <see cref="AnalyzerAsync(string, DiagnosticResult[])"/>, with the sources parsed as
    /// <paramref name="version"/> (a project's <c>LangVersion</c>).</summary>
    public static Task AnalyzerWithLanguageVersionAsync(string source, Microsoft.CodeAnalysis.CSharp.LanguageVersion version, DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        test.ExpectedDiagnostics.AddRange(expected);
        Configure(test, []);
        test.SolutionTransforms.Add((solution, projectId) =>
            solution.WithProjectParseOptions(projectId, ((Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)solution.GetProject(projectId)!.ParseOptions!).WithLanguageVersion(version)));
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>As <see cref="AnalyzerAsync(string, (string Key, string Value)[])"/>, in a test project: the compilation
    /// references xUnit.</summary>
    public static Task AnalyzerInTestProjectAsync(string source)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test, []);
        test.TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(Xunit.FactAttribute).Assembly.Location));
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>As <see cref="AnalyzerAsync(string, (string Key, string Value)[])"/>, with <paramref name="referencedSource"/> compiled as a second project
    /// (also built against CachedGen) that the tested one references.</summary>
    public static Task AnalyzerWithReferenceAsync(string source, string referencedSource)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test, []);
        var referenced = test.TestState.AdditionalProjects["Referenced"];
        referenced.Sources.Add(Usings + referencedSource);
        referenced.AdditionalReferences.AddRange(References.Value);
        test.TestState.AdditionalProjectReferences.Add("Referenced");
        return test.RunAsync(CancellationToken.None);
    }

    public static Task CodeFixAsync<TFix>(string source, string fixedSource, int codeActionIndex = 0)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            CodeActionIndex = codeActionIndex,
        };
        Configure(test, []);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>As <see cref="CodeFixAsync{TFix}(string, string, int)"/>, with the sources taken as written: nothing is
    /// prepended, so a source can do without <c>using CachedGen;</c> (an alias, or <c>global::</c> names).</summary>
    public static Task RawCodeFixAsync<TFix>(string source, string fixedSource, int codeActionIndex = 0)
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = codeActionIndex,
        };
        Configure(test, []);
        return test.RunAsync(CancellationToken.None);
    }

    private static void Configure<TVerifier>(AnalyzerTest<TVerifier> test, (string Key, string Value)[] editorConfig)
        where TVerifier : IVerifier, new()
    {
        test.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(References.Value);
        if (editorConfig.Length > 0)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*.cs]\n" + string.Join("\n", editorConfig.Select(e => $"{e.Key} = {e.Value}"))));
        }
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        // Not the test host's own test framework: a compilation that references one is a test project to the analyzers
        // (CG0023 stays silent there; AnalyzerInTestProjectAsync adds it back).
        return trusted.Where(static path => !Path.GetFileName(path).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            .Append(typeof(CachedGen.CacheRuntime).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });
}
