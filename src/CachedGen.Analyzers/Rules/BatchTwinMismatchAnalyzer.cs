using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0019: a batch method and the single-item method of the same interface whose template renders the same
/// key for an element (its twin) differ in TTL, <c>Version</c>, <c>Sensitive</c> or the entry's value type. The batch
/// then keeps a cache of its own, but both write the same Redis keys. The code fix copies the twin's TTL and Version.</summary>
public sealed class BatchTwinMismatchAnalyzer : CachedMethodAnalyzer
{
    /// <summary>The twin's TTL text, for the code fix.</summary>
    public const string TwinTtlProperty = "TwinTtl";

    /// <summary>The twin's Version, for the code fix.</summary>
    public const string TwinVersionProperty = "TwinVersion";

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.BatchTwinMismatch;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.OwnKey is not { } template || CacheRules.BatchParts(template) is not { Count: 1 } parts
            || CacheRules.FindParameter(site.Method.Parameters, parts[0].Path![0]) is not { } parameter
            || CacheRules.BatchElementType(parameter.Type, out _) is not { } element
            || !CacheRules.TryGetCacheableResult(site.Method, out _, out var result)
            || CacheRules.BatchItemType(result, element) is not { } item
            || CacheRules.FindBatchTwin(site.Method, template, element, TemplateOf) is not { } twin
            || twin.GetAttributes().FirstOrDefault(IsCached) is not { } twinAttribute)
        {
            return;
        }

        var twinData = CachedAttributeData.Read(twinAttribute);
        if (CacheRules.BatchTwinProblem(twin, site.Data, twinData, item) is { } problem)
        {
            var properties = ImmutableDictionary<string, string?>.Empty
                .Add(TwinTtlProperty, twinData.Ttl)
                .Add(TwinVersionProperty, twinData.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.AttributeLocation, properties, site.Method.Name, twin.Name, problem));
        }
    }

    private static bool IsCached(AttributeData attribute) => attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute);

    private static string? TemplateOf(IMethodSymbol method)
        => method.GetAttributes().FirstOrDefault(IsCached) is { } attribute ? CachedAttributeData.Read(attribute).KeyTemplate : null;
}
