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
    /// <summary>Why a placeholder of a cached method's tag template cannot be rendered, or <see langword="null"/>: it
    /// must resolve as a key placeholder does, and be one of the key's own (<paramref name="keyPaths"/>, the key's
    /// placeholder paths as written): two calls with one key share one entry, which must carry one set of tags.</summary>
    internal static string? TagPlaceholderProblem(IMethodSymbol method, KeyTemplatePart part, IEnumerable<string> keyPaths)
    {
        if (IsTypeArgumentPlaceholder(method, part))
        {
            return $"'{{{part.Path![0]}}}' names a type parameter, which a tag does not render (the writes that invalidate tags know no type argument): write the type's name as text (\"orders:{{id}}\"), or tag with the key's parameters only";
        }

        if (ResolvePlaceholder(method, part, out var problem) is null)
        {
            return problem;
        }

        var path = string.Join(".", part.Path!);
        return keyPaths.Contains(path, StringComparer.Ordinal)
            ? null
            : $"'{{{path}}}' is not a placeholder of the key, and a tag may only use the key's placeholders (calls that share an entry must share its tags)";
    }
}
