using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0018: a key template with more than one batch placeholder. Reported on the second one; the generator
/// leaves the method uncached.</summary>
public sealed class SeveralBatchPlaceholdersAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.SeveralBatchPlaceholders;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.OwnKey is not { } template || CacheRules.BatchParts(template) is not { Count: > 1 } parts)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(site.Argument(1, "KeyTemplate"), parts[1].Start, parts[1].Length, site.AttributeLocation), site.Method.Name, parts.Count.ToString(CultureInfo.InvariantCulture)));
    }
}
