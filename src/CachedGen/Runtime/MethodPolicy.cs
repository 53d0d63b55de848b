using System;
using System.Collections.Generic;

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

    /// <summary>Whether a caller may stop waiting for a source call (a soft or hard timeout is set): the call then runs
    /// on a repository of a DI scope of its own (<see cref="DetachedScope"/>).</summary>
    public bool TimesSource => SoftTimeout > TimeSpan.Zero || HardTimeout > TimeSpan.Zero;

    public int CompressionThresholdBytes { get; private init; }

    /// <summary>Appended to every key (<c>.g{global}.{method}</c>), empty when both generations are.</summary>
    public string KeyGeneration { get; private init; } = "";

    public static MethodPolicy Create(CacheMethodDescriptor descriptor, CachedGenOptions options)
    {
        var method = Find(options, descriptor.MethodId) ?? (descriptor.Partition is null ? null : Find(options, descriptor.SettingsId));
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
            KeyGeneration = Generation(options.Generation, method?.Generation),
        };
    }

    /// <summary>This policy with another TTL, for one value whose source set <see cref="CacheContext.Ttl"/>: its L1
    /// lifetime is capped by it too.</summary>
    public MethodPolicy WithTtl(TimeSpan ttl) => new()
    {
        Enabled = Enabled,
        Ttl = ttl,
        LocalTtlMs = Math.Min(LocalTtlMs, Math.Max(1, (long)ttl.TotalMilliseconds)),
        TtlJitter = TtlJitter,
        EarlyRefresh = EarlyRefresh,
        FailSafeMaxAgeMs = FailSafeMaxAgeMs,
        FailSafeThrottleMs = FailSafeThrottleMs,
        SoftTimeout = SoftTimeout,
        HardTimeout = HardTimeout,
        CompressionThresholdBytes = CompressionThresholdBytes,
        KeyGeneration = KeyGeneration,
    };

    /// <summary>The per-method settings under the full id, else under <c>Interface.Method</c>; for an overload (whose id
    /// ends with its parameter types), else under the same two without the parameter types, which name every overload.</summary>
    private static CachedMethodOptions? Find(CachedGenOptions options, string methodId)
    {
        if (options.Methods is not { Count: > 0 } methods)
        {
            return null;
        }

        foreach (var id in Names(methodId))
        {
            if (methods.TryGetValue(id, out var found))
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The ids <c>Methods</c> may name a method by, most specific first: its id, its <see cref="ShortId"/>, and for
    /// an overload both without the parameter types (<c>Shop.IOrders.FindAsync</c>, <c>IOrders.FindAsync</c>).</summary>
    internal static IEnumerable<string> Names(string methodId)
    {
        yield return methodId;
        var shortId = ShortId(methodId);
        if (shortId is not null)
        {
            yield return shortId;
        }

        var parameters = ParametersStart(methodId);
        if (parameters < methodId.Length)
        {
            var named = methodId[..parameters];
            yield return named;
            if (shortId is not null)
            {
                yield return shortId[..(shortId.Length - (methodId.Length - parameters))];
            }
        }
    }

    /// <summary>A method id without its namespace (<c>IFormRepository.GetSchemaAsync</c>), or null when it has none.</summary>
    internal static string? ShortId(string methodId)
    {
        // The dot before the method's name: an overload's id ends with its parameter types, which have dots of their own
        // (Shop.IOrders.FindAsync(System.Int64) has the short id IOrders.FindAsync(System.Int64)).
        var method = methodId.LastIndexOf('.', ParametersStart(methodId) - 1);
        var type = method > 0 ? NamespaceEnd(methodId, method - 1) : -1;
        return type >= 0 ? methodId[(type + 1)..] : null;
    }

    /// <summary>Where an overload's parameter list starts (its <c>(</c>), or the id's length when it has none.</summary>
    private static int ParametersStart(string methodId)
    {
        if (!methodId.EndsWith(')'))
        {
            return methodId.Length;
        }

        var depth = 0;
        for (var i = methodId.Length - 1; i >= 0; i--)
        {
            switch (methodId[i])
            {
                case ')': depth++; break;
                case '(' when --depth == 0: return i;
            }
        }

        return methodId.Length;
    }

    /// <summary>The <c>.</c> before the interface's name, looking back from <paramref name="from"/> past its type
    /// arguments (<c>Shop.IRepository&lt;Shop.Order&gt;.GetAsync</c> has the short id
    /// <c>IRepository&lt;Shop.Order&gt;.GetAsync</c>); -1 when there is none.</summary>
    private static int NamespaceEnd(string methodId, int from)
    {
        var depth = 0;
        for (var i = from; i >= 0; i--)
        {
            switch (methodId[i])
            {
                case '>': depth++; break;
                case '<': depth--; break;
                case '.' when depth == 0: return i;
            }
        }

        return -1;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for reloadable settings no method could use, globally or under
    /// <see cref="CachedGenOptions.Methods"/> (naming the method): at start and on every reload, where the whole reload is
    /// then rejected (event 1015). The global settings and each method's obey the same rules: no negative fail-safe age or
    /// source timeout (zero turns them off), and a hard timeout, where both are set, no shorter than the soft one (the soft
    /// one could never apply); a method's pair is checked as it applies, each taken from the method or else globally.</summary>
    public static void Validate(CachedGenOptions options)
    {
        Generation(options.Generation, null);
        if (options.EarlyRefresh is < 0 or > 1 || double.IsNaN(options.EarlyRefresh))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.EarlyRefresh, "CachedGenOptions.EarlyRefresh must be between 0 (off) and 1: the share of the lifetime after which a hit refreshes the entry.");
        }

        if (options.FailSafeThrottle <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FailSafeThrottle, "CachedGenOptions.FailSafeThrottle must be positive.");
        }

        CheckDurations("CachedGenOptions", options.FailSafeMaxAge, options.SourceSoftTimeout, options.SourceHardTimeout, options.SourceSoftTimeout, options.SourceHardTimeout);
        foreach (var (id, method) in options.Methods)
        {
            if (method is null)
            {
                continue;
            }

            Generation(options.Generation, method.Generation);
            if (method.Ttl is { } ttl && ttl <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(options), ttl, $"CachedGenOptions.Methods[\"{id}\"].Ttl must be positive.");
            }

            if (method.EarlyRefresh is { } early && (early is < 0 or > 1 || double.IsNaN(early)))
            {
                throw new ArgumentOutOfRangeException(nameof(options), early, $"CachedGenOptions.Methods[\"{id}\"].EarlyRefresh must be between 0 (off) and 1.");
            }

            CheckDurations(
                $"CachedGenOptions.Methods[\"{id}\"]",
                method.FailSafeMaxAge,
                method.SourceSoftTimeout,
                method.SourceHardTimeout,
                method.SourceSoftTimeout ?? options.SourceSoftTimeout,
                method.SourceHardTimeout ?? options.SourceHardTimeout);

            if (method.CompressionThresholdBytes is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(options), method.CompressionThresholdBytes, $"CachedGenOptions.Methods[\"{id}\"].CompressionThresholdBytes must not be negative.");
            }
        }
    }

    /// <summary>The duration rules shared by the global settings and each method's (<paramref name="owner"/> names where
    /// they were set): the fail-safe age and the source timeouts set there are not negative, and the timeouts in force
    /// (<paramref name="soft"/> and <paramref name="hard"/>, the method's or else the global ones) leave the soft one a
    /// chance to apply.</summary>
    private static void CheckDurations(string owner, TimeSpan? failSafeMaxAge, TimeSpan? softTimeout, TimeSpan? hardTimeout, TimeSpan soft, TimeSpan hard)
    {
        foreach (var (name, value) in new[] { (nameof(CachedGenOptions.FailSafeMaxAge), failSafeMaxAge), (nameof(CachedGenOptions.SourceSoftTimeout), softTimeout), (nameof(CachedGenOptions.SourceHardTimeout), hardTimeout) })
        {
            if (value is { } duration && duration < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException("options", duration, $"{owner}.{name} must not be negative (0 turns it off).");
            }
        }

        if (soft > TimeSpan.Zero && hard > TimeSpan.Zero && hard < soft && (softTimeout is not null || hardTimeout is not null))
        {
            throw new ArgumentOutOfRangeException(
                "options",
                hard,
                $"{owner}: SourceHardTimeout ({hard}) is shorter than SourceSoftTimeout ({soft}), so the soft timeout could never apply: make the hard timeout at least as long, or set either to 0 (off).");
        }
    }

    private static string Generation(string? global, string? method)
    {
        if (string.IsNullOrEmpty(global) && string.IsNullOrEmpty(method))
        {
            return "";
        }

        foreach (var c in (global ?? "") + (method ?? ""))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '.')
            {
                throw new ArgumentException($"A CachedGen generation may hold ASCII letters, digits, '-' and '.' only: '{global}', '{method}'.");
            }
        }

        return ".g" + global + "." + method;
    }

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.Zero;
}
