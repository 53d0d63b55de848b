// Tag templates of cached methods and writes: the key element or parameter value each placeholder reads.
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
    /// <summary>The tag templates of a cached method, each placeholder reading an element of its key tuple: each
    /// placeholder must be one of the key's (<see langword="null"/> otherwise, or for a malformed template; the
    /// analyzers say why).</summary>
    private static List<TagTemplateModel>? CachedTags(IMethodSymbol method, IReadOnlyList<string> templates, List<KeyFieldInfo> fields)
    {
        var result = new List<TagTemplateModel>();
        foreach (var text in templates)
        {
            if (Tag(text, part => TagPlaceholderProblem(method, part, fields, out var element) is null ? new TagPartModel(null, KeyElement: element, Hash: part.Hash) : null) is not { } tag)
            {
                return null;
            }

            result.Add(tag);
        }

        return result;
    }

    /// <summary>A write's tag template, each placeholder reading a value over its parameters.</summary>
    private static TagTemplateModel? WriteTag(IMethodSymbol method, string text)
        => Tag(text, part => ResolvePlaceholder(method, part, out _) is { } field
            ? new TagPartModel(null, Value: field.Source, Hash: part.Hash, EncodedType: field.ByRunTimeType && !part.Hash ? field.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null)
            : null);

    /// <summary>A tag template's parts: literals as written, each placeholder as <paramref name="placeholder"/> reads it;
    /// <see langword="null"/> when the template is malformed or a placeholder cannot be read.</summary>
    private static TagTemplateModel? Tag(string text, Func<KeyTemplatePart, TagPartModel?> placeholder)
    {
        if (TagTextProblem(text) is not null || KeyTemplate.Parse(text, out _) is not { } template)
        {
            return null;
        }

        var parts = new List<TagPartModel>();
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder)
            {
                parts.Add(new TagPartModel(part.Literal!));
            }
            else if (placeholder(part) is { } read)
            {
                parts.Add(read);
            }
            else
            {
                return null;
            }
        }

        return new TagTemplateModel(parts.ToEquatableArray());
    }
}
