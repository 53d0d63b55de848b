using System;
using System.Collections.Generic;
using System.Linq;

namespace CachedGen.Runtime;

/// <summary>The checks of <see cref="CachedGenOptions"/> made once, when a <see cref="CacheRuntime"/> is built (the settings
/// reloaded later, the fail-safe's and the source timeouts among them, are checked by <see cref="MethodPolicy.Validate"/>,
/// at start and on every reload).</summary>
internal static class StartupSettings
{
    /// <summary>Refuses the settings that cannot mean what they say: a serialization depth outside its range, an L1 below
    /// its smallest or a zero payload limit, a zero or negative Redis budget, lease or interval (every operation would
    /// time out, every lease expire at once), a jitter outside [0, 1), an early-refresh point outside [0, 1], and counts
    /// below one. Each error names the setting.</summary>
    public static void Validate(CachedGenOptions options)
    {
        if (options.KeyPrefix is null || options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            // A brace in the prefix would be the Redis Cluster hash tag of every key (all in one slot), and end the
            // logical key early for the L1 buckets and the backplane.
            throw new ArgumentException($"CachedGenOptions.KeyPrefix must not contain '{{' or '}}' (it is \"{options.KeyPrefix}\"): every key's hash tag is the braces CachedGen puts around its template.", nameof(options));
        }

        if (options.MaxSerializedDepth is < 1 or > CachedGenOptions.MaxSerializedDepthLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxSerializedDepth, $"CachedGenOptions.MaxSerializedDepth must be between 1 and {CachedGenOptions.MaxSerializedDepthLimit}.");
        }

        if (options.DefaultMaxLocalEntries < CachedGenOptions.SmallestLocalCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DefaultMaxLocalEntries, $"CachedGenOptions.DefaultMaxLocalEntries must be at least {CachedGenOptions.SmallestLocalCapacity}, the smallest L1 CachedGen keeps (keep a method out of L1 with [Cached(LocalTtl = \"0s\")]).");
        }

        if (options.DefaultMaxValueBytes < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DefaultMaxValueBytes, "CachedGenOptions.DefaultMaxValueBytes must be positive: the largest payload, in bytes, written to Redis.");
        }

        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), value, $"CachedGenOptions.{name} must be positive.");
            }
        }

        Positive(options.RedisOperationTimeout, nameof(CachedGenOptions.RedisOperationTimeout));
        Positive(options.LeaseDuration, nameof(CachedGenOptions.LeaseDuration));
        Positive(options.LeaseWaitTimeout, nameof(CachedGenOptions.LeaseWaitTimeout));
        Positive(options.TagRefreshInterval, nameof(CachedGenOptions.TagRefreshInterval));
        if (options.CircuitBreakerDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CircuitBreakerDuration, "CachedGenOptions.CircuitBreakerDuration must not be negative.");
        }

        if (options.CircuitBreakerThreshold < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CircuitBreakerThreshold, "CachedGenOptions.CircuitBreakerThreshold must be at least 1: the consecutive failures that open the circuit.");
        }

        if (options.MaxKnownTags < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxKnownTags, "CachedGenOptions.MaxKnownTags must be at least 1.");
        }

        if (options.TtlJitter is < 0 or >= 1 || double.IsNaN(options.TtlJitter))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TtlJitter, "CachedGenOptions.TtlJitter must be at least 0 and below 1: the share of the TTL an entry may live less.");
        }

        if (options.EarlyRefresh is < 0 or > 1 || double.IsNaN(options.EarlyRefresh))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.EarlyRefresh, "CachedGenOptions.EarlyRefresh must be between 0 (off) and 1: the share of the lifetime after which a hit refreshes the entry.");
        }
    }

    /// <summary>The settings fixed at start (everything but the kill switch, <c>Generation</c>, <c>Methods</c>,
    /// <c>EarlyRefresh</c>, <c>TtlJitter</c>, <c>CompressionThresholdBytes</c>, the fail-safe's and the source timeouts)
    /// whose value in <paramref name="reloaded"/> differs from <paramref name="atStart"/>'s: a reload cannot apply them
    /// (event 1026 names them). Secrets and keys are compared by content and never shown; the audit sink and the clock by type.</summary>
    public static List<string> ChangedOnReload(CachedGenOptions atStart, CachedGenOptions reloaded)
    {
        var changed = new List<string>();
        void Check(bool same, string name)
        {
            if (!same)
            {
                changed.Add(name);
            }
        }

        Check(string.Equals(atStart.KeyPrefix, reloaded.KeyPrefix, StringComparison.Ordinal), nameof(CachedGenOptions.KeyPrefix));
        Check(atStart.RedisOperationTimeout == reloaded.RedisOperationTimeout, nameof(CachedGenOptions.RedisOperationTimeout));
        Check(atStart.CircuitBreakerThreshold == reloaded.CircuitBreakerThreshold, nameof(CachedGenOptions.CircuitBreakerThreshold));
        Check(atStart.CircuitBreakerDuration == reloaded.CircuitBreakerDuration, nameof(CachedGenOptions.CircuitBreakerDuration));
        Check(atStart.MaxSerializedDepth == reloaded.MaxSerializedDepth, nameof(CachedGenOptions.MaxSerializedDepth));
        Check(atStart.DefaultMaxLocalEntries == reloaded.DefaultMaxLocalEntries, nameof(CachedGenOptions.DefaultMaxLocalEntries));
        Check(atStart.DefaultMaxValueBytes == reloaded.DefaultMaxValueBytes, nameof(CachedGenOptions.DefaultMaxValueBytes));
        Check(SameBytes(atStart.KeyHashSecret, reloaded.KeyHashSecret), nameof(CachedGenOptions.KeyHashSecret));
        Check(string.Equals(atStart.KeyHashSecretId, reloaded.KeyHashSecretId, StringComparison.Ordinal), nameof(CachedGenOptions.KeyHashSecretId));
        Check(SameBytes(atStart.PreviousKeyHashSecret, reloaded.PreviousKeyHashSecret), nameof(CachedGenOptions.PreviousKeyHashSecret));
        Check(string.Equals(atStart.PreviousKeyHashSecretId, reloaded.PreviousKeyHashSecretId, StringComparison.Ordinal), nameof(CachedGenOptions.PreviousKeyHashSecretId));
        Check(atStart.KeyHashRotationEndsAt == reloaded.KeyHashRotationEndsAt, nameof(CachedGenOptions.KeyHashRotationEndsAt));
        Check(SameBytes(atStart.ValueEncryptionKey, reloaded.ValueEncryptionKey), nameof(CachedGenOptions.ValueEncryptionKey));
        Check(string.Equals(atStart.ValueEncryptionKeyId, reloaded.ValueEncryptionKeyId, StringComparison.Ordinal), nameof(CachedGenOptions.ValueEncryptionKeyId));
        Check(SameKeys(atStart.PreviousValueEncryptionKeys, reloaded.PreviousValueEncryptionKeys), nameof(CachedGenOptions.PreviousValueEncryptionKeys));
        // By type: a configure callback that creates its sink or clock runs again on each reload, with a new instance.
        Check(atStart.AuditSink?.GetType() == reloaded.AuditSink?.GetType(), nameof(CachedGenOptions.AuditSink));
        Check(atStart.LeaseDuration == reloaded.LeaseDuration, nameof(CachedGenOptions.LeaseDuration));
        Check(atStart.LeaseWaitTimeout == reloaded.LeaseWaitTimeout, nameof(CachedGenOptions.LeaseWaitTimeout));
        Check(atStart.BackgroundFill == reloaded.BackgroundFill, nameof(CachedGenOptions.BackgroundFill));
        Check(atStart.FollowRemoteChanges == reloaded.FollowRemoteChanges, nameof(CachedGenOptions.FollowRemoteChanges));
        Check(atStart.Backplane == reloaded.Backplane, nameof(CachedGenOptions.Backplane));
        Check(atStart.TagRefreshInterval == reloaded.TagRefreshInterval, nameof(CachedGenOptions.TagRefreshInterval));
        Check(atStart.TagRetention == reloaded.TagRetention, nameof(CachedGenOptions.TagRetention));
        Check(atStart.MaxKnownTags == reloaded.MaxKnownTags, nameof(CachedGenOptions.MaxKnownTags));
        Check(atStart.TimeProvider?.GetType() == reloaded.TimeProvider?.GetType(), nameof(CachedGenOptions.TimeProvider));
        return changed;
    }

    private static bool SameBytes(byte[]? a, byte[]? b)
        => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static bool SameKeys(Dictionary<string, byte[]>? a, Dictionary<string, byte[]>? b)
    {
        if (a is null || b is null)
        {
            return (a?.Count ?? 0) == 0 && (b?.Count ?? 0) == 0;
        }

        return a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var other) && SameBytes(pair.Value, other));
    }
}
