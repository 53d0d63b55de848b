using System.ComponentModel;
using System.Threading;
using MessagePack;
using MessagePack.Formatters;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// The formatters the CachedGen generator wrote at compile time: each assembly with <c>[Cached]</c> methods registers
/// its resolver here from a module initializer, before any of its decorators runs. The runtime's resolver consults
/// them before any other (docs/serialization.md).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GeneratedFormatters
{
    private static IFormatterResolver[] s_resolvers = [];

    /// <summary>Adds an assembly's generated resolver (once; a second call with the same resolver does nothing).</summary>
    public static void Register(IFormatterResolver resolver)
    {
        System.ArgumentNullException.ThrowIfNull(resolver);
        while (true)
        {
            var current = Volatile.Read(ref s_resolvers);
            if (System.Array.IndexOf(current, resolver) >= 0)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref s_resolvers, [.. current, resolver], current) == current)
            {
                return;
            }
        }
    }

    /// <summary>The generated formatter of <typeparamref name="T"/>, from the first registered resolver that has one.</summary>
    internal static IMessagePackFormatter<T>? Find<T>()
    {
        foreach (var resolver in Volatile.Read(ref s_resolvers))
        {
            if (resolver.GetFormatter<T>() is { } formatter)
            {
                return formatter;
            }
        }

        return null;
    }
}
