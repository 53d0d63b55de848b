using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0002: <c>[Cached]</c> without a TTL, in an assembly without a (valid) default TTL: the generator leaves it
/// uncached.</summary>
public sealed class MissingTtlAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.MissingTtl;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (SkipRules.HasTtl(site.Data.Ttl, AssemblyDefaults.Ttl(context.Compilation)))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, site.AttributeLocation, site.Method.Name));
    }
}
