using System;
using System.Security.Cryptography;
using CachedGen.Runtime;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The payload codec of one method, without Redis: round trip, sealing, size limit, and rejection.</summary>
public class PayloadCodecTests
{
    private static readonly FakeTimeProvider Time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static (PayloadCodec<string> Codec, MethodPolicy Policy) Create(CacheRuntime runtime, bool sensitive = false, int maxValueBytes = 0)
    {
        var descriptor = new CacheMethodDescriptor<ValueTuple<int>, string>("Tests.IRepo.Codec", static (in ValueTuple<int> k, ref CacheKeyBuilder b) => b.AppendValue(k.Item1))
        {
            Ttl = TimeSpan.FromSeconds(30),
            KeySuffix = "#v1",
            ShapeFingerprint = 7,
            MaxValueBytes = maxValueBytes,
            Sensitive = sensitive,
        };
        return (new PayloadCodec<string>(descriptor, runtime, sensitive ? runtime.Cipher : null, k => k), MethodPolicy.Create(descriptor, runtime.Options));
    }

    [Fact]
    public void A_value_round_trips_with_its_logical_expiry()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions { TimeProvider = Time, TtlJitter = 0 });
        var (codec, policy) = Create(runtime);
        var encoded = codec.Encode("k", "hello", policy)!;

        Assert.Equal(Time.GetUtcNow().ToUnixTimeMilliseconds() + 30_000, encoded.ExpiresUnixMs);
        Assert.True(codec.TryDecode(encoded.Memory, "k", out var value, out var expires));
        Assert.Equal("hello", value);
        Assert.Equal(encoded.ExpiresUnixMs, expires);
    }

    [Fact]
    public void A_sealed_payload_opens_only_under_its_own_key()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions { TimeProvider = Time, ValueEncryptionKey = RandomNumberGenerator.GetBytes(32) });
        var (codec, policy) = Create(runtime, sensitive: true);
        var encoded = codec.Encode("k1", "secret", policy)!;

        Assert.True(codec.Encrypts);
        Assert.True(codec.TryDecode(encoded.Memory, "k1", out var value, out _));
        Assert.Equal("secret", value);
        Assert.False(codec.TryDecode(encoded.Memory, "k2", out _, out _));
    }

    [Fact]
    public void A_value_over_the_maximum_is_not_encoded_and_garbage_is_not_decoded()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions { TimeProvider = Time });
        var (codec, policy) = Create(runtime, maxValueBytes: 64);
        Assert.Null(codec.Encode("k", new string('x', 200), policy));
        Assert.False(codec.TryDecode(new byte[] { 1, 2, 3 }, "k", out _, out _));
    }
}
