using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using CachedGen.Runtime;
using MessagePack;
using Xunit;

namespace CachedGen.Tests;

/// <summary>The checksum that ends every payload: no changed bit and no truncation is ever served.</summary>
public class PayloadIntegrityTests
{
    public sealed record Line(string Sku, int Quantity);

    public sealed record Order(int Id, string Customer, IReadOnlyList<Line> Lines, bool Paid);

    private const uint Fingerprint = 0xABCD1234u;

    private static byte[] Encode<T>(T value, int threshold)
    {
        var buffer = PayloadEnvelope.Encode(value, Fingerprint, 1_000, 61_000, threshold, out var length);
        var copy = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return copy;
    }

    public static TheoryData<string, bool> Payloads() => new() { { "plain", false }, { "lz4", true } };

    private static byte[] Payload(bool compressed)
    {
        var order = compressed
            ? new Order(42, "Ada Lovelace", Enumerable.Range(0, 60).Select(i => new Line("SKU-" + (i % 7), i)).ToList(), true)
            : new Order(42, "Ada Lovelace", [new Line("SKU-1", 2), new Line("SKU-2", 1)], true);
        var payload = Encode(order, threshold: compressed ? 256 : int.MaxValue);
        Assert.Equal(compressed ? PayloadEnvelope.FlagLz4 : 0, payload[1]);
        Assert.True(PayloadEnvelope.TryDecode<Order>(payload, Fingerprint, out var back, out _, out var error), error);
        Assert.Equal(order.Lines, back.Lines);
        return payload;
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Every_single_flipped_bit_is_rejected_never_thrown(string name, bool compressed)
    {
        var payload = Payload(compressed);
        var accepted = new List<int>();
        for (var bit = 0; bit < payload.Length * 8; bit++)
        {
            var damaged = payload.ToArray();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            if (PayloadEnvelope.TryDecode<Order>(damaged, Fingerprint, out _, out _, out _))
            {
                accepted.Add(bit);
            }
        }

        Assert.True(accepted.Count == 0, $"{name}: {accepted.Count} of {payload.Length * 8} flipped bits were served, first at bit {accepted.FirstOrDefault()}");
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Every_truncation_is_rejected_never_thrown(string name, bool compressed)
    {
        var payload = Payload(compressed);
        for (var length = 0; length < payload.Length; length++)
        {
            Assert.False(PayloadEnvelope.TryDecode<Order>(payload.AsMemory(0, length), Fingerprint, out _, out _, out var error), $"{name}: truncated to {length} bytes was served");
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void A_renamed_map_key_is_caught_by_the_checksum()
    {
        // The corruption that motivated the checksum: one bit turns "Paid" into "Pahd", a well-formed body whose field
        // would silently come back with its default value.
        var payload = Payload(compressed: false);
        var at = payload.AsSpan().IndexOf("Paid"u8);
        Assert.True(at > 0);
        payload[at + 2] ^= 0x01;
        Assert.False(PayloadEnvelope.TryDecode<Order>(payload, Fingerprint, out _, out _, out var error));
        Assert.Contains("checksum", error, StringComparison.Ordinal);

        // Without the check the body still decodes, with the field lost: this is what would have been served.
        var body = payload.AsMemory(PayloadEnvelope.HeaderSize, payload.Length - PayloadEnvelope.HeaderSize - PayloadEnvelope.ChecksumSize);
        var silently = MessagePackSerializer.Deserialize<Order>(body, PayloadEnvelope.SerializerOptions);
        Assert.False(silently.Paid);
    }

    [Fact]
    public void A_payload_of_the_previous_format_is_a_miss_named_as_such()
    {
        // Format 1: the same 22-byte header, then the body, and no checksum.
        var body = MessagePackSerializer.Serialize(new Order(1, "x", [], false), PayloadEnvelope.SerializerOptions);
        var old = new byte[PayloadEnvelope.HeaderSize + body.Length];
        old[0] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(old.AsSpan(2), Fingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(old.AsSpan(6), 1_000);
        BinaryPrimitives.WriteInt64LittleEndian(old.AsSpan(14), 61_000);
        body.CopyTo(old, PayloadEnvelope.HeaderSize);

        Assert.False(PayloadEnvelope.TryDecode<Order>(old, Fingerprint, out _, out _, out var error));
        Assert.Same(PayloadEnvelope.PreviousFormat, error);
        Assert.False(PayloadEnvelope.TryDecode<Order>(old.AsMemory(0, PayloadEnvelope.HeaderSize), Fingerprint, out _, out _, out error));
        Assert.Same(PayloadEnvelope.PreviousFormat, error);
    }

    [Fact]
    public void The_checksum_ends_the_payload_and_the_expiry_stays_where_the_scripts_read_it()
    {
        var payload = Payload(compressed: false);
        Assert.Equal(PayloadEnvelope.Format, payload[0]);
        Assert.Equal(2, PayloadEnvelope.Format);
        Assert.True(PayloadEnvelope.TryReadExpiry(payload, out var expires));
        Assert.Equal(61_000, expires);
        Assert.Equal(61_000, BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(14)));
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(payload.AsSpan(0, payload.Length - 8)), BinaryPrimitives.ReadUInt64LittleEndian(payload.AsSpan(payload.Length - 8)));
    }
}
