using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>For generated code.
/// Renders the tags of one cached method's entry for <paramref name="key"/>. Generated per tagged method.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate string[] EntryTagsRenderer<TKey>(in TKey key, CacheTagRenderer tags);
