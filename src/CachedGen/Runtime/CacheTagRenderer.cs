using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace CachedGen.Runtime;

/// <summary>For generated code.
/// Renders the tags of a generated key (<see cref="CacheMethodDescriptor{TKey, TValue}.RenderTags"/>) with the
/// runtime's key-hashing secret.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CacheTagRenderer
{
    internal CacheTagRenderer(KeyHasher? hasher) => Hasher = hasher;

    internal KeyHasher? Hasher { get; }

    /// <summary>Renders one tag.</summary>
    public string Render([InterpolatedStringHandlerArgument("")] ref CacheTagHandler tag) => tag.ToStringAndClear();
}
