// Writes: a put's result against the entry's type, and a write's parameters matched to key fields.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator;

internal static partial class CacheRules
{
    /// <summary>Why <paramref name="writer"/>'s result cannot be put in an entry of type <paramref name="cachedType"/>
    /// (<c>[CachePut]</c>), or <see langword="null"/> when it can.</summary>
    internal static string? PutProblem(IMethodSymbol writer, ITypeSymbol cachedType, Compilation compilation)
    {
        if (SkipRules.AfterWriteProblem(writer) is { } afterWrite)
        {
            return afterWrite;
        }

        if (UncacheableReason(writer, out _, out var result) is { } reason)
        {
            return "its result cannot be cached: " + reason;
        }

        if (!compilation.ClassifyCommonConversion(result, cachedType).IsImplicit)
        {
            return $"it returns '{result.ToDisplayString()}', which does not convert to the cached '{cachedType.ToDisplayString()}'";
        }

        if (result.IsReferenceType && result.NullableAnnotation == NullableAnnotation.Annotated
            && cachedType.IsReferenceType && cachedType.NullableAnnotation == NullableAnnotation.NotAnnotated)
        {
            return $"it may return null, and the cached '{cachedType.ToDisplayString()}' may not";
        }

        return null;
    }

    /// <summary>Fills each key field of a cached method from a write method's parameters: the parameter of the same name
    /// (and the same member path), a parameter named after the path's last member, or the one parameter that has a
    /// member of that name. Types must match exactly; otherwise the write cannot invalidate the entry.</summary>
    internal static List<ValuePath>? MatchArguments(IMethodSymbol writer, IReadOnlyList<KeyFieldInfo> fields)
        => MatchArguments(writer, fields, out var eachOf) is { } arguments && eachOf is null ? arguments : null;

    /// <summary>As <see cref="MatchArguments(IMethodSymbol, IReadOnlyList{KeyFieldInfo})"/>, and a batch placeholder
    /// (<c>{ids[]}</c>) is filled by the write's collection of the same name (<paramref name="eachOf"/>: every element is
    /// invalidated, the argument is <see cref="BatchElementName"/>) or by its element parameter, named as the collection
    /// without its plural <c>s</c> (<c>ids</c> → <c>id</c>, <c>skus</c> → <c>sku</c>; docs/batch.md).</summary>
    internal static List<ValuePath>? MatchArguments(IMethodSymbol writer, IReadOnlyList<KeyFieldInfo> fields, out string? eachOf)
    {
        eachOf = null;
        var arguments = new List<ValuePath>();
        foreach (var field in fields)
        {
            if (field.PathKey.EndsWith("[]", StringComparison.Ordinal))
            {
                if (FindParameter(writer.Parameters, field.Root) is { } collection && BatchElementType(collection.Type, out _) is { } element
                    && SymbolEqualityComparer.Default.Equals(element, field.Type))
                {
                    eachOf = collection.Name;
                    arguments.Add(ValuePath.Of(BatchElementName));
                    continue;
                }

                if (BatchElementParameter(field.Root) is { } singular && FindParameter(writer.Parameters, singular) is { } one
                    && SymbolEqualityComparer.Default.Equals(one.Type, field.Type))
                {
                    arguments.Add(ValuePath.Of(one.Name));
                    continue;
                }

                return null;
            }

            var expression = MatchOne(writer, field);
            if (expression is null)
            {
                return null;
            }

            arguments.Add(expression);
        }

        return arguments;
    }

    /// <summary>The variable a write's per-element invalidation names each element by.</summary>
    internal const string BatchElementName = "batchElement";

    /// <summary>The name of the write parameter that fills a batch placeholder with one element: the collection's name
    /// without its final <c>s</c>; <see langword="null"/> when it has none.</summary>
    internal static string? BatchElementParameter(string collection)
        => collection.Length > 1 && collection.EndsWith("s", StringComparison.Ordinal) ? collection.Substring(0, collection.Length - 1) : null;

    internal static ValuePath? MatchOne(IMethodSymbol writer, KeyFieldInfo field)
    {
        if (ByName(writer, field).FirstOrDefault(c => Fits(c, field)) is { } named)
        {
            return named.Value;
        }

        var fitting = ViaMember(writer, field).Where(c => Fits(c, field)).ToList();
        return fitting.Count == 1 ? fitting[0].Value : null;
    }

    /// <summary>What may fill a key field by name, in the order <see cref="MatchOne"/> tries them: the parameter of the
    /// field's name with the field's member path, then the parameter named after the path's last member.</summary>
    private static IEnumerable<ResolvedPath> ByName(IMethodSymbol writer, KeyFieldInfo field)
    {
        if (FindParameter(writer.Parameters, field.Root) is { } byRoot && ResolvePath(byRoot, field.Members) is { } samePath)
        {
            yield return samePath;
        }

        if (field.Members.Count > 0 && FindParameter(writer.Parameters, LeafName(field)) is { } byLeaf && ResolvePath(byLeaf, []) is { } leaf)
        {
            yield return leaf;
        }
    }

    /// <summary>What may fill a key field through a member of the path's last name on any parameter (which fills it only
    /// when exactly one fits). Lazy: looking a member up walks every member of the parameter's type and its bases, which
    /// a write whose parameter fills the field by name never needs.</summary>
    private static IEnumerable<ResolvedPath> ViaMember(IMethodSymbol writer, KeyFieldInfo field)
        => writer.Parameters
            .Where(p => !IsCancellationToken(p.Type))
            .Select(p => ResolvePath(p, [LeafName(field)]))
            .OfType<ResolvedPath>();

    private static string LeafName(KeyFieldInfo field) => field.Members.Count > 0 ? field.Members[field.Members.Count - 1] : field.Root;

    /// <summary>Why a write's parameter that names a key field does not fill it (<see cref="MatchOne"/> found none):
    /// another type, or a value that may be null where the key's may not; <see langword="null"/> when no parameter or
    /// member of the write is named after the field at all.</summary>
    internal static string? WhyNotFilled(IMethodSymbol writer, KeyFieldInfo field)
    {
        foreach (var candidate in ByName(writer, field).Concat(ViaMember(writer, field)))
        {
            var path = string.Join(".", PathNames(candidate.Value));
            if (!SymbolEqualityComparer.Default.Equals(Underlying(candidate.Type), Underlying(field.Type)))
            {
                return $"'{path}' is '{candidate.Type.ToDisplayString()}' there and '{field.PathKey}' is '{field.Type.ToDisplayString()}' in the key: the types must be the same";
            }

            if (ObsoletePathProblem(candidate) is { } obsolete)
            {
                return obsolete;
            }

            if (!Fits(candidate, field))
            {
                return $"'{path}' may be null there (through a nullable parameter or member) and '{field.PathKey}' of the key may not";
            }
        }

        return null;
    }

    internal static bool Fits(ResolvedPath candidate, KeyFieldInfo field)
    {
        // A member generated code cannot read (CS0619) fills nothing.
        if (!SymbolEqualityComparer.Default.Equals(Underlying(candidate.Type), Underlying(field.Type))
            || ObsoletePathProblem(candidate) is not null)
        {
            return false;
        }

        var fieldAcceptsNull = field.Type.IsReferenceType || field.Nullable || IsNullableValue(field.Type);
        var candidateMayBeNull = candidate.Type.IsValueType && (candidate.Nullable || IsNullableValue(candidate.Type));
        return fieldAcceptsNull || !candidateMayBeNull;
    }
}
