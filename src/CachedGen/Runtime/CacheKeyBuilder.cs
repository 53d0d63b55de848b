using System;
using System.Buffers;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// Builds a Redis key from a template's literals and encoded placeholder values.
/// </summary>
/// <remarks>
/// The encoding is injective: two different argument tuples of one template never render the same key.
/// A value is written only with the characters <c>[A-Za-z0-9-._~%]</c>: letters, digits, <c>-</c>, <c>.</c> and
/// <c>_</c> stand for themselves; every other character is percent-encoded (<c>%3A</c> for <c>:</c>, UTF-8 bytes
/// for non-ASCII, <c>%uD800</c> for a lone surrogate); <c>~</c> alone is <see langword="null"/>; a string longer than
/// <see cref="MaxRawValueLength"/> characters becomes <c>%h</c> and the SHA-256 of its UTF-16 code units. Since the
/// generator only accepts templates whose placeholders are separated by a character outside that set (<c>:</c>,
/// <c>/</c>, <c>|</c>, ...), the boundaries of every value can be recovered from the key, so the key determines the
/// tuple. See docs/keys.md.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct CacheKeyBuilder
{
    /// <summary>Strings longer than this are written as a digest rather than character by character.</summary>
    internal const int MaxRawValueLength = 100;

    private const string Hex = "0123456789ABCDEF";

    private readonly KeyHasher? _hasher;
    private char[]? _rented;
    private Span<char> _chars;
    private int _length;

    /// <summary>Creates a builder over <paramref name="initialBuffer"/>, growing into pooled arrays when needed.</summary>
    internal CacheKeyBuilder(Span<char> initialBuffer, KeyHasher? hasher)
    {
        _chars = initialBuffer;
        _hasher = hasher;
        _rented = null;
        _length = 0;
    }

    /// <summary>The characters written so far.</summary>
    internal readonly ReadOnlySpan<char> Written => _chars[.._length];

    /// <summary>Appends template text verbatim.</summary>
    public void AppendLiteral(string literal) => AppendRaw(literal);

    /// <summary>Appends the null marker <c>~</c>.</summary>
    public void AppendNull() => AppendRaw("~");

    /// <summary>Appends a string value, escaped.</summary>
    public void AppendValue(string? value)
    {
        if (value is null)
        {
            AppendNull();
        }
        else if (value.Length > MaxRawValueLength)
        {
            AppendDigest(value);
        }
        else
        {
            AppendEscaped(value);
        }
    }

    /// <summary>Appends a character value, escaped.</summary>
    public void AppendValue(char value) => AppendEscaped(new ReadOnlySpan<char>(in value));

    /// <summary>Appends a Boolean as <c>true</c> or <c>false</c>.</summary>
    public void AppendValue(bool value) => AppendRaw(value ? "true" : "false");

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(byte value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(sbyte value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(short value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(ushort value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(int value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(uint value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(long value) => AppendFormatted(value, default);

    /// <summary>Appends an integer in invariant culture.</summary>
    public void AppendValue(ulong value) => AppendFormatted(value, default);

    /// <summary>Appends a 128-bit integer in invariant culture, as the other integers (up to 39 digits and a sign).</summary>
    public void AppendValue(Int128 value) => AppendFormatted(value, default);

    /// <summary>Appends a 128-bit integer in invariant culture, as the other integers (up to 39 digits).</summary>
    public void AppendValue(UInt128 value) => AppendFormatted(value, default);

    /// <summary>Appends the shortest round-trip form; <c>-0</c> is written as <c>0</c>, since they compare equal.</summary>
    public void AppendValue(float value) => AppendFormatted(value == 0 ? 0f : value, "R");

    /// <summary>Appends the shortest round-trip form; <c>-0</c> is written as <c>0</c>, since they compare equal.</summary>
    public void AppendValue(double value) => AppendFormatted(value == 0 ? 0d : value, "R");

    /// <summary>Appends a decimal in invariant culture, without trailing zeros: <c>1.5m</c> and <c>1.50m</c> compare
    /// equal (and are one L1 entry), so they render one Redis key; <c>-0.0m</c> is written as <c>0</c>.</summary>
    public void AppendValue(decimal value) => AppendFormatted(value == 0m ? 0m : value / NormalizingOne, default);

    /// <summary>1 at the largest scale: dividing by it is exact and leaves a decimal at its smallest scale.</summary>
    private const decimal NormalizingOne = 1.0000000000000000000000000000m;

    /// <summary>Appends a GUID as 32 lowercase hexadecimal digits.</summary>
    public void AppendValue(Guid value) => AppendFormatted(value, "N");

    /// <summary>Appends the instant to the tick, without <see cref="DateTime.Kind"/> (which equality ignores too).</summary>
    public void AppendValue(DateTime value) => AppendFormatted(value, "yyyyMMdd'T'HHmmssfffffff");

    /// <summary>Appends the UTC instant to the tick (offsets that name the same instant compare equal).</summary>
    public void AppendValue(DateTimeOffset value) => AppendFormatted(value.UtcDateTime, "yyyyMMdd'T'HHmmssfffffff'Z'");

    /// <summary>Appends a date as <c>yyyyMMdd</c>.</summary>
    public void AppendValue(DateOnly value) => AppendFormatted(value, "yyyyMMdd");

    /// <summary>Appends a time of day to the tick.</summary>
    public void AppendValue(TimeOnly value) => AppendFormatted(value.Ticks, default);

    /// <summary>Appends a duration in ticks.</summary>
    public void AppendValue(TimeSpan value) => AppendFormatted(value.Ticks, default);

    /// <summary>Appends a value whose type is a generic interface's type argument (<c>{id}</c> where <c>id</c> is a
    /// <c>TKey</c>), encoded exactly as the overload for its run-time type would encode it, so <c>IRepository&lt;Order,
    /// int&gt;</c> keys read like those of a method taking an <see cref="int"/>. Supported: the types of
    /// <see cref="IsEncodable"/>; a decorator over any other type argument fails when it is created.</summary>
    public void AppendValueOf<T>(T value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }

        if (typeof(T) == typeof(int))
        {
            AppendValue((int)(object)value);
        }
        else if (typeof(T) == typeof(long))
        {
            AppendValue((long)(object)value);
        }
        else if (typeof(T) == typeof(Guid))
        {
            AppendValue((Guid)(object)value);
        }
        else if (typeof(T) == typeof(string))
        {
            AppendValue((string)(object)value);
        }
        else
        {
            AppendBoxed(value);
        }
    }

    /// <summary>Whether <see cref="AppendValueOf{T}"/> has an encoding for <paramref name="type"/>: the types a key
    /// placeholder may have (strings, numbers, <see cref="bool"/>, <see cref="char"/>, enums, <see cref="Guid"/>, dates
    /// and times), or <see cref="Nullable{T}"/> of one.</summary>
    internal static bool IsEncodable([DynamicallyAccessedMembers(WrappedFieldMembers)] Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null)
        {
            // A null Nullable<Sku> and a Sku whose string is null would both be the null marker.
            return IsScalar(underlying) || WrappedFieldOfNullable(underlying) is { FieldType.IsValueType: true };
        }

        return IsScalar(type) || WrappedField(type) is not null;
    }

    private static bool IsScalar(Type type)
        => type.IsEnum || Type.GetTypeCode(type) is not (TypeCode.Object or TypeCode.Empty or TypeCode.DBNull)
            || type == typeof(Guid) || type == typeof(DateTimeOffset) || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(TimeSpan)
            || type == typeof(Int128) || type == typeof(UInt128);

    /// <summary>What a strongly typed id's check reads of its type: its fields. Passing a type to a parameter annotated
    /// so (<c>EnsureEncodable(typeof(OrderId), ...)</c> in a generated decorator) keeps their metadata under Native AOT,
    /// where reflection sees only what the compiler was told to keep.</summary>
    private const DynamicallyAccessedMemberTypes WrappedFieldMembers = DynamicallyAccessedMemberTypes.PublicFields | DynamicallyAccessedMemberTypes.NonPublicFields;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, System.Reflection.FieldInfo?> WrappedFields = new();

    /// <summary>The one field of a strongly typed id (<c>readonly record struct OrderId(Guid Value)</c>): a struct with
    /// exactly one instance field, of a scalar type. Its value is the field's, so encoding the field is injective; the
    /// key reads as <c>{id.Value}</c> would for a method taking an <c>OrderId</c>.</summary>
    private static System.Reflection.FieldInfo? WrappedField([DynamicallyAccessedMembers(WrappedFieldMembers)] Type type)
    {
        if (WrappedFields.TryGetValue(type, out var known))
        {
            return known;
        }

        System.Reflection.FieldInfo? field = null;
        if (type.IsValueType && !type.IsPrimitive && !type.IsEnum && !type.IsGenericTypeDefinition && !IsScalar(type))
        {
            var fields = type.GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
            field = fields.Length == 1 && IsScalar(fields[0].FieldType) ? fields[0] : null;
        }

        return WrappedFields.GetOrAdd(type, field);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "A Nullable<T> reaches this check only as a generic decorator's type argument (generic decorators require unreferenced code); generated closed decorators pass T itself, whose fields are kept.")]
    private static System.Reflection.FieldInfo? WrappedFieldOfNullable(Type underlying) => WrappedField(underlying);

    /// <summary>The field of a strongly typed id met as a boxed key value: known from the check of its type
    /// (<see cref="EnsureEncodable"/>, which every generated decorator runs for such a type first); else looked up, which
    /// needs the type's fields kept.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Generated decorators check each such type with EnsureEncodable, whose parameter keeps its fields, before rendering any key.")]
    private static System.Reflection.FieldInfo? WrappedFieldOf(object value) => WrappedField(value.GetType());

    /// <summary>Throws unless <paramref name="type"/> <see cref="IsEncodable"/>: generated decorators check each
    /// type argument used as a key value, and each strongly typed id a key or tag holds, once, when the decorator type is
    /// first used.</summary>
    public static void EnsureEncodable([DynamicallyAccessedMembers(WrappedFieldMembers)] Type type, string placeholder)
    {
        if (!IsEncodable(type))
        {
            throw new NotSupportedException(
                $"The key placeholder {{{placeholder}}} has type '{CacheTypeNames.Of(type)}', which has no key encoding: use a string, number, bool, char, enum, Guid or date/time type argument, or a struct with one field of such a type (a strongly typed id) (docs/keys.md).");
        }
    }

    /// <summary>Appends a strongly typed id (a struct whose one field has a key encoding) as its field; false for any
    /// other value.</summary>
    internal bool TryAppendWrapped(object value)
    {
        if (WrappedFieldOf(value) is not { } field)
        {
            return false;
        }

        if (field.GetValue(value) is { } wrapped)
        {
            AppendBoxed(wrapped);
        }
        else
        {
            AppendNull();
        }

        return true;
    }

    private void AppendBoxed(object value)
    {
        switch (value)
        {
            case string s: AppendValue(s); break;
            case bool b: AppendValue(b); break;
            case char c: AppendValue(c); break;
            case Enum e:
                if (Type.GetTypeCode(Enum.GetUnderlyingType(e.GetType())) is TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64)
                {
                    AppendValue(Convert.ToUInt64(e, CultureInfo.InvariantCulture));
                }
                else
                {
                    AppendValue(Convert.ToInt64(e, CultureInfo.InvariantCulture));
                }

                break;
            case byte n: AppendValue(n); break;
            case sbyte n: AppendValue(n); break;
            case short n: AppendValue(n); break;
            case ushort n: AppendValue(n); break;
            case int n: AppendValue(n); break;
            case uint n: AppendValue(n); break;
            case long n: AppendValue(n); break;
            case ulong n: AppendValue(n); break;
            case Int128 n: AppendValue(n); break;
            case UInt128 n: AppendValue(n); break;
            case float n: AppendValue(n); break;
            case double n: AppendValue(n); break;
            case decimal n: AppendValue(n); break;
            case Guid g: AppendValue(g); break;
            case DateTime d: AppendValue(d); break;
            case DateTimeOffset d: AppendValue(d); break;
            case DateOnly d: AppendValue(d); break;
            case TimeOnly t: AppendValue(t); break;
            case TimeSpan t: AppendValue(t); break;
            default:
                if (!TryAppendWrapped(value))
                {
                    throw new NotSupportedException($"A key value of type '{CacheTypeNames.Of(value.GetType())}' has no key encoding (docs/keys.md).");
                }

                break;
        }
    }

    /// <summary>Appends a keyed HMAC of the value (<c>{param:hash}</c>): <c>h</c>, the secret's id, <c>.</c>, then 22
    /// base64url characters (128 bits). The value itself never reaches Redis.</summary>
    public void AppendHashed(string? value)
    {
        if (value is null)
        {
            AppendNull();
            return;
        }

        var hasher = _hasher ?? throw new InvalidOperationException(
            "A key template hashes a placeholder ({param:hash}) but CachedGenOptions.KeyHashSecret is not set.");
        hasher.Append(ref this, value);
    }

    /// <summary>Appends a keyed HMAC of the value's canonical form (see <see cref="AppendHashed(string?)"/>).</summary>
    public void AppendHashed<T>(T value)
        where T : ISpanFormattable
        => AppendHashed(value.ToString(null, CultureInfo.InvariantCulture));

    /// <summary>Returns the key and releases pooled memory.</summary>
    internal string ToStringAndClear()
    {
        var result = new string(_chars[.._length]);
        Dispose();
        return result;
    }

    /// <summary>Releases pooled memory.</summary>
    internal void Dispose()
    {
        var rented = _rented;
        _rented = null;
        _chars = default;
        _length = 0;
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    internal void AppendRaw(scoped ReadOnlySpan<char> text)
    {
        EnsureCapacity(text.Length);
        text.CopyTo(_chars[_length..]);
        _length += text.Length;
    }

    private void AppendFormatted<T>(T value, scoped ReadOnlySpan<char> format)
        where T : ISpanFormattable
    {
        Span<char> buffer = stackalloc char[64];
        if (!value.TryFormat(buffer, out var written, format, CultureInfo.InvariantCulture))
        {
            AppendEscaped(value.ToString(format.IsEmpty ? null : format.ToString(), CultureInfo.InvariantCulture));
            return;
        }

        AppendEscaped(buffer[..written]);
    }

    private void AppendDigest(string value)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(value.AsSpan()), hash);
        AppendRaw("%h");
        AppendBase64Url(hash);
    }

    internal void AppendBase64Url(scoped ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[((bytes.Length + 2) / 3) * 4];
        if (!Convert.TryToBase64Chars(bytes, chars, out var written))
        {
            throw new InvalidOperationException("Base64 buffer too small.");
        }

        var span = chars[..written].TrimEnd('=');
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = span[i] switch { '+' => '-', '/' => '_', var c => c };
        }

        AppendRaw(span);
    }

    private void AppendEscaped(scoped ReadOnlySpan<char> value)
    {
        EnsureCapacity(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsUnreserved(c))
            {
                EnsureCapacity(1);
                _chars[_length++] = c;
            }
            else if (c < 0x80)
            {
                AppendPercentByte((byte)c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                AppendUtf8(value.Slice(i, 2));
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // A lone surrogate has no UTF-8 form; keep the code unit so distinct strings stay distinct.
                EnsureCapacity(6);
                _chars[_length++] = '%';
                _chars[_length++] = 'u';
                _chars[_length++] = Hex[(c >> 12) & 0xF];
                _chars[_length++] = Hex[(c >> 8) & 0xF];
                _chars[_length++] = Hex[(c >> 4) & 0xF];
                _chars[_length++] = Hex[c & 0xF];
            }
            else
            {
                AppendUtf8(value.Slice(i, 1));
            }
        }
    }

    private void AppendUtf8(scoped ReadOnlySpan<char> scalar)
    {
        Span<byte> bytes = stackalloc byte[4];
        var count = Encoding.UTF8.GetBytes(scalar, bytes);
        for (var b = 0; b < count; b++)
        {
            AppendPercentByte(bytes[b]);
        }
    }

    private void AppendPercentByte(byte b)
    {
        EnsureCapacity(3);
        _chars[_length++] = '%';
        _chars[_length++] = Hex[b >> 4];
        _chars[_length++] = Hex[b & 0xF];
    }

    /// <summary>Whether <paramref name="c"/> stands for itself in an encoded value.</summary>
    internal static bool IsUnreserved(char c)
        => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_';

    private void EnsureCapacity(int additional)
    {
        if (_length + additional <= _chars.Length)
        {
            return;
        }

        var newArray = ArrayPool<char>.Shared.Rent(Math.Max(_chars.Length * 2, _length + additional));
        _chars[.._length].CopyTo(newArray);
        var old = _rented;
        _rented = newArray;
        _chars = newArray;
        if (old is not null)
        {
            ArrayPool<char>.Shared.Return(old);
        }
    }
}
