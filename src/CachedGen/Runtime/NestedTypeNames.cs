using System;
using System.Globalization;
using System.Text;

namespace CachedGen.Runtime;

/// <summary>Writes a type's name after its namespace or containing types, each level with its own type arguments (a
/// nested type's <see cref="Type.GetGenericArguments"/> holds its containing types' arguments first). Shared by the
/// key names of type arguments (<see cref="CacheTypeNames"/>) and the run-time shape fingerprints
/// (<see cref="ShapeFingerprints"/>), which differ only in how they write an argument and separate two.</summary>
internal static class NestedTypeNames
{
    public static void Append(StringBuilder text, Type type, Type[] arguments, ref int used, string separator, Action<StringBuilder, Type> appendArgument)
    {
        if (type.DeclaringType is { } declaring && !type.IsGenericParameter)
        {
            Append(text, declaring, arguments, ref used, separator, appendArgument);
            text.Append('.');
        }
        else if (!string.IsNullOrEmpty(type.Namespace))
        {
            text.Append(type.Namespace).Append('.');
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick < 0)
        {
            text.Append(name);
            return;
        }

        text.Append(name, 0, tick).Append('<');
        var own = int.Parse(name.AsSpan(tick + 1), CultureInfo.InvariantCulture);
        for (var i = 0; i < own && used < arguments.Length; i++, used++)
        {
            if (i > 0)
            {
                text.Append(separator);
            }

            appendArgument(text, arguments[used]);
        }

        text.Append('>');
    }
}
