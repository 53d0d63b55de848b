using System;

namespace CachedGen.Runtime;

/// <summary>Writes the Redis key of one cached method for <paramref name="key"/>: the template's literals and its encoded
/// placeholder values. Generated per method.</summary>
public delegate void CacheKeyRenderer<TKey>(in TKey key, ref CacheKeyBuilder builder);
