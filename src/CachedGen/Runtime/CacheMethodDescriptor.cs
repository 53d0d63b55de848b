using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>For generated code (applications pass the generated descriptor fields to
/// <see cref="ICacheInvalidator"/> without naming this type).
/// What the generator knows about one cached method at compile time. Generated code creates one per method
/// (<see cref="CacheMethodDescriptor{TKey, TValue}"/>).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class CacheMethodDescriptor
{
    /// <summary>Creates a descriptor for <paramref name="methodId"/> (interface and method name).</summary>
    private protected CacheMethodDescriptor(string methodId)
    {
        ArgumentException.ThrowIfNullOrEmpty(methodId);
        MethodId = methodId;
        SettingsId = methodId;
    }

    /// <summary>The id its settings are looked up under (<see cref="CachedGenOptions.Methods"/>) when none are set for
    /// <see cref="MethodId"/> itself: the method's own id, for a <see cref="Partition"/> of it too.</summary>
    internal string SettingsId { get; init; }

    /// <summary>The DI registration whose entries these are, when the service type has several decorated registrations
    /// (a keyed one, or one of several unkeyed ones): its entries are apart from the others'. Null for the method's
    /// own descriptor.</summary>
    internal string? Partition { get; init; }

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

    /// <summary>Whether a <see langword="null"/> result (and, for a batch method, an element the source did not return)
    /// is cached; <c>[Cached(CacheNull = false)]</c> sets it to <see langword="false"/>.</summary>
    public bool CacheNull { get; init; } = true;

    /// <summary>The tag templates of <c>[Cached(Tags = ...)]</c>, as declared; the generated
    /// <see cref="CacheMethodDescriptor{TKey, TValue}.RenderTags"/> renders them from a key.</summary>
    public string[] TagTemplates { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString() => MethodId;
}
