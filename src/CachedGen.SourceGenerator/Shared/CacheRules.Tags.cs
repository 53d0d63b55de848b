// Tag templates: whether a cached method's tag placeholder can be rendered from its key.
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
    /// <summary>Why a tag template's text names no tag, or <see langword="null"/>: empty, or only white space (every
    /// method declaring it would share that one tag, a slip rather than a group).</summary>
    internal static string? TagTextProblem(string text)
        => text.Length == 0 ? "an empty tag names no group of entries: write its text (\"tenant:{tenantId}\")"
            : string.IsNullOrWhiteSpace(text) ? "a tag of white space only names no group of entries: write its text (\"tenant:{tenantId}\")"
            : null;

    /// <summary>Why a placeholder of a cached method's tag template cannot be rendered, or <see langword="null"/> with
    /// <paramref name="keyIndex"/> the key field it reads: it must resolve as a key placeholder does, to the same value
    /// as one of the key's own (<paramref name="keyFields"/>, resolved: <c>{ID}</c> and <c>{id}</c> both name the
    /// parameter <c>id</c>): two calls with one key share one entry, which must carry one set of tags.</summary>
    internal static string? TagPlaceholderProblem(IMethodSymbol method, KeyTemplatePart part, IReadOnlyList<KeyFieldInfo> keyFields, out int keyIndex)
    {
        keyIndex = -1;
        if (IsTypeArgumentPlaceholder(method, part))
        {
            return $"'{{{part.Path![0]}}}' names a type parameter, which a tag does not render (the writes that invalidate tags know no type argument): write the type's name as text (\"orders:{{id}}\"), or tag with the key's parameters only";
        }

        if (ResolvePlaceholder(method, part, out var problem) is not { } resolved)
        {
            return problem;
        }

        // The same parameter (found from the name each template wrote) and the same members read from it. (The key's
        // fields may have been rebased onto the interface method's parameter names; the parameter found here is the one
        // of the method both templates were written against.)
        var parameter = FindParameter(method.Parameters, part.Path![0]);
        for (var i = 0; i < keyFields.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(FindParameter(method.Parameters, keyFields[i].Root), parameter)
                && keyFields[i].Source.Steps.AsSpan().SequenceEqual(resolved.Source.Steps.AsSpan()))
            {
                keyIndex = i;
                return null;
            }
        }

        var path = string.Join(".", part.Path!);
        return $"'{{{path}}}' is not a placeholder of the key, and a tag may only use the key's placeholders (calls that share an entry must share its tags)";
    }
}
