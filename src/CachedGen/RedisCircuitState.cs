namespace CachedGen;

/// <summary>State of the Redis circuit breaker.</summary>
public enum RedisCircuitState
{
    /// <summary>Redis is used.</summary>
    Closed,

    /// <summary>Redis failed repeatedly: calls skip it until the break ends.</summary>
    Open,

    /// <summary>The break ended: one probe operation decides whether to close or open again.</summary>
    HalfOpen,
}
