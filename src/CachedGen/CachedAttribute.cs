using System;

namespace CachedGen;

/// <summary>
/// Caches the result of a repository method. The CachedGen source generator emits a decorator
/// (<c>CachedFormRepository</c> for <c>IFormRepository</c>) that serves the result from the in-process L1,
/// then Redis L2, and calls the method only on a miss.
/// </summary>
/// <remarks>
/// Put it on an interface method, or on the method of a class that implements an interface method.
/// Every argument is read at compile time: a malformed TTL or template is a compile-time diagnostic, and the
/// generator leaves such a method uncached.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CachedAttribute : Attribute
{
    /// <summary>Caches with the assembly's default TTL (<see cref="CachedDefaultsAttribute.Ttl"/>) and the default key.</summary>
    public CachedAttribute()
    {
        InvalidatedBy = [];
    }

    /// <summary>Caches for <paramref name="ttl"/> with the default key (type, method and every key parameter).</summary>
    /// <param name="ttl">Time to live: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>, <c>250ms</c> or <c>hh:mm:ss</c>.</param>
    public CachedAttribute(string ttl)
    {
        Ttl = ttl;
        InvalidatedBy = [];
    }

    /// <summary>Caches for <paramref name="ttl"/> under <paramref name="keyTemplate"/>, invalidated when any of
    /// <paramref name="invalidatedBy"/> completes successfully.</summary>
    /// <param name="ttl">Time to live: <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>1d</c>, <c>250ms</c> or <c>hh:mm:ss</c>.</param>
    /// <param name="keyTemplate">Key template such as <c>form:{formId}:schema</c>; placeholders name parameters
    /// (<c>{formId}</c>), their members (<c>{query.TenantId}</c>), or hash them (<c>{email:hash}</c>).</param>
    /// <param name="invalidatedBy">Names of write methods of the same interface (use <c>nameof</c>); their parameters
    /// fill the key template by name.</param>
    public CachedAttribute(string ttl, string keyTemplate, params string[] invalidatedBy)
    {
        Ttl = ttl;
        KeyTemplate = keyTemplate;
        InvalidatedBy = invalidatedBy ?? [];
    }

    /// <summary>Time to live in Redis (L2), and the upper bound of the L1 lifetime.</summary>
    public string? Ttl { get; }

    /// <summary>Key template; <see langword="null"/> means the default key.</summary>
    public string? KeyTemplate { get; set; }

    /// <summary>Write methods whose successful completion removes the entry.</summary>
    public string[] InvalidatedBy { get; set; }

    /// <summary>Tag templates attached to the entry (for example <c>tenant:{tenantId}:forms</c>).</summary>
    public string[]? Tags { get; set; }

    /// <summary>Bump to change every key of this method at once (for example after a change of meaning that leaves the
    /// serialized shape alone). Shape changes of the return type already change the key on their own.</summary>
    public int Version { get; set; } = 1;

    /// <summary>Lifetime in the in-process L1; defaults to the TTL. <c>"0s"</c> keeps the method out of L1.</summary>
    public string? LocalTtl { get; set; }

    /// <summary>Maximum number of L1 entries of this method (least recently used are evicted). Default 10,000.</summary>
    public int MaxLocalEntries { get; set; }

    /// <summary>Values larger than this many serialized bytes are not written to Redis. Default 1 MiB.</summary>
    public int MaxValueBytes { get; set; }

    /// <summary>Marks the cached value as sensitive: it is encrypted (AES-256-GCM, <c>CachedGenOptions.ValueEncryptionKey</c>)
    /// before it goes to Redis, and with Redis configured and no key the method refuses to start. Never plaintext in Redis.</summary>
    public bool Sensitive { get; set; }

    /// <summary>Whether a <see langword="null"/> result is cached (the default). <see langword="false"/> keeps null results
    /// out of L1 and Redis, so the next call asks the source again; for a batch method (<c>{ids[]}</c>), elements the source
    /// did not return are then not cached as absent either. A source can also decide per call with
    /// <see cref="CacheContext.Current"/>.</summary>
    public bool CacheNull { get; set; } = true;
}
