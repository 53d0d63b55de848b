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

    /// <summary>Private setters and a private constructor, as EF Core and DDD entities have: the run-time resolver reads and
    /// writes non-public members.</summary>
    public sealed class PrivateSetters
    {
        private PrivateSetters()
        {
        }

        public int Id { get; private set; }

        public string Name { get; private set; } = "";

        public decimal Amount { get; }

        public static PrivateSetters Of(int id, string name) => new() { Id = id, Name = name };
    }

    /// <summary>A sorted set with its own order: written in that order, read back in the default one.</summary>
    public sealed class Ranked
    {
        public SortedSet<int> Scores { get; set; } = new(Comparer<int>.Create((a, b) => b.CompareTo(a)));
    }

    /// <summary>A get-only property computed from the others reads back as written.</summary>
    public sealed class Computed
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public string Label => Name + "#" + Id;
    }

    private const uint Fingerprint = 0xC0FFEEu;

    private static byte[] Encode<T>(T value, int threshold = 1024)
    {
        var buffer = PayloadEnvelope.Encode(value, Fingerprint, 1_000, 61_000, threshold, out var length);
        var copy = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return copy;
    }

    /// <summary>Types the generator wrote no formatter for go through MessagePack's contractless resolver, which
    /// CachedGen lets set non-public members: an entity with private setters reads back whole.</summary>
    [Fact]
    public void A_value_with_private_setters_reads_back_whole_through_the_run_time_resolver()
    {
        Assert.True(PayloadEnvelope.TryDecode<PrivateSetters>(Encode(PrivateSetters.Of(3, "x")), Fingerprint, out var back, out _, out var error), error);
        Assert.Equal((3, "x"), (back.Id, back.Name));
        var computed = new Computed { Id = 2, Name = "n" };
        Assert.True(PayloadEnvelope.TryDecode<Computed>(Encode(computed), Fingerprint, out var again, out _, out error), error);
        Assert.Equal((2, "n", "n#2"), (again.Id, again.Name, again.Label));
    }

    /// <summary>What the run-time resolver writes is read back and compared first: a value that does not read back as
    /// written is refused (not written to Redis) rather than read differently by every node.</summary>
    [Fact]
    public void A_value_the_run_time_resolver_cannot_read_back_is_refused()
    {
        var ranked = new Ranked();
        ranked.Scores.UnionWith([1, 2, 3]);
        var error = Assert.Throws<LossyRoundTripException>(() => Encode(ranked));
        Assert.Equal(typeof(Ranked), error.ValueType);
        Assert.Throws<LossyRoundTripException>(() => Encode(new List<Ranked> { ranked }));
        Assert.NotEmpty(Encode(new Ranked())); // an empty set reads back as written
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
