using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CachedGen.Runtime;
using CsCheck;
using Xunit;

namespace CachedGen.Tests;

public class ValueCipherTests
{
    private const uint Fingerprint = 0xBEEFu;
    private const string RedisKey = "app:{secret:1}#v1.0000beef";
    private static readonly byte[] KeyOne = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyTwo = Enumerable.Range(50, 32).Select(i => (byte)i).ToArray();

    public sealed record Secret(string Name, int Level);

    private static byte[] Plain(Secret value, int threshold = 1024)
    {
        var buffer = PayloadEnvelope.Encode(value, Fingerprint, 1_000, 61_000, threshold, out var length);
        var copy = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return copy;
    }

    private static bool TryRead(ValueCipher cipher, byte[] sealedPayload, string redisKey, out Secret? value)
    {
        value = null;
        if (!cipher.TryOpen(sealedPayload, redisKey, out var plain, out var length, out _))
        {
            return false;
        }

        var ok = PayloadEnvelope.TryDecode(plain.AsMemory(0, length), Fingerprint, out value, out _, out _);
        ArrayPool<byte>.Shared.Return(plain);
        return ok;
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(0)] // compressed, then encrypted
    public void Round_trips_and_hides_the_plaintext(int threshold)
    {
        var cipher = new ValueCipher(KeyOne, "1", null);
        var value = new Secret("ada lovelace " + new string('x', 100), 3);
        var sealedPayload = cipher.Seal(Plain(value, threshold), RedisKey, out var length);

        Assert.Equal(sealedPayload.Length, length);
        Assert.True(TryRead(cipher, sealedPayload, RedisKey, out var read));
        Assert.Equal(value, read);
        Assert.True(sealedPayload.AsSpan().IndexOf(Encoding.UTF8.GetBytes("ada")) < 0);
        Assert.True(PayloadEnvelope.TryReadExpiry(sealedPayload, out var expires)); // the header stays readable for Redis
        Assert.Equal(61_000, expires);
    }

    [Fact]
    public void Any_changed_bit_or_another_redis_key_fails_authentication()
    {
        var cipher = new ValueCipher(KeyOne, "1", null);
        var sealedPayload = cipher.Seal(Plain(new Secret("x", 1)), RedisKey, out _);
        for (var i = 0; i < sealedPayload.Length; i++)
        {
            var changed = (byte[])sealedPayload.Clone();
            changed[i] ^= 0x10;
            Assert.False(TryRead(cipher, changed, RedisKey, out _), $"byte {i} changed and still accepted");
        }

        Assert.False(TryRead(cipher, sealedPayload, "app:{secret:2}#v1.0000beef", out _));
    }

    [Fact]
    public void Rotation_new_writes_use_the_active_key_and_old_keys_still_decrypt()
    {
        var before = new ValueCipher(KeyOne, "1", null);
        var after = new ValueCipher(KeyTwo, "2", new Dictionary<string, byte[]> { ["1"] = KeyOne });
        var old = before.Seal(Plain(new Secret("old", 1)), RedisKey, out _);
        var fresh = after.Seal(Plain(new Secret("new", 2)), RedisKey, out _);

        Assert.True(TryRead(after, old, RedisKey, out var oldValue));
        Assert.Equal("old", oldValue!.Name);
        Assert.True(TryRead(after, fresh, RedisKey, out _));
        Assert.False(before.TryOpen(fresh, RedisKey, out _, out _, out var error));
        Assert.Contains("unknown key id", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_payloads_and_bad_keys_are_refused()
    {
        var cipher = new ValueCipher(KeyOne, "1", null);
        Assert.False(cipher.TryOpen(Plain(new Secret("plain", 1)), RedisKey, out _, out _, out var error));
        Assert.Contains("not encrypted", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ValueCipher(new byte[16], "1", null));
        Assert.Throws<ArgumentException>(() => new ValueCipher(KeyOne, "key-1", null));
    }

    [Fact]
    public void Random_and_mutated_sealed_payloads_never_throw()
    {
        var cipher = new ValueCipher(KeyOne, "1", null);
        var sealedPayload = cipher.Seal(Plain(new Secret("x", 1)), RedisKey, out _);
        Gen.Select(Gen.Int[0, 200], Gen.Byte, Gen.Int[0, 2], Gen.Byte.Array[0, 120]).Sample(
            t =>
            {
                var (position, value, mode, random) = t;
                var payload = mode switch
                {
                    0 => Set((byte[])sealedPayload.Clone(), position % sealedPayload.Length, value),
                    1 => sealedPayload[..(position % sealedPayload.Length)],
                    _ => Plain(new Secret("y", 2)).Take(22).Concat(random).ToArray(),
                };
                if (payload.Length > 1)
                {
                    payload[1] |= ValueCipher.FlagEncrypted;
                }

                return !TryRead(cipher, payload, RedisKey, out _) || payload.SequenceEqual(sealedPayload);
            },
            iter: 100_000);
    }

    private static byte[] Set(byte[] payload, int index, byte value)
    {
        payload[index] = value;
        return payload;
    }
}
