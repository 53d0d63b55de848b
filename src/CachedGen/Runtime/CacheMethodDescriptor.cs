using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>What the generator knows about one cached method at compile time. Generated code creates one per method
/// (<see cref="CacheMethodDescriptor{TKey, TValue}"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class CacheMethodDescriptor
{
    /// <summary>Creates a descriptor for <paramref name="methodId"/> (interface and method name).</summary>
    private protected CacheMethodDescriptor(string methodId)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodId);
        MethodId = methodId;
    }

    /// <summary>Interface and method, such as <c>Forms.IFormRepository.GetSchemaAsync</c>; used in logs.</summary>
    public string MethodId { get; }

    /// <summary>Lifetime in Redis.</summary>
    public required TimeSpan Ttl { get; init; }

    /// <summary>Lifetime in L1; <see langword="null"/> means <see cref="Ttl"/>, zero means no L1.</summary>
    public TimeSpan? LocalTtl { get; init; }

    /// <summary>Assembly-level key prefix (from <c>[assembly: CachedDefaults(KeyPrefix = ...)]</c>).</summary>
    public string KeyPrefix { get; init; } = "";

    /// <summary>Version segment appended to every key, such as <c>#v1.3fa9c2d1</c>: the method's <c>Version</c> and
    /// the fingerprint of the return type's serialized shape.</summary>
    public required string KeySuffix { get; init; }

    /// <summary>Fingerprint of the return type's serialized shape; stored in each payload and checked on read.</summary>
    public required uint ShapeFingerprint { get; init; }

    /// <summary>L1 capacity; 0 means <see cref="CachedGenOptions.DefaultMaxLocalEntries"/>.</summary>
    public int MaxLocalEntries { get; init; }

    /// <summary>Largest serialized value written to Redis; 0 means <see cref="CachedGenOptions.DefaultMaxValueBytes"/>.</summary>
    public int MaxValueBytes { get; init; }

    /// <summary>Whether the value is sensitive (encrypted before it goes to Redis).</summary>
    public bool Sensitive { get; init; }

    /// <summary>Whether the key template hashes a placeholder (<c>{x:hash}</c>), which needs
    /// <see cref="CachedGenOptions.KeyHashSecret"/> once Redis is used.</summary>
    public bool HashesKey { get; init; }

    /// <summary>The tag templates of <c>[Cached(Tags = ...)]</c>, as declared; the generated
    /// <see cref="CacheMethodDescriptor{TKey, TValue}.RenderTags"/> renders them from a key.</summary>
    public string[] TagTemplates { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString() => MethodId;
}

/// <summary>Writes the Redis key of one cached method for <paramref name="key"/>: the template's literals and its encoded
/// placeholder values. Generated per method.</summary>
public delegate void CacheKeyRenderer<TKey>(in TKey key, ref CacheKeyBuilder builder);

/// <summary>Renders the tags of one cached method's entry for <paramref name="key"/>. Generated per tagged method.</summary>
public delegate string[] CacheTagsRenderer<TKey>(in TKey key, CacheTagRenderer tags);

/// <summary>The descriptor of a method cached under keys of type <typeparamref name="TKey"/> (a value tuple of the key
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
    public CacheTagsRenderer<TKey>? RenderTags { get; init; }
}
