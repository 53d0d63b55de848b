using System;

namespace CachedGen.Runtime;

/// <summary>The reloadable settings of one method, resolved from the options (global, then per method) and the
/// generated descriptor. Immutable: a reload swaps the whole object.</summary>
internal sealed class MethodPolicy
{
    private MethodPolicy()
    {
    }

    public bool Enabled { get; private init; }

    public TimeSpan Ttl { get; private init; }

    public long LocalTtlMs { get; private init; }

    public double TtlJitter { get; private init; }

    /// <summary>Share of the L1 lifetime after which a hit refreshes; 0 when off.</summary>
    public double EarlyRefresh { get; private init; }

    public long FailSafeMaxAgeMs { get; private init; }

    public long FailSafeThrottleMs { get; private init; }

    public TimeSpan SoftTimeout { get; private init; }

    public TimeSpan HardTimeout { get; private init; }

    public int CompressionThresholdBytes { get; private init; }

    public static MethodPolicy Create(CacheMethodDescriptor descriptor, CachedGenOptions options)
    {
        var method = Find(options, descriptor.MethodId);
        var ttl = method?.Ttl is { } t && t > TimeSpan.Zero ? t : descriptor.Ttl;
        var localTtl = descriptor.LocalTtl ?? ttl;
        if (localTtl > ttl)
        {
            localTtl = ttl;
        }

        var early = method?.EarlyRefresh ?? options.EarlyRefresh;
        return new MethodPolicy
        {
            Enabled = method?.Enabled ?? true,
            Ttl = ttl,
            LocalTtlMs = (long)localTtl.TotalMilliseconds,
            TtlJitter = options.TtlJitter,
            EarlyRefresh = early is > 0 and < 1 ? early : 0,
            FailSafeMaxAgeMs = Math.Max(0, (long)(method?.FailSafeMaxAge ?? options.FailSafeMaxAge).TotalMilliseconds),
            FailSafeThrottleMs = Math.Max(1, (long)options.FailSafeThrottle.TotalMilliseconds),
            SoftTimeout = Positive(method?.SourceSoftTimeout ?? options.SourceSoftTimeout),
            HardTimeout = Positive(method?.SourceHardTimeout ?? options.SourceHardTimeout),
            CompressionThresholdBytes = Math.Max(0, method?.CompressionThresholdBytes ?? options.CompressionThresholdBytes),
        };
    }

    /// <summary>The per-method settings under the full id, else under <c>Interface.Method</c>.</summary>
    private static CachedMethodOptions? Find(CachedGenOptions options, string methodId)
    {
        if (options.Methods is not { Count: > 0 } methods)
        {
            return null;
        }

        if (methods.TryGetValue(methodId, out var exact))
        {
            return exact;
        }

        var method = methodId.LastIndexOf('.');
        var type = method > 0 ? methodId.LastIndexOf('.', method - 1) : -1;
        return type >= 0 && methods.TryGetValue(methodId[(type + 1)..], out var shortId) ? shortId : null;
    }

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.Zero;
}
