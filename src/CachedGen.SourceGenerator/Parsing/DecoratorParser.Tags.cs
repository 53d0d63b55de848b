// Tag templates of cached methods and writes, rendered from key elements or parameters.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static CachedGen.SourceGenerator.CacheRules;

namespace CachedGen.SourceGenerator.Parsing;

internal static partial class DecoratorParser
{
    /// <summary>The interpolated strings (contents) rendering a cached method's tags from its key tuple: each
    /// placeholder must be one of the key's (<see langword="null"/> otherwise, or for a malformed template; the
    /// analyzers say why).</summary>
    private static List<string>? TagInterpolations(IMethodSymbol method, IReadOnlyList<string> templates, List<KeyFieldInfo> fields)
    {
        var result = new List<string>();
        var pathKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            pathKeys[fields[i].PathKey] = KeyTuple.Element(i);
        }

        foreach (var text in templates)
        {
            if (Interpolation(text, part => TagPlaceholderProblem(method, part, pathKeys.Keys) is null ? pathKeys[string.Join(".", part.Path!)] : null) is not { } interpolation)
            {
                return null;
            }

            result.Add(interpolation);
        }

        return result;
    }

    /// <summary>The interpolated string (contents) rendering a write's tag from its parameters.</summary>
    private static string? WriteTagInterpolation(IMethodSymbol method, string text)
        => Interpolation(text, part => ResolvePlaceholder(method, part, out _)?.Source);

    /// <summary>A tag template as the contents of an interpolated string: literals escaped, each placeholder replaced by
    /// the expression <paramref name="hole"/> gives (<c>:hash</c> kept as the format); <see langword="null"/> when the
    /// template is malformed or a placeholder has no expression.</summary>
    private static string? Interpolation(string text, Func<KeyTemplatePart, string?> hole)
    {
        if (KeyTemplate.Parse(text, out _) is not { } template)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder();
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder)
            {
                builder.Append(InterpolationLiteral(part.Literal!));
            }
            else if (hole(part) is { } expression)
            {
                builder.Append('{').Append(expression).Append(part.Hash ? ":hash}" : "}");
            }
            else
            {
                return null;
            }
        }

        return builder.ToString();
    }

    /// <summary>Template text as it is written inside <c>$"..."</c>: escaped as a string literal (without its quotes).</summary>
    private static string InterpolationLiteral(string literal)
    {
        var quoted = Emitting.DecoratorEmitter.Literal(literal);
        return quoted.Substring(1, quoted.Length - 2);
    }
}
