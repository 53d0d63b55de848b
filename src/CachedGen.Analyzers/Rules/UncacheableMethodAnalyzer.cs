using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0007: <c>[Cached]</c> on a method no decorator can cache: no result (<c>void</c>, <c>Task</c>,
/// <c>ValueTask</c>), a generic method, <c>ref</c>/<c>out</c> parameters, streams and lazy queries, disposable results, or a class
/// method that implements no interface method.</summary>
public sealed class UncacheableMethodAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.UncacheableMethod;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        var reason = CacheRules.UncacheableReason(site.Method, out _, out _);
        if (reason is null && site.Method.ContainingType.TypeKind != TypeKind.Interface)
        {
            if (!CacheRules.ImplementedContracts(site.Method).Any())
            {
                reason = "it implements no interface method, and decorators wrap interfaces";
            }
            else if (site.Method.IsStatic)
            {
                reason = "it is static";
            }
        }

        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, reason));
        }
    }
}
