using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0025: a <c>LocalTtl</c> longer than the TTL. L1 never keeps an entry past its TTL, so the longer
/// lifetime is not what the method gets: the setting is a typo, or reads as a promise the cache does not keep.
/// TTLs that do not parse are CG0003's.</summary>
public sealed class LocalTtlBeyondTtlAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.LocalTtlBeyondTtl;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Data.LocalTtl is not { } localText || site.Data.Ttl is not { } ttlText
            || !TtlParser.TryParse(localText, out var local) || !TtlParser.TryParse(ttlText, out var ttl) || local <= ttl)
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, site.Argument(-1, "LocalTtl")?.GetLocation() ?? site.AttributeLocation, site.Method.Name, localText, ttlText));
    }
}
