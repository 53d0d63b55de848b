using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.Analyzers.Rules;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>
/// The rules that look at one <c>[Cached]</c> method (CG0001–CG0009, CG0011, CG0014–CG0022, CG0024, CG0025), run from one method-symbol action:
/// the compiler dispatches each method once to this analyzer rather than once to each rule, and the rules share the
/// method's <see cref="CachedSite"/>. Nothing runs when the compilation does not reference CachedGen; generated code
/// is skipped; concurrent execution is on.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CachedMethodRulesAnalyzer : DiagnosticAnalyzer
{
    private static readonly ImmutableArray<CachedMethodAnalyzer> Rules = ImmutableArray.Create<CachedMethodAnalyzer>(
        new PersonalDataInKeyAnalyzer(),
        new MissingTtlAnalyzer(),
        new InvalidTtlAnalyzer(),
        new InvalidKeyTemplateAnalyzer(),
        new ParameterNotInKeyAnalyzer(),
        new PartlyKeyedParameterAnalyzer(),
        new LocalTtlBeyondTtlAnalyzer(),
        new UnworkableInvalidationAnalyzer(),
        new InvalidationByStringAnalyzer(),
        new UncacheableMethodAnalyzer(),
        new UnserializableResultAnalyzer(),
        new PersonalDataInValueAnalyzer(),
        new MutableCachedValueAnalyzer(),
        new BackReferenceAnalyzer(),
        new BatchParameterNotCollectionAnalyzer(),
        new BatchResultNotKeyedAnalyzer(),
        new SeveralBatchPlaceholdersAnalyzer(),
        new BatchTwinMismatchAnalyzer(),
        new NoCompileTimeFormatterAnalyzer(),
        new LanguageVersionAnalyzer(),
        new InvalidSettingAnalyzer());

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = Rules.Select(r => r.Rule).ToImmutableArray();

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        RegisterRules(context, Rules);
    }

    /// <summary>Registers <paramref name="rules"/> to run on each <c>[Cached]</c> method in source, once the compilation
    /// is known to reference CachedGen.</summary>
    internal static void RegisterRules(AnalysisContext context, ImmutableArray<CachedMethodAnalyzer> rules)
    {
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.CachedAttribute) is null)
            {
                return;
            }

            var facts = CompilationFacts.For(start.Compilation);
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    // An accessor, local function or lambda with [Cached] is reported once, by NonMemberAttributeAnalyzer: no
                    // decorator reads its attribute, so what the per-method rules would say of it (no result, a 'value'
                    // parameter in the default key) is beside the point.
                    if (symbolContext.Symbol is IMethodSymbol method && SkipRules.NonMemberProblem(method) is null
                        && facts.Site(method, symbolContext.CancellationToken) is { } site)
                    {
                        foreach (var rule in rules)
                        {
                            rule.Analyze(symbolContext, site);
                        }
                    }
                },
                SymbolKind.Method);
        });
    }
}
