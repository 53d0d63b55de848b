using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using BenchmarkDotNet.Attributes;
using CachedGen.Analyzers;
using CachedGen.SourceGenerator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.GeneratorBenchmarks;

/// <summary>
/// What CachedGen's rules add to compiling the 500-method project of eng/build-overhead.sh (its generated decorators
/// included), in-process: the compiler's diagnostics and an analysis pass with every CachedGen rule, beside the same
/// with <see cref="BaselineAnalyzer"/>, which registers the kinds of actions the rules do (a method symbol action and an
/// invocation action, as the SDK's default analyzers do in every build) and does nothing in them. Each operation
/// starts from a new compilation over the same syntax trees, so nothing bound is shared with an earlier one.
/// Whole builds (<c>eng/build-overhead.sh</c>) cannot tell a few tens of milliseconds from their noise; this can.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 5, iterationCount: 20)]
[MemoryDiagnoser]
public class AnalyzerBenchmarks
{
    private static readonly CompilationWithAnalyzersOptions Options = new(new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false);

    private CSharpCompilation _project = null!;
    private ImmutableArray<DiagnosticAnalyzer> _rules;

    [GlobalSetup]
    public void Setup()
    {
        CSharpGeneratorDriver.Create([new CachedGenerator().AsSourceGenerator()], parseOptions: new CSharpParseOptions(LanguageVersion.Latest))
            .RunGeneratorsAndUpdateCompilation(BenchProject.Compile(), out var output, out _);
        _project = (CSharpCompilation)output;
        _rules = typeof(DiagnosticIds).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.IsDefined(typeof(DiagnosticAnalyzerAttribute), inherit: false))
            .Select(t => (DiagnosticAnalyzer)System.Activator.CreateInstance(t)!)
            .ToImmutableArray();

        // The project is correct: any diagnostic means a rule misfires, and the run would measure a report path.
        var reported = Analyze(_rules).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        if (reported.Count > 0)
        {
            throw new System.InvalidOperationException("The benchmark project is not clean: " + reported[0]);
        }
    }

    [Benchmark(Baseline = true, Description = "Compile and analyze: actions that do nothing")]
    public ImmutableArray<Diagnostic> Baseline() => Analyze([new BaselineAnalyzer()]);

    [Benchmark(Description = "Compile and analyze: CachedGen's rules")]
    public ImmutableArray<Diagnostic> CachedGenRules() => Analyze(_rules);

    private ImmutableArray<Diagnostic> Analyze(ImmutableArray<DiagnosticAnalyzer> analyzers)
        => BenchProject.Fresh(_project)
            .WithAnalyzers(analyzers, Options)
            .GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
}

// An analyzer that lives in the benchmark, not in a compiler-extension assembly: the rules for those do not apply.
#pragma warning disable RS1036, RS1041, RS2008

/// <summary>A method symbol action and an invocation operation action that do nothing.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class BaselineAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Unused = new("BENCH0001", "Unused", "Unused", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Unused];

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(static _ => { }, SymbolKind.Method);
        context.RegisterOperationAction(static _ => { }, OperationKind.Invocation);
    }
}
#pragma warning restore RS1036, RS1041, RS2008
