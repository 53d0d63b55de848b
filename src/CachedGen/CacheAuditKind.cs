using System;

namespace CachedGen;

/// <summary>The outcome an audit event records.</summary>
public enum CacheAuditKind
{
    /// <summary>Served from this node's L1.</summary>
    LocalHit,

    /// <summary>Served from Redis.</summary>
    RedisHit,

    /// <summary>Served by the source (called by this caller, or by another caller it waited for).</summary>
    Miss,

    /// <summary>Served an expired value by the fail-safe.</summary>
    Stale,

    /// <summary>The cache was off for the call: the source answered.</summary>
    Bypass,

    /// <summary>The entry was invalidated.</summary>
    Invalidation,

    /// <summary>A write put its result in the entry (write-through, <c>[CachePut]</c>).</summary>
    Put,
}
