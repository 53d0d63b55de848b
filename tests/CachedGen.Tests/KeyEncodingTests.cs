using System;
using System.Collections.Generic;
using System.Text;
using CachedGen.Runtime;
using CsCheck;
using Xunit;

namespace CachedGen.Tests;

/// <summary>The key encoding must be injective: two different argument tuples never share a Redis key.</summary>
public class KeyEncodingTests
{
    // Renders as the generator's key renderer of the template "t:{a}:{b}" does.
    private readonly record struct PairKey(string? A, string? B)
    {
        public void Render(ref CacheKeyBuilder builder)
        {
            builder.AppendLiteral("t:");
            builder.AppendValue(A);
            builder.AppendLiteral(":");
            builder.AppendValue(B);
        }
    }

    private static string Render(PairKey key, KeyHasher? hasher = null)
    {
        var builder = new CacheKeyBuilder(stackalloc char[64], hasher);
        key.Render(ref builder);
        return builder.ToStringAndClear();
    }

    private static string Render(ValuesKey key)
    {
        var builder = new CacheKeyBuilder(stackalloc char[64], null);
        key.Render(ref builder);
        return builder.ToStringAndClear();
    }

    // Separators, braces, control characters, the encoding's own markers, non-ASCII, and lone surrogates.
    private static readonly Gen<char> HostileChar = Gen.OneOf(
        Gen.Char['a', 'e'],
        Gen.Int[0, 25].Select(i => new[] { ':', '{', '}', '%', '~', '#', '/', '|', ' ', '\0', '\n', '\u007f', '-', '.', '_', 'é', '中', '\uD800', '\uDC00', '\uFFFF', 'h', 'u', 'A', 'F', '2', '3' }[i]),
        Gen.Char);

    private static readonly Gen<string?> HostileString = Gen.Frequency(
        (1, Gen.Const((string?)null)),
        (2, Gen.Const((string?)"")),
        (20, HostileChar.Array[0, 12].Select(c => (string?)new string(c))),
        (2, HostileChar.Array[95, 110].Select(c => (string?)new string(c))));

    [Fact]
    public void Rendered_key_decodes_back_to_its_arguments()
    {
        Gen.Select(HostileString, HostileString).Sample(
            t =>
            {
                var (a, b) = t;
                if (a?.Length > CacheKeyBuilder.MaxRawValueLength || b?.Length > CacheKeyBuilder.MaxRawValueLength)
                {
                    return true;
                }

                var key = Render(new PairKey(a, b));
                var parts = key.Split(':');
                return parts.Length == 3 && parts[0] == "t" && Decode(parts[1]) == a && Decode(parts[2]) == b;
            },
            iter: 50_000);
    }

    [Fact]
    public void Distinct_argument_tuples_render_distinct_keys()
    {
        Gen.Select(HostileString, HostileString, HostileString, HostileString).Sample(
            t =>
            {
                var (a1, b1, a2, b2) = t;
                var same = a1 == a2 && b1 == b2;
                var first = Render(new PairKey(a1, b1));

                // Bounded: a value of up to MaxRawValueLength characters encodes to at most 9 characters each (three
                // percent-encoded UTF-8 bytes); a longer one to its digest.
                return first.Length <= "t::".Length + (2 * 9 * CacheKeyBuilder.MaxRawValueLength)
                    && same == (first == Render(new PairKey(a2, b2)));
            },
            iter: 100_000);
    }

    [Fact]
    public void Shifting_a_separator_between_values_changes_the_key()
    {
        Assert.NotEqual(Render(new PairKey("a:b", "c")), Render(new PairKey("a", "b:c")));
        Assert.Equal("t:a%3Ab:c", Render(new PairKey("a:b", "c")));
    }

    [Fact]
    public void Null_empty_and_the_null_marker_are_three_keys()
    {
        var keys = new HashSet<string>
        {
            Render(new PairKey(null, "x")),
            Render(new PairKey("", "x")),
            Render(new PairKey("~", "x")),
        };
        Assert.Equal(3, keys.Count);
    }

    [Fact]
    public void Lone_surrogates_stay_distinct()
    {
        Assert.NotEqual(Render(new PairKey("\uD800", "")), Render(new PairKey("\uD801", "")));
        Assert.NotEqual(Render(new PairKey("\uD800", "")), Render(new PairKey("\uFFFD", "")));
    }

    [Fact]
    public void Long_values_are_digested_and_bounded()
    {
        var longA = new string('a', 1_000_000);
        var longB = longA[..^1] + "b";
        var keyA = Render(new PairKey(longA, "x"));
        var keyB = Render(new PairKey(longB, "x"));
        Assert.NotEqual(keyA, keyB);
        Assert.True(keyA.Length < 64, keyA);
        Assert.StartsWith("t:%h", keyA, StringComparison.Ordinal);
    }

    private readonly record struct ValuesKey(int I, double D, DateTimeOffset O, DateTime T, Guid G, bool B, decimal M = 1.5m, decimal Z = 0m)
    {
        public void Render(ref CacheKeyBuilder builder)
        {
            builder.AppendValue(I);
            builder.AppendLiteral(":");
            builder.AppendValue(D);
            builder.AppendLiteral(":");
            builder.AppendValue(M);
            builder.AppendLiteral(":");
            builder.AppendValue(Z);
            builder.AppendLiteral(":");
            builder.AppendValue(O);
            builder.AppendLiteral(":");
            builder.AppendValue(T);
            builder.AppendLiteral(":");
            builder.AppendValue(G);
            builder.AppendLiteral(":");
            builder.AppendValue(B);
        }
    }

    [Fact]
    public void Values_that_compare_equal_render_the_same_key()
    {
        var instant = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        var a = new ValuesKey(-5, 0.0, instant, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), Guid.Empty, true);
        var b = a with { D = -0.0, O = instant.ToOffset(TimeSpan.FromHours(2)), T = DateTime.SpecifyKind(a.T, DateTimeKind.Local), M = 1.50m, Z = -0.000m };
        Assert.Equal(a, b);
        Assert.Equal(Render(a), Render(b));
        Assert.Equal("-5:0:1.5:0:20261125T1200000000000Z:20260102T0304050000000:00000000000000000000000000000000:true", Render(a));
    }

    /// <summary>Int128 and UInt128 render as the other integers, whatever the current culture (sv-SE writes its minus
    /// sign as U+2212): invariant digits and '-', directly, through a type argument (boxed), and in a tag.</summary>
    [Fact]
    public void Int128_and_UInt128_render_as_invariant_integers()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("sv-SE");
        try
        {
            var builder = new CacheKeyBuilder(stackalloc char[16], null);
            builder.AppendValue(Int128.MinValue);
            builder.AppendLiteral(":");
            builder.AppendValue((Int128)(-42));
            builder.AppendLiteral(":");
            builder.AppendValue(UInt128.MaxValue);
            Assert.Equal("-170141183460469231731687303715884105728:-42:340282366920938463463374607431768211455", builder.ToStringAndClear());

            var boxed = new CacheKeyBuilder(stackalloc char[16], null);
            boxed.AppendValueOf(Int128.MaxValue);
            boxed.AppendLiteral(":");
            boxed.AppendValueOf((UInt128?)7);
            boxed.AppendLiteral(":");
            boxed.AppendValueOf((Int128?)null);
            Assert.Equal("170141183460469231731687303715884105727:7:~", boxed.ToStringAndClear());

            Assert.True(CacheKeyBuilder.IsEncodable(typeof(Int128)));
            Assert.True(CacheKeyBuilder.IsEncodable(typeof(UInt128?)));
            var tags = new CacheRuntime(new CachedGenOptions()).TagRenderer;
            Assert.Equal("t:-5:9", tags.Render($"t:{(Int128)(-5)}:{(UInt128)9}"));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    /// <summary>Decimals render at their smallest scale, every digit kept: equal values, one key; different values, two.</summary>
    [Theory]
    [InlineData("1.50", "1.5")]
    [InlineData("-1.100", "-1.1")]
    [InlineData("100.00", "100")]
    [InlineData("0.0000001", "0.0000001")]
    [InlineData("1.0000000000000000000000000001", "1.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("-0.00", "0")]
    public void Decimals_render_without_trailing_zeros(string text, string rendered)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        var builder = new CacheKeyBuilder(stackalloc char[64], null);
        builder.AppendValue(value);
        Assert.Equal(rendered, builder.ToStringAndClear());
        var boxed = new CacheKeyBuilder(stackalloc char[64], null);
        boxed.AppendValueOf(value);
        Assert.Equal(rendered, boxed.ToStringAndClear());
    }

    [Fact]
    public void Hashed_placeholders_use_the_secret_and_its_id()
    {
        var secret1 = Encoding.UTF8.GetBytes(new string('k', 32));
        var secret2 = Encoding.UTF8.GetBytes(new string('q', 32));
        var one = new KeyHasher(secret1, "1");
        var two = new KeyHasher(secret2, "2");

        string Hash(KeyHasher hasher, string value)
        {
            var builder = new CacheKeyBuilder(stackalloc char[64], hasher);
            builder.AppendHashed(value);
            return builder.ToStringAndClear();
        }

        var email = "ada@example.com";
        Assert.Equal(Hash(one, email), Hash(one, email));
        Assert.NotEqual(Hash(one, email), Hash(two, email));
        Assert.NotEqual(Hash(one, email), Hash(one, "bob@example.com"));
        Assert.StartsWith("h1.", Hash(one, email), StringComparison.Ordinal);
        Assert.DoesNotContain("ada", Hash(one, email), StringComparison.Ordinal);
        Assert.Equal(3 + 22, Hash(one, email).Length);
    }

    [Fact]
    public void Hashing_without_a_secret_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            var builder = new CacheKeyBuilder(stackalloc char[16], null);
            builder.AppendHashed("x");
        });
        Assert.Contains("KeyHashSecret", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Inverse of the value encoding (test oracle): percent-decoding with UTF-8 bytes and %uXXXX units.</summary>
    private static string? Decode(string encoded)
    {
        if (encoded == "~")
        {
            return null;
        }

        var text = new StringBuilder();
        var bytes = new List<byte>();
        void Flush()
        {
            if (bytes.Count > 0)
            {
                text.Append(new UTF8Encoding(false, true).GetString(bytes.ToArray()));
                bytes.Clear();
            }
        }

        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c != '%')
            {
                Flush();
                Assert.True(CacheKeyBuilder.IsUnreserved(c), $"raw '{c}' in {encoded}");
                text.Append(c);
            }
            else if (encoded[i + 1] == 'u')
            {
                Flush();
                text.Append((char)Convert.ToInt32(encoded.Substring(i + 2, 4), 16));
                i += 5;
            }
            else
            {
                bytes.Add(Convert.ToByte(encoded.Substring(i + 1, 2), 16));
                i += 2;
            }
        }

        Flush();
        return text.ToString();
    }
}
