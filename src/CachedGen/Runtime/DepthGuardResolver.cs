using System;
using System.Buffers;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace CachedGen.Runtime;

/// <summary>
/// Bounds the depth of an object graph while it is serialized. MessagePack 2.x limits depth on read only: serializing an
/// instance with a cycle (an ORM entity whose child points back at its parent) recurses until the stack overflows,
/// which ends the process. This resolver wraps the formatter of every reference type (strings and byte arrays aside):
/// the wrapper counts the nesting on its thread and throws <see cref="SerializedGraphTooDeepException"/> past the
/// limit. Formatters of objects and collections resolve their members' and items' formatters through
/// <c>options.Resolver</c>, so every nested object and collection passes through a wrapper.
/// </summary>
/// <remarks>Used for writing only: reading keeps the unwrapped options (MessagePack's own depth limit applies there),
/// so an L2 hit pays nothing for it.</remarks>
internal sealed class DepthGuardResolver : IFormatterResolver
{
    public static readonly DepthGuardResolver Instance = new();

    /// <summary>Nesting of the value being serialized on this thread (objects and collections).</summary>
    [ThreadStatic]
    private static int t_depth;

    /// <summary>The limit of the serialization running on this thread (0: none running through
    /// <see cref="Serialize"/>; <see cref="CachedGenOptions.MaxSerializedDepth"/>'s default applies).</summary>
    [ThreadStatic]
    private static int t_limit;

    private DepthGuardResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    /// <summary>Serializes <paramref name="value"/> with <paramref name="options"/> (whose resolver is this one),
    /// throwing <see cref="SerializedGraphTooDeepException"/> when the graph nests deeper than
    /// <paramref name="maxDepth"/> (a cycle always does).</summary>
    public static void Serialize<T>(IBufferWriter<byte> writer, T value, MessagePackSerializerOptions options, int maxDepth)
    {
        var (depth, limit) = (t_depth, t_limit);
        t_depth = 0;
        t_limit = maxDepth;
        try
        {
            MessagePackSerializer.Serialize(writer, value, options);
        }
        catch (MessagePackSerializationException ex) when (ex.InnerException is SerializedGraphTooDeepException tooDeep)
        {
            throw tooDeep;
        }
        finally
        {
            (t_depth, t_limit) = (depth, limit);
        }
    }

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Wrap(ContractlessStandardResolver.Instance.GetFormatter<T>());

        private static IMessagePackFormatter<T>? Wrap(IMessagePackFormatter<T>? inner)
            => inner is null || typeof(T).IsValueType || typeof(T) == typeof(string) || typeof(T) == typeof(byte[]) || typeof(T) == typeof(object)
                ? inner
                : new Guarded<T>(inner);
    }

    private sealed class Guarded<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            if (value is null)
            {
                inner.Serialize(ref writer, value, options);
                return;
            }

            var limit = t_limit == 0 ? CachedGenOptions.DefaultMaxSerializedDepth : t_limit;
            if (++t_depth > limit)
            {
                t_depth--;
                throw new SerializedGraphTooDeepException(limit);
            }

            try
            {
                inner.Serialize(ref writer, value, options);
            }
            finally
            {
                t_depth--;
            }
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => inner.Deserialize(ref reader, options);
    }
}

/// <summary>A value's object graph has a cycle or nests deeper than the limit: it is not written to Redis.</summary>
internal sealed class SerializedGraphTooDeepException(int limit)
    : Exception($"The object graph nests deeper than {limit} levels (or has a cycle).")
{
    public int Limit { get; } = limit;
}
