using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>For generated code.
/// The descriptor of a method cached under keys of type <typeparamref name="TKey"/> (a value tuple of the key
/// template's placeholder values, compared by value in L1) with values of type <typeparamref name="TValue"/>.</summary>
/// <typeparam name="TKey">The placeholder values: <see cref="ValueTuple"/>, <see cref="ValueTuple{T1}"/>, or a tuple.</typeparam>
/// <typeparam name="TValue">The cached result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CacheMethodDescriptor<TKey, TValue> : CacheMethodDescriptor
    where TKey : struct, IEquatable<TKey>
{
    /// <summary>Creates a descriptor for <paramref name="methodId"/> whose Redis keys <paramref name="renderKey"/> writes.</summary>
    public CacheMethodDescriptor(string methodId, CacheKeyRenderer<TKey> renderKey)
        : base(methodId)
    {
        ArgumentNullException.ThrowIfNull(renderKey);
        RenderKey = renderKey;
    }

    /// <summary>Writes the key template with a key's placeholder values encoded (only when L2 is reached; L1 compares
    /// keys by value).</summary>
    public CacheKeyRenderer<TKey> RenderKey { get; }

    /// <summary>Renders an entry's tags from its key; required when <see cref="CacheMethodDescriptor.TagTemplates"/> is
    /// not empty.</summary>
    public EntryTagsRenderer<TKey>? RenderTags { get; init; }

    /// <summary>The descriptor of the same method for the entries of one DI registration (<paramref name="partition"/>):
    /// its id ends with <c>@partition</c> (which its L1, its metrics and the backplane's messages go by) and its Redis keys
    /// start with <c>@partition:</c> after the prefixes; every other fact is this one's.</summary>
    internal CacheMethodDescriptor<TKey, TValue> InPartition(string partition)
        => new(MethodId + "@" + partition, RenderKey)
        {
            Ttl = Ttl,
            LocalTtl = LocalTtl,
            KeyPrefix = KeyPrefix + "@" + partition + ":",
            KeySuffix = KeySuffix,
            ShapeFingerprint = ShapeFingerprint,
            MaxLocalEntries = MaxLocalEntries,
            MaxValueBytes = MaxValueBytes,
            Sensitive = Sensitive,
            HashesKey = HashesKey,
            CacheNull = CacheNull,
            TagTemplates = TagTemplates,
            RenderTags = RenderTags,
            SettingsId = SettingsId,
            Partition = partition,
        };
}
