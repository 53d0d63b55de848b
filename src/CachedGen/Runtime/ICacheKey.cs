using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>A generated, strongly typed cache key: the values of a method's key placeholders. L1 compares keys by
/// value without building a string; <see cref="Render"/> writes the Redis key only when L2 is reached.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface ICacheKey
{
    /// <summary>Writes the key template with its placeholder values encoded.</summary>
    void Render(ref CacheKeyBuilder builder);

    /// <summary>The entry's tags (<c>[Cached(Tags = ...)]</c>) rendered from the key's values; none by default. Called
    /// only for methods whose descriptor declares tags.</summary>
    string[] RenderTags(CacheTagRenderer tags) => [];
}
