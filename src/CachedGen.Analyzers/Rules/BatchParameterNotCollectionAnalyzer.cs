using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0016: a batch placeholder (<c>{ids[]}</c>) whose parameter is not one of the collections a batch method
/// takes. Reported on the placeholder; the generator leaves the method uncached.</summary>
public sealed class BatchParameterNotCollectionAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.BatchParameterNotCollection;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.OwnKey is not { } template)
        {
            return;
        }

        foreach (var part in CacheRules.BatchParts(template))
        {
            if (CacheRules.FindParameter(site.Method.Parameters, part.Path![0]) is { } parameter && CacheRules.BatchElementType(parameter.Type, out _) is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(site.Argument(1, "KeyTemplate"), part.Start, part.Length, site.AttributeLocation), site.Method.Name, CacheRules.BatchCollectionProblem(parameter)));
            }
        }
    }
}
