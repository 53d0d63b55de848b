using System;

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
}
