using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>For generated code.
/// Writes the Redis key of one cached method for <paramref name="key"/>: the template's literals and its encoded
/// placeholder values. Generated per method.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate void CacheKeyRenderer<TKey>(in TKey key, ref CacheKeyBuilder builder);
