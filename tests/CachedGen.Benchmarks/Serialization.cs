using System;
using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;
using MessagePack;
using MessagePack.Resolvers;
using Microsoft.Extensions.Caching.Hybrid;
using ZiggyCreatures.Caching.Fusion.Serialization;

namespace CachedGen.Benchmarks;

/// <summary>One MessagePack configuration for every path, the same one CachedGen uses for its payload body
/// (contractless resolver, untrusted-data security), so that the rows differ by cache library, not by serializer.</summary>
public static class BenchSerializer
{
    public static readonly MessagePackSerializerOptions Options =
        ContractlessStandardResolver.Options.WithSecurity(MessagePackSecurity.UntrustedData);
}

/// <summary>FusionCache's distributed-cache serializer over MessagePack.</summary>
public sealed class MessagePackFusionCacheSerializer : IFusionCacheSerializer
{
    public byte[] Serialize<T>(T? obj) => MessagePackSerializer.Serialize(obj, BenchSerializer.Options);

    public T? Deserialize<T>(byte[] data) => MessagePackSerializer.Deserialize<T>(data, BenchSerializer.Options);

    public ValueTask<byte[]> SerializeAsync<T>(T? obj, CancellationToken token = default) => new(Serialize(obj));

    public ValueTask<T?> DeserializeAsync<T>(byte[] data, CancellationToken token = default) => new(Deserialize<T>(data));
}

/// <summary>HybridCache's serializer over MessagePack, for every type.</summary>
public sealed class MessagePackHybridCacheSerializerFactory : IHybridCacheSerializerFactory
{
    public bool TryCreateSerializer<T>([NotNullWhen(true)] out IHybridCacheSerializer<T>? serializer)
    {
        serializer = Serializer<T>.Instance;
        return true;
    }

    private sealed class Serializer<T> : IHybridCacheSerializer<T>
    {
        public static readonly Serializer<T> Instance = new();

        public T Deserialize(ReadOnlySequence<byte> source) => MessagePackSerializer.Deserialize<T>(source, BenchSerializer.Options);

        public void Serialize(T value, IBufferWriter<byte> target) => MessagePackSerializer.Serialize(target, value, BenchSerializer.Options);
    }
}
