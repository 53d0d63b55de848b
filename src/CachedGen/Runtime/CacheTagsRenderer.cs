using System;

namespace CachedGen.Runtime;

/// <summary>Renders the tags of one cached method's entry for <paramref name="key"/>. Generated per tagged method.</summary>
public delegate string[] CacheTagsRenderer<TKey>(in TKey key, CacheTagRenderer tags);
