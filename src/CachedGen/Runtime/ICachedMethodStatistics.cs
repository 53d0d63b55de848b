using System;

namespace CachedGen.Runtime;

/// <summary>What the runtime reads from and does to every method without knowing its type arguments.</summary>
internal interface ICachedMethodStatistics
{
    (string MethodId, long LocalHits, long RedisHits) Hits { get; }

    /// <summary>L1 entries evicted for capacity so far.</summary>
    long Evictions { get; }

    /// <summary>Drops the entry rendered as <paramref name="redisKey"/> (every entry when <see langword="null"/>) from L1.</summary>
    void InvalidateLocal(string? redisKey);

    /// <summary>Another node wrote the value rendered as <paramref name="redisKey"/> (generations and tags included,
    /// unless <paramref name="isBaseKey"/>) after a change: if L1 holds a copy that change made stale, read the new
    /// value from Redis in the background.</summary>
    void FollowRemoteFill(string redisKey, bool isBaseKey);

    /// <summary>The methods of this process that may render the same keys (set when the runtime registers it).</summary>
    KeyFamily? Family { get; }

    /// <summary>Another method of its <see cref="KeyFamily"/> invalidated or replaced the entry rendered as
    /// <paramref name="redisKey"/>: drops this method's L1 copy of it, if it renders that key.</summary>
    void InvalidateLocalCopy(string redisKey);

    /// <summary>Drops every L1 entry.</summary>
    void ClearLocal();

    /// <summary>Applies reloaded options.</summary>
    void Reconfigure(CachedGenOptions options, bool runtimeEnabled);

    /// <summary>Re-reads whether anything observes the hit path (after a listener came or went).</summary>
    void UpdateHitMode();
}
