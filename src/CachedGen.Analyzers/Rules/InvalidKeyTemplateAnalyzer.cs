using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0004: a key template that is malformed, names an unknown parameter or member, uses a value with no
/// stable encoding, or lets two placeholders touch. Reported at the exact span inside the string.</summary>
public sealed class InvalidKeyTemplateAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.InvalidKeyTemplate;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        AnalyzeKey(context, site);
        AnalyzeTags(context, site);
        AnalyzeClosings(context, site);
    }

    /// <summary>A placeholder typed by the interface's type parameter (<c>{key}</c> of a <c>TKey</c>) is encoded by the
    /// type each closing gives it: a closing by an interface of the compilation with a type that has no key encoding
    /// (<c>ISegmentStore : ILookupStore&lt;(int, int), string&gt;</c>) has its method forwarded uncached by its decorator.
    /// Reported at the generic placeholder (or parameter, for the default key), naming the closed member.</summary>
    private void AnalyzeClosings(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Key is not { } key || site.KeyFields is null)
        {
            return; // the declared key does not resolve: reported above
        }

        var expression = site.Argument(1, "KeyTemplate")?.Expression;
        foreach (var closing in site.AllClosings(context.Compilation, context.CancellationToken))
        {
            foreach (var part in key.Parts)
            {
                if (!part.IsPlaceholder || CacheRules.IsTypeArgumentPlaceholder(closing.Method, part)
                    || CacheRules.ResolvePlaceholder(closing.Method, part, out var problem) is not null || problem is null)
                {
                    continue;
                }

                var location = site.Data.KeyTemplate is null
                    ? CacheRules.FindParameter(site.Method.Parameters, part.Path![0])?.Locations.FirstOrDefault() ?? site.MethodLocation
                    : CachedSite.ValueSpan(expression, part.Start, part.Length, site.AttributeLocation);
                context.ReportDiagnostic(Diagnostic.Create(Rule, location, closing.Name, problem));
            }
        }
    }

    /// <summary>Tag templates follow the key syntax, and may use only the key's placeholders: two calls with one key
    /// share one entry, which must carry one set of tags.</summary>
    private void AnalyzeTags(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Data.Tags.Count == 0)
        {
            return;
        }

        // Placeholders are checked against the key's as resolved; a key that does not resolve is reported by itself, and
        // its tags can then only be checked for their syntax.
        var keyFields = site.KeyFields;
        var elements = site.NamedArrayElements("Tags");
        var texts = site.RawStrings(-1, "Tags");
        for (var i = 0; i < texts.Count; i++)
        {
            var expression = i < elements.Count ? elements[i] : null;
            if (texts[i] is not { } text)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, expression?.GetLocation() ?? site.AttributeLocation, site.Method.Name, "tag: null names no tag; remove it, or write the tag's text"));
                continue;
            }

            var template = KeyTemplate.Parse(text, out var error);
            if (template is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(expression, error!.Start, error.Length, site.AttributeLocation), site.Method.Name, "tag: " + error.Message));
                continue;
            }

            if (CacheRules.TagTextProblem(text) is { } empty)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, expression?.GetLocation() ?? site.AttributeLocation, site.Method.Name, "tag: " + empty));
                continue;
            }

            foreach (var part in template.Parts)
            {
                if (!part.IsPlaceholder || keyFields is null || NamesUncacheableParameter(site.Method, part))
                {
                    continue;
                }

                if (CacheRules.TagPlaceholderProblem(site.Method, part, keyFields, out _) is { } problem)
                {
                    context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(expression, part.Start, part.Length, site.AttributeLocation), site.Method.Name, "tag: " + problem));
                }
            }
        }
    }

    /// <summary>The default key holds every parameter but a <c>CancellationToken</c> or <c>[NotCacheKey]</c> one; a
    /// parameter it cannot encode leaves the method uncached, as a bad template would. Reported on the parameter.</summary>
    private void AnalyzeDefaultKey(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Key is not { } key || site.KeyFields is not null)
        {
            return;
        }

        foreach (var part in key.Parts)
        {
            if (part.IsPlaceholder && !NamesUncacheableParameter(site.Method, part) && CacheRules.ResolvePlaceholder(site.Method, part, out var problem) is null)
            {
                var parameter = CacheRules.FindParameter(site.Method.Parameters, part.Path![0]);
                context.ReportDiagnostic(Diagnostic.Create(Rule, parameter?.Locations.FirstOrDefault() ?? site.MethodLocation, site.Method.Name,
                    $"the default key holds every parameter, and {problem}; {InsteadOfDefaultKey(parameter, part.Path[0])}"));
            }
        }
    }

    /// <summary>What to write instead of a default key that holds a parameter it cannot encode: a template naming a
    /// member of the parameter that can be encoded (an <c>Id</c> first), when it has one and is the application's own
    /// type (a framework type's members, <c>BigInteger.IsEven</c>, say, are no key).</summary>
    private static string InsteadOfDefaultKey(IParameterSymbol? parameter, string name)
    {
        var type = parameter?.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : parameter?.Type;
        if (type is IArrayTypeSymbol || (type is { SpecialType: not SpecialType.System_String } && type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable)))
        {
            // A collection's members (Length, IsFixedSize, Count) are no key: one entry per element is what a batch is.
            return $"cache one entry per element with a batch placeholder ({{{name}[]}}, see docs/batch.md), or mark '{name}' [NotCacheKey] if it does not change the result";
        }

        var member = type is null || SerializedShape.IsFrameworkType(type)
            ? null
            : SerializedShape.Members(type)
                .Select(m => m.Member.Name)
                .Where(m => CacheRules.ResolvePath(parameter!, [m]) is { } resolved && CacheRules.ClassifyKeyType(resolved.Type) is not null)
                .OrderBy(m => m.EndsWith("Id", System.StringComparison.Ordinal) ? 0 : 1)
                .FirstOrDefault();
        return member is null
            ? $"pass a value that has one, or mark '{name}' [NotCacheKey] if it does not change the result"
            : $"write a key template naming its members ({{{name}.{member}}}), or mark it [NotCacheKey]";
    }

    /// <summary>For a placeholder naming a whole collection parameter (<c>{ids}</c> of <c>int[] ids</c>), which has no key
    /// encoding: the batch placeholder that caches one entry per element (<c>{ids[]}</c>), as the default key's message
    /// says it; empty for any other placeholder.</summary>
    private static string BatchHint(IMethodSymbol method, KeyTemplatePart part)
        => !part.IsBatch && part.Path!.Count == 1 && CacheRules.FindParameter(method.Parameters, part.Path[0]) is { } parameter
           && parameter.Type.SpecialType != SpecialType.System_String && CacheRules.BatchElementType(parameter.Type, out _) is not null
            ? $"; to cache one entry per element, write the batch placeholder {{{part.Path[0]}[]{(part.Hash ? ":hash" : "")}}} (see docs/batch.md)"
            : "";

    /// <summary>Whether the placeholder names a parameter that keeps the method from being cached whatever its key
    /// (a <c>Span&lt;T&gt;</c>, a pointer, a <c>ref</c> or <c>out</c> parameter): CG0007 says so, and a CG0004 asking
    /// for a member of it would send the reader after a key that cannot help.</summary>
    internal static bool NamesUncacheableParameter(IMethodSymbol method, KeyTemplatePart part)
        => CacheRules.FindParameter(method.Parameters, part.Path![0]) is { } parameter && CacheRules.ParameterProblem(parameter) is not null;

    private void AnalyzeKey(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Data.KeyTemplate is not { } text)
        {
            AnalyzeDefaultKey(context, site);
            return;
        }

        var argument = site.Argument(1, "KeyTemplate");
        var template = KeyTemplate.Parse(text, out var error);
        if (template is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(argument, error!.Start, error.Length, site.AttributeLocation), site.Method.Name, error.Message));
            return;
        }

        foreach (var part in template.Parts)
        {
            if (part.IsBatch && CacheRules.FindParameter(site.Method.Parameters, part.Path![0]) is { } collection && CacheRules.BatchElementType(collection.Type, out _) is null)
            {
                continue; // CG0016
            }

            if (part.IsPlaceholder && !CacheRules.IsTypeArgumentPlaceholder(site.Method, part) && !NamesUncacheableParameter(site.Method, part)
                && CacheRules.ResolvePlaceholder(site.Method, part, out var problem) is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(argument, part.Start, part.Length, site.AttributeLocation), site.Method.Name, problem + BatchHint(site.Method, part)));
            }
        }
    }
}
