using System;
using CachedGen.Runtime;
using CsCheck;
using Xunit;

namespace CachedGen.Tests;

/// <summary>A tag written as an interpolated string (<see cref="CacheTagHandler"/>) is encoded exactly as a key with the
/// same template: the generated code and <c>ICacheInvalidator.InvalidateTagAsync($"...")</c> name the same tag.</summary>
public class TagEncodingTests
{
    private enum Level : byte
    {
        Low = 1,
        High = 200,
    }

    private static readonly CacheTagRenderer Renderer = new CacheRuntime(new CachedGenOptions { KeyHashSecret = new byte[32] }).TagRenderer;

    [Fact]
    public void Holes_are_encoded_as_key_placeholders_are()
    {
        var tenant = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var at = new DateTimeOffset(2026, 11, 26, 10, 30, 0, TimeSpan.FromHours(2));
        int? missing = null;
        var tag = Renderer.Render($"t:{tenant}:{"a:b/c é"}:{42}:{-1.5}:{at}:{Level.High}:{missing}:{true}");

        var builder = new CacheKeyBuilder(stackalloc char[128], null);
        builder.AppendLiteral("t:");
        builder.AppendValue(tenant);
        builder.AppendLiteral(":");
        builder.AppendValue("a:b/c é");
        builder.AppendLiteral(":");
        builder.AppendValue(42);
        builder.AppendLiteral(":");
        builder.AppendValue(-1.5);
        builder.AppendLiteral(":");
        builder.AppendValue(at);
        builder.AppendLiteral(":");
        builder.AppendValue((ulong)Level.High); // enums by their underlying value, as the generator casts them
        builder.AppendLiteral(":");
        builder.AppendNull();
        builder.AppendLiteral(":");
        builder.AppendValue(true);
        Assert.Equal(builder.ToStringAndClear(), tag);
        Assert.Equal("t:0f8fad5bd9cb469fa16570867728950e:a%3Ab%2Fc%20%C3%A9:42:-1.5:20261126T0830000000000Z:200:~:true", tag);
    }

    [Fact]
    public void Hashed_holes_are_keyed_hmacs_and_need_the_secret()
    {
        var hashed = Renderer.Render($"user:{"ann@example.com":hash}");
        Assert.StartsWith("user:h1.", hashed, StringComparison.Ordinal);
        Assert.DoesNotContain("example", hashed, StringComparison.Ordinal);

        var unkeyed = new CacheRuntime(new CachedGenOptions()).TagRenderer;
        Assert.Throws<InvalidOperationException>(() => unkeyed.Render($"user:{"ann@example.com":hash}"));
    }

    [Fact]
    public void Unsupported_values_and_formats_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Renderer.Render($"x:{new object()}"));
        Assert.Throws<FormatException>(() => Renderer.Render($"x:{42:D5}"));
    }

    [Fact]
    public void Different_values_never_render_the_same_tag()
    {
        Gen.Select(Gen.String, Gen.String).Sample(t =>
        {
            var (a, b) = t;
            return a == b || a.Length > CacheKeyBuilder.MaxRawValueLength || b.Length > CacheKeyBuilder.MaxRawValueLength
                || Renderer.Render($"t:{a}") != Renderer.Render($"t:{b}");
        });
    }
}
