using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// The name a type argument has in keys and method ids: namespace, containing types and name joined by <c>.</c>, type
/// arguments in <c>&lt;&gt;</c> separated by <c>,</c>, arrays as <c>[]</c> (<c>Shop.Order</c>, <c>System.Int32</c>,
/// <c>Shop.Page&lt;Shop.Order&gt;</c>). No assembly name or version, so it is the same in every process that has the
/// type. The generator writes the same name at compile time for a closed generic interface (docs/keys.md).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CacheTypeNames
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary>The key name of <paramref name="type"/>, computed once per type.</summary>
    public static string Of(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Names.GetOrAdd(type, static t =>
        {
            var text = new StringBuilder();
            Append(text, t);
            return text.ToString();
        });
    }

    /// <summary>The key names of <paramref name="types"/>, separated by <c>,</c>: a generic interface's type arguments.</summary>
    public static string Join(params Type[] types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var text = new StringBuilder();
        for (var i = 0; i < types.Length; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(Of(types[i]));
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, Type type)
    {
        if (type.IsArray)
        {
            Append(text, type.GetElementType()!);
            text.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (type.IsGenericParameter)
        {
            text.Append(type.Name);
            return;
        }

        var arguments = type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes;
        var used = 0;
        AppendNamed(text, type, arguments, ref used);
    }

    /// <summary>Writes <paramref name="type"/> after its containing types, each level with its own type arguments (a
    /// nested type's <see cref="Type.GetGenericArguments"/> holds its containing types' arguments first).</summary>
    private static void AppendNamed(StringBuilder text, Type type, Type[] arguments, ref int used)
        => NestedTypeNames.Append(text, type, arguments, ref used, ",", static (t, argument) => Append(t, argument));
}
