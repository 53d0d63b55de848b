using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using CachedGen.Runtime;
using CsCheck;
using MessagePack;
using Xunit;

namespace CachedGen.Tests;

public class PayloadEnvelopeTests
{
    public sealed record PlainDto(int Id, string Title, decimal Price, DateTime When, IReadOnlyList<string> Tags, bool Active);

    [MessagePackObject]
    public sealed class AttributedDto
    {
        [Key(0)]
        public int Id { get; set; }

        [Key(1)]
        public string? Name { get; set; }
    }

    private const uint Fingerprint = 0xC0FFEEu;

    private static byte[] Encode<T>(T value, int threshold = 1024)
    {
        var buffer = PayloadEnvelope.Encode(value, Fingerprint, 1_000, 61_000, threshold, out var length);
        var copy = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return copy;
    }

    [Fact]
    public void Plain_records_round_trip()
    {
        var dto = new PlainDto(7, "Intake form", 12.5m, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), ["a", "b"], true);
        Assert.True(PayloadEnvelope.TryDecode<PlainDto>(Encode(dto), Fingerprint, out var back, out var expires, out var error), error);
        Assert.Equal(dto.Id, back.Id);
        Assert.Equal(dto.Title, back.Title);
        Assert.Equal(dto.Price, back.Price);
        Assert.Equal(dto.When, back.When);
        Assert.Equal(dto.Tags, back.Tags);
        Assert.Equal(61_000, expires);
    }

    [Fact]
    public void Attributed_types_and_nulls_round_trip()
    {
        Assert.True(PayloadEnvelope.TryDecode<AttributedDto>(Encode(new AttributedDto { Id = 3, Name = "x" }), Fingerprint, out var back, out _, out _));
        Assert.Equal(3, back.Id);
        Assert.Equal("x", back.Name);
        Assert.True(PayloadEnvelope.TryDecode<PlainDto?>(Encode<PlainDto?>(null), Fingerprint, out var none, out _, out _));
        Assert.Null(none);
    }

    [Fact]
    public void Large_values_are_compressed_above_the_threshold()
    {
        var dto = new PlainDto(1, new string('x', 10_000), 1, DateTime.UnixEpoch, [], false);
        var compressed = Encode(dto, threshold: 1024);
        var plain = Encode(dto, threshold: int.MaxValue);
        Assert.Equal(PayloadEnvelope.FlagLz4, compressed[1]);
        Assert.Equal(0, plain[1]);
        Assert.True(compressed.Length < plain.Length / 10);
        Assert.True(PayloadEnvelope.TryDecode<PlainDto>(compressed, Fingerprint, out var back, out _, out _));
        Assert.Equal(dto.Title, back.Title);
    }

    [Fact]
    public void Payload_of_another_shape_is_rejected()
    {
        Assert.False(PayloadEnvelope.TryDecode<PlainDto>(Encode(new PlainDto(1, "a", 1, DateTime.UnixEpoch, [], true)), Fingerprint + 1, out _, out _, out var error));
        Assert.Contains("shape", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_are_a_miss_never_an_exception()
    {
        Gen.Byte.Array[0, 200].Sample(
            bytes => !PayloadEnvelope.TryDecode<PlainDto>(bytes, Fingerprint, out _, out _, out _) || bytes.Length >= PayloadEnvelope.HeaderSize,
            iter: 100_000);
    }

    [Fact]
    public void Mutated_payloads_are_a_miss_or_a_valid_value_never_an_exception()
    {
        var small = Encode(new PlainDto(7, "Intake", 1m, DateTime.UnixEpoch, ["a", "b", "c"], true));
        var large = Encode(new PlainDto(8, new string('y', 4_000), 2m, DateTime.UnixEpoch, Enumerable.Repeat("tag", 50).ToList(), false));
        Gen.Select(Gen.Bool, Gen.Int[0, 5_000], Gen.Byte, Gen.Int[0, 3]).Sample(
            t =>
            {
                var (useLarge, position, value, mode) = t;
                var payload = (useLarge ? large : small).ToArray();
                var index = position % payload.Length;
                payload = mode switch
                {
                    0 => Set(payload, index, value),
                    1 => payload[..index],
                    2 => payload.Concat(new[] { value }).ToArray(),
                    _ => Set(Set(payload, index, value), payload.Length - 1 - index, (byte)~value),
                };
                PayloadEnvelope.TryDecode<PlainDto>(payload, Fingerprint, out _, out _, out _);
                return true;
            },
            iter: 100_000);
    }

    private static byte[] Set(byte[] bytes, int index, byte value)
    {
        bytes[index] = value;
        return bytes;
    }
}
