// Batch placeholders ({ids[]}, docs/batch.md): the collection parameter, the dictionary result, and the single-item
// twin whose entries the batch method shares.
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

internal static partial class CacheRules
{
    /// <summary>The collection types a batch parameter may have (metadata names), and how generated code builds one from
    /// the array of missing elements: passed as is (<c>""</c>), or copied into a <c>List</c> or <c>HashSet</c>.</summary>
    private static readonly (string Name, string Conversion)[] BatchCollections =
    [
        ("System.Collections.Generic.IEnumerable`1", ""),
        ("System.Collections.Generic.IReadOnlyCollection`1", ""),
        ("System.Collections.Generic.IReadOnlyList`1", ""),
        ("System.Collections.Generic.ICollection`1", ""),
        ("System.Collections.Generic.IList`1", ""),
        ("System.Collections.Generic.List`1", "List"),
        ("System.Collections.Generic.HashSet`1", "HashSet"),
        ("System.Collections.Generic.ISet`1", "HashSet"),
        ("System.Collections.Generic.IReadOnlySet`1", "HashSet"),
    ];

    private static readonly string[] BatchDictionaries =
    [
        "System.Collections.Generic.IReadOnlyDictionary`2",
        "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.Dictionary`2",
    ];

    /// <summary>The element type of a batch parameter's type and how generated code builds it from an array, or
    /// <see langword="null"/> when it is not one of the collections a batch placeholder accepts.</summary>
    internal static ITypeSymbol? BatchElementType(ITypeSymbol type, out string conversion)
    {
        conversion = "";
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            return array.ElementType;
        }

        if (type is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } named)
        {
            foreach (var (name, how) in BatchCollections)
            {
                if (named.OriginalDefinition.HasFullName(name))
                {
                    conversion = how;
                    return named.TypeArguments[0];
                }
            }
        }

        return null;
    }

    /// <summary>A batch placeholder's key value: one element of its collection parameter.</summary>
    private static KeyFieldInfo? ResolveBatchPlaceholder(IParameterSymbol parameter, KeyTemplatePart part, out string? error)
    {
        if (BatchElementType(parameter.Type, out _) is not { } element)
        {
            // CG0016 reports it; CG0004 leaves it alone.
            error = BatchCollectionProblem(parameter);
            return null;
        }

        // A strongly typed id (readonly record struct OrderId(Guid Value)) is encoded by its one field, by run-time type,
        // as in a single key: the batch's keys are its twin's.
        if (!HasKeyEncoding(element))
        {
            error = $"the elements of '{parameter.Name}' are '{element.ToDisplayString()}', which has no stable key encoding (use a string, number, enum, Guid or date, or a struct with one such field)";
            return null;
        }

        var wrapped = ClassifyKeyType(element) is null;
        var enumAs = wrapped ? "" : ClassifyKeyType(element)!;

        if (part.Hash && !CanHash(element))
        {
            error = $"':hash' applies to strings and formattable values, not '{element.ToDisplayString()}'";
            return null;
        }

        error = null;
        return new KeyFieldInfo(parameter.Name + "[]", parameter.Name, [], element, ValuePath.Of(parameter.Name), enumAs, false) { ByRunTimeType = wrapped || Underlying(element).TypeKind == TypeKind.TypeParameter };
    }

    /// <summary>Whether a batch placeholder over <paramref name="parameter"/> (<c>{ids[]}</c>, <c>{ids[]:hash}</c> when
    /// <paramref name="hash"/>) would be accepted in a template of <paramref name="method"/> that has no other: the
    /// parameter is a collection a batch takes, its elements have a key encoding, and the method's result is a dictionary
    /// keyed by the element type (else CG0016, CG0004 or CG0017). CG0004 points to the batch form only then.</summary>
    internal static bool TakesBatchPlaceholder(IMethodSymbol method, IParameterSymbol parameter, bool hash)
        => BatchElementType(parameter.Type, out _) is { } element
           && ResolveBatchPlaceholder(parameter, KeyTemplatePart.ForPlaceholder(new[] { parameter.Name }, hash, 0, 0, isBatch: true), out _) is not null
           && TryGetCacheableResult(method, out _, out var result)
           && BatchItemType(result, element) is not null;

    internal static string BatchCollectionProblem(IParameterSymbol parameter)
        => $"'{parameter.Name}' is a '{parameter.Type.ToDisplayString()}', not a collection: a batch placeholder needs IEnumerable<T>, IReadOnlyCollection<T>, IReadOnlyList<T>, ICollection<T>, IList<T>, T[], List<T> or a set";

    /// <summary>The batch placeholders of a template.</summary>
    internal static List<KeyTemplatePart> BatchParts(KeyTemplate template) => template.Parts.Where(p => p.IsBatch).ToList();

    /// <summary>The value type of a batch method's dictionary result keyed by <paramref name="element"/>, or
    /// <see langword="null"/> when the result is not such a dictionary.</summary>
    internal static ITypeSymbol? BatchItemType(ITypeSymbol result, ITypeSymbol element)
    {
        if (result is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 2 } named
            || !BatchDictionaries.Any(d => named.OriginalDefinition.HasFullName(d))
            || !SymbolEqualityComparer.Default.Equals(named.TypeArguments[0], element))
        {
            return null;
        }

        return named.TypeArguments[1];
    }

    internal static string BatchResultProblem(ITypeSymbol result, ITypeSymbol element)
        => $"its result '{result.ToDisplayString()}' is not a dictionary keyed by the element type '{element.ToDisplayString()}': a batch method returns IReadOnlyDictionary<{element.ToDisplayString()}, TValue>, IDictionary<{element.ToDisplayString()}, TValue> or Dictionary<{element.ToDisplayString()}, TValue>";

    /// <summary>The single-item method of the same interface whose template renders the same key for an element: the same
    /// literals and formats, the batch placeholder where it has a placeholder of the element's type, and the same
    /// parameters elsewhere. <see langword="null"/> when there is none.</summary>
    internal static IMethodSymbol? FindBatchTwin(IMethodSymbol batch, KeyTemplate template, ITypeSymbol element, Func<IMethodSymbol, string?> templateOf)
    {
        foreach (var candidate in batch.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            if (SymbolEqualityComparer.Default.Equals(candidate, batch) || templateOf(candidate) is not { } text
                || KeyTemplate.Parse(text, out _) is not { } other || other.Parts.Count != template.Parts.Count)
            {
                continue;
            }

            var aligned = true;
            for (var i = 0; i < template.Parts.Count && aligned; i++)
            {
                var mine = template.Parts[i];
                var theirs = other.Parts[i];
                aligned = mine.IsPlaceholder == theirs.IsPlaceholder && !theirs.IsBatch
                    && (!mine.IsPlaceholder
                        ? mine.Literal == theirs.Literal
                        : mine.Hash == theirs.Hash && (mine.IsBatch
                            ? theirs.Path!.Count == 1 && FindParameter(candidate.Parameters, theirs.Path[0]) is { } p && SymbolEqualityComparer.Default.Equals(p.Type, element)
                            : string.Join(".", mine.Path!) == string.Join(".", theirs.Path!)));
            }

            if (aligned)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Why a batch method and its twin would write entries that disagree, or <see langword="null"/>: they share
    /// the entries, so the TTL, <c>Version</c>, <c>Sensitive</c>, <c>CacheNull</c> and the entry's value type must be the same.</summary>
    internal static string? BatchTwinProblem(IMethodSymbol twin, CachedAttributeData batchData, CachedAttributeData twinData, ITypeSymbol item)
    {
        var batchTtl = batchData.Ttl is null ? (TimeSpan?)null : TtlParser.TryParse(batchData.Ttl, out var b) ? b : null;
        var twinTtl = twinData.Ttl is null ? (TimeSpan?)null : TtlParser.TryParse(twinData.Ttl, out var t) ? t : null;
        if (batchTtl != twinTtl)
        {
            return $"its TTL ({batchData.Ttl ?? "the assembly default"}) differs from {twin.Name}'s ({twinData.Ttl ?? "the assembly default"})";
        }

        if (batchData.Version != twinData.Version)
        {
            return $"its Version ({batchData.Version}) differs from {twin.Name}'s ({twinData.Version})";
        }

        if (batchData.Sensitive != twinData.Sensitive)
        {
            return $"it is {(batchData.Sensitive ? "" : "not ")}Sensitive and {twin.Name} is {(twinData.Sensitive ? "" : "not")}";
        }

        if (batchData.CacheNull != twinData.CacheNull)
        {
            return $"it {(batchData.CacheNull ? "caches" : "does not cache")} absent elements and {twin.Name} {(twinData.CacheNull ? "caches" : "does not cache")} nulls (CacheNull)";
        }

        if (!TryGetCacheableResult(twin, out _, out var twinValue) || !SameEntryType(twinValue, item))
        {
            return $"{twin.Name} returns '{twinValue.ToDisplayString()}' where the batch's elements are '{item.ToDisplayString()}'";
        }

        return null;
    }

    /// <summary>Whether a single-item result and a batch item are stored alike: the same type, nullable annotations aside
    /// for reference types (an absent element is the single-item method's null).</summary>
    internal static bool SameEntryType(ITypeSymbol single, ITypeSymbol item)
        => SymbolEqualityComparer.Default.Equals(single, item);
}
