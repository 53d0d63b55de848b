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
                // Reported at the generic method, which may be in another file than the interface that closes it: named.
                var by = CompilationFacts.ClosingInterfaces(closing.Interface, context.Compilation, context.CancellationToken);
                var closed = by.Count == 0 ? closing.Name : closing.Name + "', closed by '" + string.Join("', '", by);
                context.ReportDiagnostic(Diagnostic.Create(Rule, location, closed, problem));
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
                    "the default key holds every parameter, and " + (parameter is null ? problem : WholeParameterProblem(site.Method, parameter, problem!, hash: false, batchAllowed: true))));
            }
        }
    }

    /// <summary>The <paramref name="problem"/> of a placeholder naming the whole of <paramref name="parameter"/>; when it
    /// is that its type has no key encoding (<c>{statuses}</c> of <c>AppointmentStatus[] statuses</c>, <c>{page}</c> of a
    /// <c>Page</c>), with what to write instead (<see cref="Instead"/>) for the general advice.</summary>
    private static string WholeParameterProblem(IMethodSymbol method, IParameterSymbol parameter, string problem, bool hash, bool batchAllowed)
    {
        var statement = CacheRules.NoKeyEncoding(parameter.Name, parameter.Type);
        return problem.StartsWith(statement, System.StringComparison.Ordinal)
            ? statement + "; " + Instead(method, parameter, hash, batchAllowed)
            : problem;
    }

    /// <summary>What to write instead of a placeholder naming the whole of a parameter that has no key encoding. For a
    /// collection: the batch placeholder (<c>{ids[]}</c>, one entry per element), but only where it would be accepted
    /// (a result keyed by the element type, no other batch placeholder: <see cref="CacheRules.TakesBatchPlaceholder"/>);
    /// else one value that has an encoding (a <c>[Flags]</c> enum for a set of enum values, a string), since a
    /// collection's members (<c>Length</c>, <c>Count</c>) are no key. For any other type: a member of it that has an
    /// encoding (an <c>Id</c> first), when it is the application's own type (a framework type's members,
    /// <c>BigInteger.IsEven</c>, say, are no key); else a value that has one. And always <c>[NotCacheKey]</c>, for a
    /// parameter that does not change the result.</summary>
    private static string Instead(IMethodSymbol method, IParameterSymbol parameter, bool hash, bool batchAllowed)
    {
        var name = parameter.Name;
        var notCacheKey = $"or mark '{name}' [NotCacheKey] if it does not change the result";
        var type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : parameter.Type;
        if (type is IArrayTypeSymbol || (type.SpecialType != SpecialType.System_String && type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable)))
        {
            if (batchAllowed && CacheRules.TakesBatchPlaceholder(method, parameter, hash))
            {
                return $"to cache one entry per element, write the batch placeholder {{{name}[]{(hash ? ":hash" : "")}}} (see docs/batch.md), {notCacheKey}";
            }

            var element = CacheRules.BatchElementType(parameter.Type, out _) ?? (type as IArrayTypeSymbol)?.ElementType;
            var single = element is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType
                ? $"a [Flags] enum for a set of '{enumType.Name}' values, or a string"
                : "a string or number that stands for the whole set";
            return $"pass one value that has one instead ({single}), {notCacheKey}";
        }

        // Every member that has an encoding, not one: a query object keyed on one of its members shares an entry between
        // callers whose queries differ in the others (CG0024).
        var members = SerializedShape.IsFrameworkType(type)
            ? []
            : SerializedShape.Members(type)
                .Select(m => m.Member.Name)
                .Where(m => CacheRules.ResolvePath(parameter, [m]) is { } resolved && CacheRules.HasKeyEncoding(resolved.Type))
                .OrderBy(m => m.EndsWith("Id", System.StringComparison.Ordinal) ? 0 : 1)
                .ToList();
        return members.Count switch
        {
            0 => $"pass a value that has one (a string, number, enum, Guid or date, or a struct with one such field), {notCacheKey}",
            1 => $"key on its member that has one ({{{name}.{members[0]}}}), {notCacheKey}",
            <= 4 => $"key on its members that change the result ({string.Join(", ", members.Select(m => "{" + name + "." + m + "}"))}), {notCacheKey}",
            _ => $"key on its members that change the result ({string.Join(", ", members.Take(3).Select(m => "{" + name + "." + m + "}"))}, and {members.Count - 3} more that have an encoding), {notCacheKey}",
        };
    }

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
                if (!part.IsBatch && part.Path!.Count == 1 && CacheRules.FindParameter(site.Method.Parameters, part.Path[0]) is { } parameter)
                {
                    problem = WholeParameterProblem(site.Method, parameter, problem!, part.Hash, batchAllowed: CacheRules.BatchParts(template).Count == 0);
                }

                context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(argument, part.Start, part.Length, site.AttributeLocation), site.Method.Name, problem));
            }
        }
    }
}
