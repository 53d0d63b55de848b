using System.ComponentModel;
using MessagePack;
using MessagePack.Formatters;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// Wraps the formatter of a collection (or of any reference type whose formatter CachedGen did not write) so that
/// writing it counts one level of <see cref="SerializedDepth"/>. Reading passes straight through.
/// </summary>
/// <typeparam name="T">The type written.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DepthCountingFormatter<T> : IMessagePackFormatter<T>
{
    private readonly IMessagePackFormatter<T> _inner;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public DepthCountingFormatter(IMessagePackFormatter<T> inner)
    {
        System.ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <inheritdoc/>
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        SerializedDepth.Enter();
        _inner.Serialize(ref writer, value, options);
        SerializedDepth.Exit();
    }

    /// <inheritdoc/>
    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => _inner.Deserialize(ref reader, options);
}
