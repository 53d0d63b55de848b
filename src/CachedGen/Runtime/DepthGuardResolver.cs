using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace CachedGen.Runtime;

/// <summary>
/// The resolver every payload is written and read with. It takes, in order:
/// <list type="number">
/// <item>the formatters the generator wrote at compile time (<see cref="GeneratedFormatters"/>), which count the depth
/// of what they write themselves (<see cref="SerializedDepth"/>);</item>
/// <item>CachedGen's own for framework types MessagePack has none for (<see cref="FrameworkFormatters"/>: 128-bit
/// integers, <c>JsonElement</c>, <c>JsonNode</c>);</item>
/// <item>MessagePack's built-in formatters (primitives, strings, dates, GUIDs, arrays of primitives);</item>
/// <item>only where the runtime can generate code (not under Native AOT): MessagePack's contractless resolver that also
/// reads and writes non-public members (<c>ContractlessStandardResolverAllowPrivate</c>), for a type the generator
/// wrote no formatter for (a generic repository's values built from its type parameters); what it writes is read back
/// and compared before it goes to Redis (<see cref="PayloadEnvelope"/>).</item>
/// </list>
/// Formatters of reference types from 2 and 3 (strings and byte arrays aside) are wrapped in
/// <see cref="DepthCountingFormatter{T}"/>; formatters of objects and collections resolve their members' and items'
/// formatters through <c>options.Resolver</c>, so every nested object and collection is counted. MessagePack 2.x
/// limits depth on read only: without the count, writing an instance with a cycle (an ORM entity whose child points
/// back at its parent) recurses until the stack overflows, which ends the process.
/// </summary>
/// <remarks>Under Native AOT a type with no generated formatter has none at all: writing it fails (event 1004, the value
/// is served and not cached) and CG0020 reported it at compile time.</remarks>
internal sealed class DepthGuardResolver : IFormatterResolver
{
    public static readonly DepthGuardResolver Instance = new();

    private DepthGuardResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    /// <summary>Serializes <paramref name="value"/> with <paramref name="options"/> (whose resolver is this one),
    /// throwing <see cref="SerializedGraphTooDeepException"/> when the graph nests deeper than
    /// <paramref name="maxDepth"/> (a cycle always does).</summary>
    public static void Serialize<T>(IBufferWriter<byte> writer, T value, MessagePackSerializerOptions options, int maxDepth)
    {
        try
        {
            SerializedDepth.Run(maxDepth, (writer, value, options), static state => MessagePackSerializer.Serialize(state.writer, state.value, state.options));
        }
        catch (MessagePackSerializationException ex) when (ex.InnerException is SerializedGraphTooDeepException or DerivedValueException)
        {
            // The guards' own refusals, which the encoder tells apart, not MessagePack's wrapping of them.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
        }
    }

    /// <summary>Set on this thread when a formatter of MessagePack's contractless resolver wrote part of a value (see
    /// <see cref="TakeRuntimeResolved"/>).</summary>
    [ThreadStatic]
    private static bool t_runtimeResolved;

    /// <summary>Whether a contractless formatter wrote part of the values serialized on this thread since the last call,
    /// and clears the mark. No compile-time rule vouches for what that resolver writes, so such a value is read back and
    /// compared before it goes to Redis (<see cref="PayloadEnvelope.Encode{T}"/>).</summary>
    public static bool TakeRuntimeResolved()
    {
        var resolved = t_runtimeResolved;
        t_runtimeResolved = false;
        return resolved;
    }

    /// <summary>Marks this thread as for a contractless formatter (see <see cref="SerializedDepth.Unverified"/>).</summary>
    internal static void MarkRuntimeResolved() => t_runtimeResolved = true;

    /// <summary>A contractless formatter that marks the thread when it writes.</summary>
    private sealed class RuntimeResolvedFormatter<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
    {
        public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
        {
            t_runtimeResolved = true;
            inner.Serialize(ref writer, value, options);
        }

        public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => inner.Deserialize(ref reader, options);
    }

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = GeneratedFormatters.Find<T>() ?? Wrap(FrameworkFormatters.Find<T>() ?? Fallback());

        private static IMessagePackFormatter<T>? Fallback()
            => BuiltinResolver.Instance.GetFormatter<T>() ?? (RuntimeFeature.IsDynamicCodeSupported ? Dynamic() : null);

        // Reflection.Emit: never reached under Native AOT (IsDynamicCodeSupported is false there, and the compiler
        // removes the branch).
        // The variant that also reads and writes non-public members: the standard one skips a property whose setter is
        // private (an EF Core or DDD entity's), so every node would read the entity back with it at its default.
        private static IMessagePackFormatter<T>? Dynamic()
            => ContractlessStandardResolverAllowPrivate.Instance.GetFormatter<T>() is { } contractless ? new RuntimeResolvedFormatter<T>(contractless) : null;

        private static IMessagePackFormatter<T>? Wrap(IMessagePackFormatter<T>? inner)
            => inner is null || typeof(T).IsValueType || typeof(T) == typeof(string) || typeof(T) == typeof(byte[]) || typeof(T) == typeof(object)
                ? inner
                : new DepthCountingFormatter<T>(inner);
    }
}

/// <summary>A value written by MessagePack's contractless resolver does not read back as written (a sorted set's own
/// order, a setter that changes what it is given, a type it cannot construct): it is not written to Redis, where every
/// node would read the other value.</summary>
internal sealed class LossyRoundTripException(Type type, Exception? inner = null)
    : Exception($"A value of type {type} does not read back as written through MessagePack's contractless resolver.", inner)
{
    public Type ValueType { get; } = type;
}

/// <summary>A value (or an object it holds) is of a class derived from the type its generated formatter writes: it is
/// not written to Redis, where other nodes would read it back as the declared type without the derived members.</summary>
internal sealed class DerivedValueException(Type declared, Type actual)
    : Exception($"A {actual} is written where the type is {declared}: it would be read back as a {declared}.")
{
    public Type Declared { get; } = declared;

    public Type Actual { get; } = actual;
}

/// <summary>A value's object graph has a cycle or nests deeper than the limit: it is not written to Redis.</summary>
internal sealed class SerializedGraphTooDeepException(int limit)
    : Exception($"The object graph nests deeper than {limit} levels (or has a cycle).")
{
    public int Limit { get; } = limit;
}
