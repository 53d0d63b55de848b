using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using MessagePack;
using MessagePack.Formatters;

namespace CachedGen.Runtime;

/// <summary>
/// Formatters for framework types MessagePack 2.5 has none for, which cached values carry: <see cref="Int128"/> and
/// <see cref="UInt128"/> (the contractless resolver failed on them, so a value holding one was never stored) and
/// <see cref="JsonElement"/> and the <see cref="JsonNode"/> family (it wrote their public properties, so they came back
/// empty). Consulted after the generated formatters and before MessagePack's own; no reflection, so Native AOT safe.
/// </summary>
internal static class FrameworkFormatters
{
    public static IMessagePackFormatter<T>? Find<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create(typeof(T));
    }

    private static object? Create(Type type)
    {
        if (type == typeof(Int128)) return new Int128Formatter();
        if (type == typeof(Int128?)) return new NullableFormatter<Int128>();
        if (type == typeof(UInt128)) return new UInt128Formatter();
        if (type == typeof(UInt128?)) return new NullableFormatter<UInt128>();
        if (type == typeof(JsonElement)) return new JsonElementFormatter();
        if (type == typeof(JsonElement?)) return new NullableFormatter<JsonElement>();
        if (type == typeof(JsonNode)) return new JsonNodeFormatter<JsonNode>();
        if (type == typeof(JsonObject)) return new JsonNodeFormatter<JsonObject>();
        if (type == typeof(JsonArray)) return new JsonNodeFormatter<JsonArray>();
        if (type == typeof(JsonValue)) return new JsonNodeFormatter<JsonValue>();
        return null;
    }

    /// <summary>Sixteen bytes, little-endian two's complement, as MessagePack <c>bin</c>.</summary>
    private sealed class Int128Formatter : IMessagePackFormatter<Int128>
    {
        public void Serialize(ref MessagePackWriter writer, Int128 value, MessagePackSerializerOptions options)
        {
            writer.WriteBinHeader(16);
            BinaryPrimitives.WriteInt128LittleEndian(writer.GetSpan(16), value);
            writer.Advance(16);
        }

        public Int128 Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
            => BinaryPrimitives.ReadInt128LittleEndian(Sixteen(ref reader));
    }

    private sealed class UInt128Formatter : IMessagePackFormatter<UInt128>
    {
        public void Serialize(ref MessagePackWriter writer, UInt128 value, MessagePackSerializerOptions options)
        {
            writer.WriteBinHeader(16);
            BinaryPrimitives.WriteUInt128LittleEndian(writer.GetSpan(16), value);
            writer.Advance(16);
        }

        public UInt128 Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
            => BinaryPrimitives.ReadUInt128LittleEndian(Sixteen(ref reader));
    }

    private static ReadOnlySpan<byte> Sixteen(ref MessagePackReader reader)
    {
        var bytes = reader.ReadBytes() ?? throw new MessagePackSerializationException("A 128-bit integer was nil.");
        if (bytes.Length != 16)
        {
            throw new MessagePackSerializationException($"A 128-bit integer has {bytes.Length} bytes, not 16.");
        }

        return bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
    }

    /// <summary>The element's JSON text as a MessagePack string; <c>nil</c> for <c>default(JsonElement)</c>.</summary>
    private sealed class JsonElementFormatter : IMessagePackFormatter<JsonElement>
    {
        public void Serialize(ref MessagePackWriter writer, JsonElement value, MessagePackSerializerOptions options)
        {
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteNil();
                return;
            }

            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                value.WriteTo(json);
            }

            writer.WriteString(buffer.WrittenSpan);
        }

        public JsonElement Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return default;
            }

            var text = reader.ReadStringSequence() ?? default;
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
    }

    /// <summary>The node's JSON text as a MessagePack string; <c>nil</c> for null.</summary>
    private sealed class JsonNodeFormatter<TNode> : IMessagePackFormatter<TNode?>
        where TNode : JsonNode
    {
        public void Serialize(ref MessagePackWriter writer, TNode? value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNil();
                return;
            }

            var buffer = new ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer))
            {
                value.WriteTo(json);
            }

            writer.WriteString(buffer.WrittenSpan);
        }

        public TNode? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            if (reader.TryReadNil())
            {
                return null;
            }

            var text = reader.ReadStringSequence() ?? default;
            var reader2 = new Utf8JsonReader(text);
            return JsonNode.Parse(ref reader2) as TNode ?? throw new MessagePackSerializationException($"The JSON is not a {typeof(TNode).Name}.");
        }
    }
}
