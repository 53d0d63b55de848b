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

    /// <summary>How many more levels (objects and collections) the serialization running on this thread may nest.
    /// Only <see cref="Serialize"/> sets it; outside it, it is 0 and a guarded formatter refuses at once.</summary>
    [ThreadStatic]
    private static int t_remaining;

    /// <summary>The limit of the serialization running on this thread, for the exception's message.</summary>
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
        var (remaining, limit) = (t_remaining, t_limit);
        t_remaining = maxDepth;
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
            // Also what undoes the guarded formatters' counting when anything threw: they do not use try/finally.
            (t_remaining, t_limit) = (remaining, limit);
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

            if (--t_remaining < 0)
            {
                throw new SerializedGraphTooDeepException(t_limit);
            }

            inner.Serialize(ref writer, value, options);
            t_remaining++;
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
