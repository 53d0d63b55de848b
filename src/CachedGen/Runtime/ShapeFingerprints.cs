using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// The shape fingerprint of a type known only at run time: a cached value type built from a generic interface's type
/// arguments (<c>TEntity</c>, <c>Page&lt;TEntity&gt;</c>). It follows the member rules of the generator's compile-time
/// fingerprint (<c>CachedGen.SourceGenerator.Parsing.ShapeFingerprint</c>) and writes the same canonical text, so a
/// closed type has the same fingerprint whether the generator or this class computed it: for
/// <c>[MessagePackObject]</c> types their keyed members, for other types their public instance properties and fields,
/// declared and inherited, by name, recursively (depth 8), element types of collections, the values of enums; framework types
/// (<c>System.*</c>, <c>Microsoft.*</c>) by name and type arguments. Computed once per type.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ShapeFingerprints
{
    private const int MaxDepth = 8;

    /// <summary>Why <see cref="Of"/> is not trim-safe.</summary>
    internal const string TrimmingMessage = "The shape fingerprint reads a type's public properties and fields, and those of the types they reach, by reflection: members the trimmer removed are missing from it.";

    private static readonly ConcurrentDictionary<Type, uint> Fingerprints = new();

    /// <summary>The fingerprint of <paramref name="type"/>'s serialized shape (computed on first use, then cached).</summary>
    [RequiresUnreferencedCode(TrimmingMessage)]
    public static uint Of(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Fingerprints.TryGetValue(type, out var known) ? known : Fingerprints.GetOrAdd(type, Fnv1a(Describe(type)));
    }

    /// <summary>The version segment of a generic interface's method: <c>#v{version}.{fingerprint}({type arguments})</c>
    /// (docs/keys.md).</summary>
    public static string VersionSegment(int version, uint fingerprint, string typeArguments)
        => "#v" + version.ToString(CultureInfo.InvariantCulture) + "." + fingerprint.ToString("x8", CultureInfo.InvariantCulture) + "(" + typeArguments + ")";

    /// <summary>The canonical text the fingerprint is taken of (the generator's, for the same type).</summary>
    [RequiresUnreferencedCode(TrimmingMessage)]
    internal static string Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var text = new StringBuilder();
        Describe(type, text, [], 0);
        return text.ToString();
    }

    // A member's type, an element type or a type argument carries no annotation, so the trimmer cannot see that their
    // members are read here: the methods that read them require unreferenced code, and so do the generated generic
    // decorators that call Of (docs/serialization.md, "Native AOT").
    [RequiresUnreferencedCode(TrimmingMessage)]
    private static void Describe(Type type, StringBuilder text, HashSet<Type> visiting, int depth)
    {
        if (type.IsArray)
        {
            Describe(type.GetElementType()!, text, visiting, depth);
            text.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            Describe(underlying, text, visiting, depth);
            text.Append('?');
            return;
        }

        if (IsSpecial(type) || type.IsGenericParameter)
        {
            text.Append(Display(type));
            return;
        }

        if (type.IsEnum)
        {
            text.Append(Display(type)).Append(":enum(");
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                text.Append(field.Name).Append('=').Append(field.GetRawConstantValue()).Append(';');
            }

            text.Append(')');
            return;
        }

        var display = Display(type.IsConstructedGenericType ? type.GetGenericTypeDefinition() : type);
        text.Append(display);
        if (type.IsConstructedGenericType)
        {
            text.Append('<');
            foreach (var argument in OwnArguments(type))
            {
                Describe(argument, text, visiting, depth + 1);
                text.Append(',');
            }

            text.Append('>');
        }

        // Framework types (collections, Guid, DateTime, tuples, ...) have fixed formatters: their name and type
        // arguments say it all. (A tuple is written as an array of its items.)
        if (type.Namespace is { } ns && (ns is "System" or "Microsoft" || ns.StartsWith("System.", StringComparison.Ordinal) || ns.StartsWith("Microsoft.", StringComparison.Ordinal)))
        {
            return;
        }

        if (depth >= MaxDepth || !visiting.Add(type))
        {
            return;
        }

        text.Append('{');
        var keyed = type.CustomAttributes.Any(a => a.AttributeType.FullName == "MessagePack.MessagePackObjectAttribute");
        // Declared and inherited public members, as the contractless resolver writes them; a member hidden by one of
        // the same name on a more derived type is left out.
        const BindingFlags instance = BindingFlags.Public | BindingFlags.Instance;
        var members = type.GetProperties(instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null)
            .Select(p => (Member: (MemberInfo)p, Type: p.PropertyType))
            .Concat(type.GetFields(instance).Select(f => (Member: (MemberInfo)f, Type: f.FieldType)))
            .GroupBy(m => m.Member.Name, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(m => Depth(m.Member.DeclaringType)).First())
            .Where(m => !m.Member.CustomAttributes.Any(a => a.AttributeType.Name is "IgnoreMemberAttribute" or "IgnoreDataMemberAttribute"))
            .Select(m => (Name: KeyOf(m.Member, keyed), m.Type))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var (name, memberType) in members)
        {
            text.Append(name).Append(':');
            Describe(memberType, text, visiting, depth + 1);
            text.Append(';');
        }

        text.Append('}');
        visiting.Remove(type);
    }

    /// <summary>How many bases <paramref name="type"/> has: the more derived of two declaring types has more.</summary>
    private static int Depth(Type? type)
    {
        var depth = 0;
        for (var current = type; current is not null; current = current.BaseType)
        {
            depth++;
        }

        return depth;
    }

    private static string KeyOf(MemberInfo member, bool keyed)
    {
        if (keyed)
        {
            foreach (var attribute in member.CustomAttributes)
            {
                if (attribute.AttributeType.FullName == "MessagePack.KeyAttribute" && attribute.ConstructorArguments.Count == 1)
                {
                    return "#" + attribute.ConstructorArguments[0].Value;
                }
            }
        }

        return member.Name;
    }

    /// <summary>The type arguments a type declares itself (a nested type's list starts with its containing types').</summary>
    private static Type[] OwnArguments(Type type)
    {
        var all = type.GetGenericArguments();
        var inherited = type.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments().Length : 0;
        return inherited == 0 ? all : all[inherited..];
    }

    /// <summary>Whether the compiler gives <paramref name="type"/> a special type (Roslyn's <c>SpecialType</c>).</summary>
    private static bool IsSpecial(Type type)
    {
        if (type.IsPrimitive || type == typeof(object) || type == typeof(string) || type == typeof(decimal) || type == typeof(void)
            || type == typeof(DateTime) || type == typeof(Enum) || type == typeof(ValueType) || type == typeof(Array)
            || type == typeof(Delegate) || type == typeof(MulticastDelegate) || type == typeof(IDisposable)
            || type == typeof(System.Collections.IEnumerable) || type == typeof(System.Collections.IEnumerator)
            || type == typeof(IAsyncResult) || type == typeof(AsyncCallback) || type == typeof(TypedReference)
            || type == typeof(RuntimeArgumentHandle) || type == typeof(RuntimeFieldHandle) || type == typeof(RuntimeMethodHandle)
            || type == typeof(RuntimeTypeHandle) || type == typeof(ArgIterator))
        {
            return true;
        }

        // IEnumerable<T> and the like are special only as definitions; the compiler's constructed forms are not.
        return false;
    }

    /// <summary>The type as the compiler's fully qualified display writes it (<c>int</c>, <c>global::Shop.Order</c>,
    /// <c>global::System.Collections.Generic.List&lt;T&gt;</c>, <c>int?</c>, <c>(int, string)</c>).</summary>
    private static string Display(Type type)
    {
        var text = new StringBuilder();
        AppendDisplay(text, type);
        return text.ToString();
    }

    private static void AppendDisplay(StringBuilder text, Type type)
    {
        if (Keyword(type) is { } keyword)
        {
            text.Append(keyword);
            return;
        }

        if (type.IsArray)
        {
            AppendDisplay(text, type.GetElementType()!);
            text.Append('[').Append(',', type.GetArrayRank() - 1).Append(']');
            return;
        }

        if (type.IsGenericParameter)
        {
            text.Append(type.Name);
            return;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            AppendDisplay(text, underlying);
            text.Append('?');
            return;
        }

        // A tuple, and the definition of one, are written in tuple syntax: (int, string), (T1, T2).
        var arguments = type.GetGenericArguments();
        if (type.IsGenericType && type.Namespace == "System" && type.Name.StartsWith("ValueTuple`", StringComparison.Ordinal) && arguments.Length is >= 2 and <= 7)
        {
            text.Append('(');
            for (var i = 0; i < arguments.Length; i++)
            {
                text.Append(i == 0 ? "" : ", ");
                AppendDisplay(text, arguments[i]);
            }

            text.Append(')');
            return;
        }

        text.Append("global::");
        var used = 0;
        AppendNamed(text, type, arguments, ref used);
    }

    private static void AppendNamed(StringBuilder text, Type type, Type[] arguments, ref int used)
        => NestedTypeNames.Append(text, type, arguments, ref used, ", ", static (t, argument) => AppendDisplay(t, argument));

    private static string? Keyword(Type type)
        => Type.GetTypeCode(type) switch
        {
            _ when type == typeof(object) => "object",
            _ when type == typeof(void) => "void",
            _ when type.IsEnum => null,
            TypeCode.Boolean => "bool",
            TypeCode.Char => "char",
            TypeCode.SByte => "sbyte",
            TypeCode.Byte => "byte",
            TypeCode.Int16 => "short",
            TypeCode.UInt16 => "ushort",
            TypeCode.Int32 => "int",
            TypeCode.UInt32 => "uint",
            TypeCode.Int64 => "long",
            TypeCode.UInt64 => "ulong",
            TypeCode.Single => "float",
            TypeCode.Double => "double",
            TypeCode.Decimal => "decimal",
            TypeCode.String => "string",
            _ => null,
        };

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
