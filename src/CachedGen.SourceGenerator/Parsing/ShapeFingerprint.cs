using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>
/// A 32-bit fingerprint of the shape MessagePack gives a type: for <c>[MessagePackObject]</c> types their keyed members,
/// for other types their public instance properties and fields by name, recursively (depth 8), with element types of
/// collections and the values of enums. Change a DTO's members and the fingerprint, hence every key of methods
/// returning it, changes; payloads written by the old code are then never read as the new type.
/// </summary>
internal static class ShapeFingerprint
{
    private const int MaxDepth = 8;

    public static uint Compute(ITypeSymbol type, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        Describe(type, text, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0, cancellationToken);
        return Fnv1a(text.ToString());
    }

    /// <summary>The canonical text the fingerprint is taken of (for tests and diagnostics).</summary>
    public static string Describe(ITypeSymbol type, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        Describe(type, text, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0, cancellationToken);
        return text.ToString();
    }

    private static void Describe(ITypeSymbol type, StringBuilder text, HashSet<ITypeSymbol> visiting, int depth, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        type = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);

        if (type is IArrayTypeSymbol array)
        {
            Describe(array.ElementType, text, visiting, depth, cancellationToken);
            text.Append('[').Append(',', array.Rank - 1).Append(']');
            return;
        }

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            Describe(nullable.TypeArguments[0], text, visiting, depth, cancellationToken);
            text.Append('?');
            return;
        }

        if (type.SpecialType != SpecialType.None || type.TypeKind == TypeKind.TypeParameter)
        {
            text.Append(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
            return;
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
        {
            text.Append(enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).Append(":enum(");
            foreach (var field in enumType.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).OrderBy(f => f.Name, System.StringComparer.Ordinal))
            {
                text.Append(field.Name).Append('=').Append(field.ConstantValue).Append(';');
            }

            text.Append(')');
            return;
        }

        var named = type as INamedTypeSymbol;
        var display = type.OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        text.Append(display);
        if (named is { IsGenericType: true })
        {
            text.Append('<');
            foreach (var argument in named.TypeArguments)
            {
                Describe(argument, text, visiting, depth + 1, cancellationToken);
                text.Append(',');
            }

            text.Append('>');
        }

        // Framework types (collections, Guid, DateTime, ...) have fixed formatters: their name and type arguments say it all.
        if (SerializedShape.IsFrameworkType(type))
        {
            return;
        }

        if (depth >= MaxDepth || !visiting.Add(type))
        {
            return;
        }

        text.Append('{');
        var attributed = type.GetAttributes().FirstOrDefault(a => a.AttributeClass.HasFullName("MessagePack.MessagePackObjectAttribute"));
        var members = SerializedShape.Members(type)
            .Select(m => (Name: KeyOf(m.Member, attributed), m.Type))
            .OrderBy(m => m.Name, System.StringComparer.Ordinal);
        foreach (var (name, memberType) in members)
        {
            text.Append(name).Append(':');
            Describe(memberType, text, visiting, depth + 1, cancellationToken);
            text.Append(';');
        }

        text.Append('}');
        visiting.Remove(type);
    }

    private static string KeyOf(ISymbol member, AttributeData? messagePackObject)
    {
        if (messagePackObject is not null)
        {
            var key = member.GetAttributes().FirstOrDefault(a => a.AttributeClass.HasFullName("MessagePack.KeyAttribute"));
            if (key is { ConstructorArguments.Length: 1 })
            {
                return "#" + key.ConstructorArguments[0].Value;
            }
        }

        return member.Name;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ (c & 0xFFu)) * 16777619u);
            hash = unchecked((hash ^ (uint)(c >> 8)) * 16777619u);
        }

        return hash;
    }
}
