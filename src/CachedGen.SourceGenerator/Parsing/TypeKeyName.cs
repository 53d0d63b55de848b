using System.Text;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>
/// The name a closed type argument has in keys and method ids, written at compile time exactly as the runtime's
/// <c>CachedGen.Runtime.CacheTypeNames</c> writes it from the <see cref="System.Type"/>: namespace, containing types and
/// name joined by <c>.</c>, type arguments in <c>&lt;&gt;</c> separated by <c>,</c>, arrays as <c>[]</c>
/// (<c>Shop.Order</c>, <c>System.Int32</c>, <c>System.Nullable&lt;System.Int32&gt;</c>).
/// </summary>
internal static class TypeKeyName
{
    public static string Of(ITypeSymbol type)
    {
        var text = new StringBuilder();
        Append(text, type);
        return text.ToString();
    }

    private static void Append(StringBuilder text, ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                Append(text, array.ElementType);
                text.Append('[').Append(',', array.Rank - 1).Append(']');
                return;
            case INamedTypeSymbol named:
                AppendNamed(text, named);
                return;
            default:
                text.Append(type.Name);
                return;
        }
    }

    private static void AppendNamed(StringBuilder text, INamedTypeSymbol type)
    {
        if (type.ContainingType is { } containing)
        {
            AppendNamed(text, containing);
            text.Append('.');
        }
        else if (type.ContainingNamespace is { IsGlobalNamespace: false } ns)
        {
            text.Append(ns.ToDisplayString()).Append('.');
        }

        text.Append(type.MetadataName.Split('`')[0]);
        if (type.TypeArguments.Length == 0)
        {
            return;
        }

        text.Append('<');
        for (var i = 0; i < type.TypeArguments.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            Append(text, type.TypeArguments[i]);
        }

        text.Append('>');
    }
}
