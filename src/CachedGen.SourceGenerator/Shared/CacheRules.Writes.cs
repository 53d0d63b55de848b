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
    internal static List<string>? MatchArguments(IMethodSymbol writer, IReadOnlyList<KeyFieldInfo> fields)
    {
        var arguments = new List<string>();
        foreach (var field in fields)
        {
            var expression = MatchOne(writer, field);
            if (expression is null)
            {
                return null;
            }

            arguments.Add(expression);
        }

        return arguments;
    }

    internal static string? MatchOne(IMethodSymbol writer, KeyFieldInfo field)
    {
        var byRoot = FindParameter(writer.Parameters, field.Root);
        if (byRoot is not null && ResolvePath(byRoot, field.Members) is { } samePath && Fits(samePath, field))
        {
            return samePath.Expression;
        }

        var leafName = field.Members.Count > 0 ? field.Members[field.Members.Count - 1] : field.Root;
        if (field.Members.Count > 0 && FindParameter(writer.Parameters, leafName) is { } byLeaf
            && ResolvePath(byLeaf, []) is { } leaf && Fits(leaf, field))
        {
            return leaf.Expression;
        }

        var viaMember = writer.Parameters
            .Where(p => !IsCancellationToken(p.Type))
            .Select(p => ResolvePath(p, [leafName]))
            .Where(r => r is not null && Fits(r, field))
            .ToList();
        return viaMember.Count == 1 ? viaMember[0]!.Expression : null;
    }

    internal static bool Fits(ResolvedPath candidate, KeyFieldInfo field)
    {
        if (!SymbolEqualityComparer.Default.Equals(Underlying(candidate.Type), Underlying(field.Type)))
        {
            return false;
        }

        var fieldAcceptsNull = field.Type.IsReferenceType || field.Nullable || IsNullableValue(field.Type);
        var candidateMayBeNull = candidate.Type.IsValueType && (candidate.Nullable || IsNullableValue(candidate.Type));
        return fieldAcceptsNull || !candidateMayBeNull;
    }
}
