// Key renderers and invalidation helpers of cached methods.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CachedGen.SourceGenerator.Model;

namespace CachedGen.SourceGenerator.Emitting;

internal static partial class DecoratorEmitter
{
    private static void WriteInvalidationHelper(SourceWriter w, CachedMethodModel method)
    {
        var parameters = method.KeyFields.Select(f => Camel(f.Name)).ToList();
        var invalidator = Unique("invalidator", new HashSet<string>(parameters.Select(p => p.TrimStart('@')), StringComparer.Ordinal));
        w.Line($"/// <summary>Removes the entry of {See(method)} for these placeholder values, from Redis and from");
        w.Line("/// every node's L1, as a write naming it in <c>invalidatedBy</c> does: for event handlers and writes that bypass the repository.</summary>");
        w.Open($"public static {ValueTask} {method.InvalidateName}(global::CachedGen.ICacheInvalidator {invalidator}{string.Concat(method.KeyFields.Select((f, i) => ", " + f.Type + " " + parameters[i]))})");
        w.Line($"global::System.ArgumentNullException.ThrowIfNull({invalidator});");
        w.Line($"return {invalidator}.InvalidateAsync<{method.KeyType}, {method.ValueType}>({method.DescriptorName}, {KeyTuple.New(method.KeyType, parameters)});");
        w.Close();
    }

    private static void WriteKeyRenderers(SourceWriter w, CachedMethodModel method)
    {
        // Static methods over the key tuple, which the descriptor holds as delegates: L1 compares keys by value (the
        // tuple's own equality), and a key is rendered only when Redis is reached. No generated key type: compiling one
        // per method was most of CachedGen's build cost (docs/benchmarks.md).
        w.Line($"/// <summary>Writes the Redis key of {See(method)}: <c>{Xml(method.KeyTemplate)}</c>.</summary>");
        w.Open($"private static void {method.RenderKeyName}(in {method.KeyType} key, ref {Runtime}.CacheKeyBuilder builder)");
        foreach (var segment in method.KeySegments)
        {
            if (segment.Literal is not null)
            {
                w.Line($"builder.AppendLiteral({Literal(segment.Literal)});");
                continue;
            }

            if (segment.TypeArgument is { } typeArgument)
            {
                w.Line($"builder.AppendValue({TypeArgumentKeyName(typeArgument)}); // type argument");
                continue;
            }

            var index = IndexOf(method.KeyFields, segment.FieldName!);
            var field = method.KeyFields[index];
            var element = KeyTuple.Element(index);
            var append = segment.Hash ? "AppendHashed" : field.IsTypeParameter ? "AppendValueOf" : "AppendValue";
            var cast = field.EnumAs.Length > 0 ? "(" + field.EnumAs + ")" : "";
            if (field.IsNullableValue)
            {
                w.Open($"if ({element}.HasValue) // {Code(field.Source)}");
                w.Line($"builder.{append}({cast}{element}.GetValueOrDefault());");
                w.Close();
                w.Open("else");
                w.Line("builder.AppendNull();");
                w.Close();
            }
            else
            {
                w.Line($"builder.{append}({cast}{element}); // {Code(field.Source)}");
            }
        }

        w.Close();
        if (method.Tags.Count > 0)
        {
            w.Line();
            w.Line($"/// <summary>Renders the tags of {See(method)}: {string.Join(", ", method.TagTemplates.Select(t => "<c>" + Xml(t) + "</c>"))}.</summary>");
            w.Line($"private static string[] {method.RenderTagsName}(in {method.KeyType} key, {Runtime}.CacheTagRenderer tags)");
            w.Line($"    => new string[] {{ {string.Join(", ", method.Tags.Select(t => "tags.Render(" + Interpolated(t) + ")"))} }};");
        }
    }

    private static int IndexOf(EquatableArray<KeyFieldModel> fields, string name)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (fields[i].Name == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException("No key field " + name);
    }

    private static string Camel(string name)
    {
        var camel = char.ToLowerInvariant(name[0]) + name.Substring(1);
        return CacheRules.Escape(camel);
    }
}
