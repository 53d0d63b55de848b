using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0005: a parameter that is neither in the key template, nor <c>[NotCacheKey]</c>, nor a
/// <c>CancellationToken</c>: two callers that differ only in it would share an entry.</summary>
public sealed class ParameterNotInKeyAnalyzer : CachedMethodAnalyzer
{
    public const string ParameterProperty = "Parameter";

    /// <summary>Set (to <c>"true"</c>) when a placeholder naming the parameter (<c>{tenantId}</c>) would resolve, as the
    /// generator and CG0004 resolve it: only then does the code fix offer to add it to the template.</summary>
    public const string PlaceholderProperty = "Placeholder";

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.ParameterNotInKey;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        // A template CG0004 refuses (a placeholder that names no parameter, among others) leaves the method uncached:
        // no entry is shared, and the parameter it meant is reported there, not again as left out of the key.
        if (site.OwnKey is not { } template || site.KeyFields is null)
        {
            return;
        }

        var roots = template.Parts.Where(p => p.IsPlaceholder)
            .Select(p => CacheRules.FindParameter(site.Method.Parameters, p.Path![0]))
            .OfType<IParameterSymbol>()
            .ToImmutableHashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var parameter in site.Method.Parameters)
        {
            // A parameter that keeps the method uncached (Span<T>, a pointer, ref or out) is CG0007's: no key helps.
            if (roots.Contains(parameter) || CacheRules.IsLeftOutOfKey(parameter) || CacheRules.ParameterProblem(parameter) is not null)
            {
                continue;
            }

            var properties = ImmutableDictionary<string, string?>.Empty.Add(ParameterProperty, parameter.Name);
            var encodable = CacheRules.CanBePlaceholder(site.Method, parameter);
            if (encodable)
            {
                properties = properties.Add(PlaceholderProperty, "true");
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                parameter.Locations.FirstOrDefault() ?? site.MethodLocation,
                properties,
                parameter.Name,
                site.Method.Name,
                encodable
                    ? "add it to the template or mark it [NotCacheKey]"
                    : "it has no stable key encoding, so key on a member of it or on a value that has one (a [Flags] enum, a string) and add that to the template, or mark it [NotCacheKey] if it does not change the result"));
        }
    }
}
