using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0017: a batch method whose result is not a dictionary keyed by the element type
/// (<c>IReadOnlyDictionary&lt;int, Product&gt;</c> for <c>IReadOnlyCollection&lt;int&gt; ids</c>). Reported on the method;
/// the generator leaves it uncached.</summary>
public sealed class BatchResultNotKeyedAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.BatchResultNotKeyed;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.OwnKey is not { } template || CacheRules.BatchParts(template) is not { Count: 1 } parts
            || CacheRules.FindParameter(site.Method.Parameters, parts[0].Path![0]) is not { } parameter
            || CacheRules.BatchElementType(parameter.Type, out _) is not { } element
            || !CacheRules.TryGetCacheableResult(site.Method, out _, out var result))
        {
            return;
        }

        if (CacheRules.BatchItemType(result, element) is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, CacheRules.BatchResultProblem(result, element)));
        }
    }
}
