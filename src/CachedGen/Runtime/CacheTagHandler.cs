using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code, and for the compiler: an interpolated string passed to
/// <see cref="ICacheInvalidator.InvalidateTagAsync(ref CacheTagHandler)"/> is built with it; no one names it.
/// Renders a tag from an interpolated string with the key encoding (see <see cref="CacheKeyBuilder"/>): literals as
/// written, each hole encoded by its type, <c>{value:hash}</c> as a keyed HMAC. The generated code renders the tags of a
/// cached call and of an invalidating write with it, and so does <see cref="ICacheInvalidator.InvalidateTagAsync(ref CacheTagHandler)"/>,
/// so the three always agree: <c>$"tenant:{tenantId}:forms"</c> names the same tag wherever it is written.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[InterpolatedStringHandler]
public ref struct CacheTagHandler
{
    private CacheKeyBuilder _builder;

    /// <summary>Starts a tag for <paramref name="invalidator"/> (whose key-hashing secret <c>{x:hash}</c> uses).</summary>
    public CacheTagHandler(int literalLength, int formattedCount, ICacheInvalidator invalidator)
        : this(literalLength, (invalidator as CacheRuntime)?.Hasher)
    {
    }

    /// <summary>Starts a tag rendered by <paramref name="renderer"/>.</summary>
    public CacheTagHandler(int literalLength, int formattedCount, CacheTagRenderer renderer)
        : this(literalLength, renderer?.Hasher)
    {
    }

    private CacheTagHandler(int literalLength, KeyHasher? hasher)
    {
        _builder = new CacheKeyBuilder(new char[Math.Max(16, literalLength * 2)], hasher);
    }

    /// <summary>Appends template text verbatim.</summary>
    public void AppendLiteral(string value) => _builder.AppendLiteral(value);

    /// <summary>Appends a value with the key encoding of its type.</summary>
    public void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    /// <summary>Appends a value with the key encoding of its type; the format <c>hash</c> appends its keyed HMAC.</summary>
    public void AppendFormatted<T>(T value, string? format)
    {
        if (format is not null && !string.Equals(format, "hash", StringComparison.Ordinal))
        {
            throw new FormatException($"A tag placeholder takes no format other than ':hash' (got ':{format}').");
        }

        object? boxed = value;
        if (boxed is null)
        {
            _builder.AppendNull();
            return;
        }

        if (format is not null)
        {
            _builder.AppendHashed(boxed is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : boxed.ToString());
            return;
        }

        switch (boxed)
        {
            case string s: _builder.AppendValue(s); break;
            case char c: _builder.AppendValue(c); break;
            case bool b: _builder.AppendValue(b); break;
            case Enum e: AppendEnum(e); break;
            case byte n: _builder.AppendValue(n); break;
            case sbyte n: _builder.AppendValue(n); break;
            case short n: _builder.AppendValue(n); break;
            case ushort n: _builder.AppendValue(n); break;
            case int n: _builder.AppendValue(n); break;
            case uint n: _builder.AppendValue(n); break;
            case long n: _builder.AppendValue(n); break;
            case ulong n: _builder.AppendValue(n); break;
            case Int128 n: _builder.AppendValue(n); break;
            case UInt128 n: _builder.AppendValue(n); break;
            case float n: _builder.AppendValue(n); break;
            case double n: _builder.AppendValue(n); break;
            case decimal n: _builder.AppendValue(n); break;
            case Guid g: _builder.AppendValue(g); break;
            case DateTime d: _builder.AppendValue(d); break;
            case DateTimeOffset d: _builder.AppendValue(d); break;
            case DateOnly d: _builder.AppendValue(d); break;
            case TimeOnly t: _builder.AppendValue(t); break;
            case TimeSpan t: _builder.AppendValue(t); break;
            default:
                if (_builder.TryAppendWrapped(boxed))
                {
                    break; // a strongly typed id, as its field: the same as in a key
                }

                throw new ArgumentException(
                    $"A '{boxed.GetType()}' has no stable tag encoding (use a member of it, or a string, number, enum, Guid or date).",
                    nameof(value));
        }
    }

    private void AppendEnum(Enum value)
    {
        // As the key encoding does: the underlying integer, not the name (which a rename would change).
        switch (Type.GetTypeCode(Enum.GetUnderlyingType(value.GetType())))
        {
            case TypeCode.Byte or TypeCode.UInt16 or TypeCode.UInt32 or TypeCode.UInt64:
                _builder.AppendValue(Convert.ToUInt64(value, CultureInfo.InvariantCulture));
                break;
            default:
                _builder.AppendValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Returns the rendered tag.</summary>
    public string ToStringAndClear() => _builder.ToStringAndClear();
}
