using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using CachedGen.Runtime;
using MessagePack;

namespace CachedGen.Benchmarks;

/// <summary>
/// What the payload's integrity and safety checks cost: the depth guard on the write path (a miss's fill) and the
/// checksum on both paths, against plain MessagePack with the same options. <c>dotnet run -c Release -- --filter
/// '*PayloadBenchmarks*'</c>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
[MemoryDiagnoser]
public class PayloadBenchmarks
{
    /// <summary>An order of 50 lines: 52 objects and collections to pass through the guard.</summary>
    public sealed record OrderLine(string Sku, int Quantity, decimal Price);

    public sealed record Order(int Id, string Customer, IReadOnlyList<OrderLine> Lines);

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private ItemDto _item = null!;
    private Order _order = null!;
    private byte[] _itemPayload = null!;
    private byte[] _itemBody = null!;

    [GlobalSetup]
    public void Setup()
    {
        _item = new ItemDto { Id = 42, Name = "Item 42", Price = 9.99m, UpdatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), Tags = ["a", "b", "c"], Active = true };
        _order = new Order(7, "Ada", Enumerable.Range(0, 50).Select(i => new OrderLine("SKU-" + i, i, i * 1.5m)).ToList());
        var rented = PayloadEnvelope.Encode(_item, 1, 1_000, 61_000, int.MaxValue, out var length);
        _itemPayload = rented.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(rented);
        _itemBody = MessagePackSerializer.Serialize(_item, PayloadEnvelope.SerializerOptions);
        if (!PayloadEnvelope.TryDecode<ItemDto>(_itemPayload, 1, out var back, out _, out var error) || back.Id != 42)
        {
            throw new InvalidOperationException("payload does not round-trip: " + error);
        }
    }

    [Benchmark(Baseline = true)]
    public int Item_serialize_plain()
    {
        _buffer.ResetWrittenCount();
        MessagePackSerializer.Serialize(_buffer, _item, PayloadEnvelope.SerializerOptions);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Item_serialize_guarded()
    {
        _buffer.ResetWrittenCount();
        DepthGuardResolver.Serialize(_buffer, _item, PayloadEnvelope.WriteOptions, CachedGenOptions.DefaultMaxSerializedDepth);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Item_encode_payload()
    {
        var rented = PayloadEnvelope.Encode(_item, 1, 1_000, 61_000, 1024, out var length);
        ArrayPool<byte>.Shared.Return(rented);
        return length;
    }

    [Benchmark]
    public int Order_serialize_plain()
    {
        _buffer.ResetWrittenCount();
        MessagePackSerializer.Serialize(_buffer, _order, PayloadEnvelope.SerializerOptions);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Order_serialize_guarded()
    {
        _buffer.ResetWrittenCount();
        DepthGuardResolver.Serialize(_buffer, _order, PayloadEnvelope.WriteOptions, CachedGenOptions.DefaultMaxSerializedDepth);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int Item_deserialize_plain() => MessagePackSerializer.Deserialize<ItemDto>(_itemBody, PayloadEnvelope.SerializerOptions).Id;

    [Benchmark]
    public int Item_decode_payload() => PayloadEnvelope.TryDecode<ItemDto>(_itemPayload, 1, out var value, out _, out _) ? value.Id : -1;
}
