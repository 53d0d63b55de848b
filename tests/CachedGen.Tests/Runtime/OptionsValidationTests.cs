using System.Linq;
using System;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The runtime refuses default sizes that cannot mean what they say, as CG0022 does for <c>[Cached]</c>'s own.</summary>
public class OptionsValidationTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(2)]
    public void A_default_L1_below_the_smallest_is_refused(int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(new CachedGenOptions { DefaultMaxLocalEntries = capacity }));
        Assert.Contains("DefaultMaxLocalEntries must be at least 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void A_default_payload_limit_below_one_byte_is_refused(int bytes)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(new CachedGenOptions { DefaultMaxValueBytes = bytes }));
        Assert.Contains("DefaultMaxValueBytes must be positive", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A brace in the prefix would be every key's Redis Cluster hash tag (all keys in one slot).</summary>
    [Theory]
    [InlineData("a{b}:")]
    [InlineData("tenant}:")]
    public void A_key_prefix_with_a_brace_is_refused(string prefix)
    {
        var error = Assert.Throws<ArgumentException>(() => new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix }));
        Assert.Contains("KeyPrefix must not contain '{' or '}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_smallest_accepted_defaults_build_a_runtime()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions { DefaultMaxLocalEntries = 3, DefaultMaxValueBytes = 1 });
        Assert.Equal(3, runtime.Options.DefaultMaxLocalEntries);
        Assert.Equal(1, runtime.Options.DefaultMaxValueBytes);
    }

    public static TheoryData<string, Action<CachedGenOptions>> Refused() => new()
    {
        { "RedisOperationTimeout must be positive", o => o.RedisOperationTimeout = TimeSpan.Zero },
        { "RedisOperationTimeout must be positive", o => o.RedisOperationTimeout = TimeSpan.FromSeconds(-1) },
        { "LeaseDuration must be positive", o => o.LeaseDuration = TimeSpan.Zero },
        { "LeaseWaitTimeout must be positive", o => o.LeaseWaitTimeout = TimeSpan.FromMilliseconds(-5) },
        { "TagRefreshInterval must be positive", o => o.TagRefreshInterval = TimeSpan.Zero },
        { "FailSafeThrottle must be positive", o => o.FailSafeThrottle = TimeSpan.Zero },
        { "CircuitBreakerDuration must not be negative", o => o.CircuitBreakerDuration = TimeSpan.FromSeconds(-1) },
        { "FailSafeMaxAge must not be negative", o => o.FailSafeMaxAge = TimeSpan.FromSeconds(-1) },
        { "CircuitBreakerThreshold must be at least 1", o => o.CircuitBreakerThreshold = 0 },
        { "MaxKnownTags must be at least 1", o => o.MaxKnownTags = 0 },
        { "TtlJitter must be at least 0 and below 1", o => o.TtlJitter = 2 },
        { "TtlJitter must be at least 0 and below 1", o => o.TtlJitter = -0.1 },
        { "TtlJitter must be at least 0 and below 1", o => o.TtlJitter = double.NaN },
        { "EarlyRefresh must be between 0 (off) and 1", o => o.EarlyRefresh = 1.5 },
    };

    /// <summary>Settings that would leave caching broken without a word (every Redis operation timed out, every lease
    /// expired at once, no circuit at all) are refused when the runtime is built, naming the setting.</summary>
    [Theory]
    [MemberData(nameof(Refused))]
    public void Settings_that_cannot_work_are_refused_with_their_name(string message, Action<CachedGenOptions> configure)
    {
        var options = new CachedGenOptions();
        configure(options);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(options));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_edges_that_mean_something_are_accepted()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions { TtlJitter = 0, EarlyRefresh = 0, CircuitBreakerDuration = TimeSpan.Zero, FailSafeMaxAge = TimeSpan.Zero, CircuitBreakerThreshold = 1, MaxKnownTags = 1 });
        Assert.Equal(0, runtime.Options.TtlJitter);
    }

    [Fact]
    public void A_short_previous_key_hash_secret_is_named_as_such()
    {
        var error = Assert.Throws<ArgumentException>(() => new CacheRuntime(new CachedGenOptions
        {
            KeyHashSecret = new byte[32],
            PreviousKeyHashSecret = new byte[4],
            PreviousKeyHashSecretId = "0",
        }));
        Assert.Contains("CachedGenOptions.PreviousKeyHashSecret must be at least 32 bytes", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, CachedMethodOptions> RefusedPerMethod() => new()
    {
        { "Methods[\"IRepo.GetAsync\"].Ttl must be positive", new CachedMethodOptions { Ttl = TimeSpan.FromSeconds(-5) } },
        { "Methods[\"IRepo.GetAsync\"].Ttl must be positive", new CachedMethodOptions { Ttl = TimeSpan.Zero } },
        { "Methods[\"IRepo.GetAsync\"].EarlyRefresh must be between 0 (off) and 1", new CachedMethodOptions { EarlyRefresh = 2 } },
        { "Methods[\"IRepo.GetAsync\"].EarlyRefresh must be between 0 (off) and 1", new CachedMethodOptions { EarlyRefresh = -1 } },
        { "Methods[\"IRepo.GetAsync\"].SourceSoftTimeout must not be negative", new CachedMethodOptions { SourceSoftTimeout = TimeSpan.FromSeconds(-1) } },
        { "Methods[\"IRepo.GetAsync\"].SourceHardTimeout must not be negative", new CachedMethodOptions { SourceHardTimeout = TimeSpan.FromSeconds(-1) } },
        { "Methods[\"IRepo.GetAsync\"].FailSafeMaxAge must not be negative", new CachedMethodOptions { FailSafeMaxAge = TimeSpan.FromSeconds(-1) } },
        { "Methods[\"IRepo.GetAsync\"]: SourceHardTimeout (00:00:01) is shorter than SourceSoftTimeout (00:00:02)", new CachedMethodOptions { SourceSoftTimeout = TimeSpan.FromSeconds(2), SourceHardTimeout = TimeSpan.FromSeconds(1) } },
    };

    public static TheoryData<string, Action<CachedGenOptions>> RefusedGloballyAsPerMethod() => new()
    {
        { "CachedGenOptions.SourceSoftTimeout must not be negative", o => o.SourceSoftTimeout = TimeSpan.FromSeconds(-1) },
        { "CachedGenOptions.SourceHardTimeout must not be negative", o => o.SourceHardTimeout = TimeSpan.FromSeconds(-1) },
        { "CachedGenOptions.FailSafeMaxAge must not be negative", o => o.FailSafeMaxAge = TimeSpan.FromSeconds(-1) },
        { "CachedGenOptions.FailSafeThrottle must be positive", o => o.FailSafeThrottle = TimeSpan.Zero },
        {
            "CachedGenOptions: SourceHardTimeout (00:00:01) is shorter than SourceSoftTimeout (00:00:02)", o =>
            {
                o.SourceSoftTimeout = TimeSpan.FromSeconds(2);
                o.SourceHardTimeout = TimeSpan.FromSeconds(1);
            }
        },
        {
            // A method's soft timeout against the global hard one: the pair in force for that method.
            "Methods[\"IRepo.GetAsync\"]: SourceHardTimeout (00:00:01) is shorter than SourceSoftTimeout (00:00:05)", o =>
            {
                o.SourceHardTimeout = TimeSpan.FromSeconds(1);
                o.Methods["IRepo.GetAsync"] = new CachedMethodOptions { SourceSoftTimeout = TimeSpan.FromSeconds(5) };
            }
        },
    };

    /// <summary>The global source timeouts and fail-safe settings obey the per-method rules (a negative one was taken for
    /// "off" without a word; a hard timeout shorter than the soft one left the soft one unused), at start and on reload,
    /// where the reload is rejected whole.</summary>
    [Theory]
    [MemberData(nameof(RefusedGloballyAsPerMethod))]
    public void Global_timeouts_and_fail_safe_settings_are_refused_by_the_per_method_rules_at_start_and_on_reload(string message, Action<CachedGenOptions> configure)
    {
        var bad = new CachedGenOptions();
        configure(bad);
        var atStart = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(bad));
        Assert.Contains(message, atStart.Message, StringComparison.Ordinal);

        using var runtime = new CacheRuntime(new CachedGenOptions());
        var onReload = Assert.Throws<ArgumentOutOfRangeException>(() => runtime.Reload(bad));
        Assert.Contains(message, onReload.Message, StringComparison.Ordinal);
        Assert.NotSame(bad, runtime.CurrentOptions);
    }

    [Fact]
    public void A_hard_timeout_as_long_as_the_soft_one_or_either_off_is_accepted()
    {
        using var equal = new CacheRuntime(new CachedGenOptions { SourceSoftTimeout = TimeSpan.FromSeconds(2), SourceHardTimeout = TimeSpan.FromSeconds(2) });
        using var softOnly = new CacheRuntime(new CachedGenOptions { SourceSoftTimeout = TimeSpan.FromSeconds(2) });
        var options = new CachedGenOptions { SourceSoftTimeout = TimeSpan.FromSeconds(5), SourceHardTimeout = TimeSpan.FromSeconds(10) };
        options.Methods["IRepo.GetAsync"] = new CachedMethodOptions { SourceHardTimeout = TimeSpan.Zero }; // no limit for it
        using var perMethodOff = new CacheRuntime(options);
        Assert.Equal(TimeSpan.FromSeconds(5), perMethodOff.Options.SourceSoftTimeout);
    }

    /// <summary>A per-method setting no method could use is refused at start, naming the method, and a reload carrying
    /// one is rejected whole: the settings in force stay.</summary>
    [Theory]
    [MemberData(nameof(RefusedPerMethod))]
    public void A_per_method_setting_no_method_could_use_is_refused_at_start_and_on_reload(string message, CachedMethodOptions method)
    {
        var bad = new CachedGenOptions();
        bad.Methods["IRepo.GetAsync"] = method;
        var atStart = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(bad));
        Assert.Contains(message, atStart.Message, StringComparison.Ordinal);

        using var runtime = new CacheRuntime(new CachedGenOptions());
        var onReload = Assert.Throws<ArgumentOutOfRangeException>(() => runtime.Reload(bad));
        Assert.Contains(message, onReload.Message, StringComparison.Ordinal);
        Assert.Empty(runtime.CurrentOptions.Methods);
    }

    [Fact]
    public void Per_method_settings_are_found_whatever_the_case_of_their_id()
    {
        var options = new CachedGenOptions();
        options.Methods["irepo.getasync"] = new CachedMethodOptions { Enabled = false };
        Assert.True(options.Methods.ContainsKey("IRepo.GetAsync"));
    }

    /// <summary>A reload that changes settings fixed at start (the key prefix, the Redis budget, ...) applies its
    /// reloadable settings and says, once per reload, which ones it ignored (1026); a reload that changes only
    /// reloadable settings says nothing.</summary>
    [Fact]
    public void A_reload_that_changes_settings_fixed_at_start_names_them_once()
    {
        var log = new EventLog();
        using var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "a:", KeyHashSecret = new byte[32] }, (StackExchange.Redis.IConnectionMultiplexer?)null, log);

        runtime.Reload(new CachedGenOptions { KeyPrefix = "a:", KeyHashSecret = new byte[32], Enabled = false, EarlyRefresh = 0.5, SourceSoftTimeout = TimeSpan.FromSeconds(1) });
        Assert.False(runtime.Enabled);
        Assert.DoesNotContain(log.Events, e => e.Id == 1026);

        var secret = new byte[32];
        secret[0] = 1;
        runtime.Reload(new CachedGenOptions { KeyPrefix = "b:", RedisOperationTimeout = TimeSpan.FromSeconds(5), KeyHashSecret = secret, Enabled = true });
        Assert.True(runtime.Enabled);
        var ignored = Assert.Single(log.Events, e => e.Id == 1026);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, ignored.Level);
        Assert.Contains("(KeyPrefix, RedisOperationTimeout, KeyHashSecret)", ignored.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0001", ignored.Message, StringComparison.Ordinal);
        Assert.Equal("a:", runtime.Options.KeyPrefix);
    }

    /// <summary>A file watcher often reports one save twice: a configuration reload (what AddCachedGen's options monitor
    /// calls) says what it ignored when that differs from what the previous reload said, not once per notification;
    /// the settings it can apply are applied each time.</summary>
    [Fact]
    public void A_configuration_reload_that_says_the_same_as_the_previous_one_says_it_once()
    {
        var log = new EventLog();
        using var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "a:" }, (StackExchange.Redis.IConnectionMultiplexer?)null, log);

        runtime.TryReload(new CachedGenOptions { KeyPrefix = "b:", Enabled = false });
        runtime.TryReload(new CachedGenOptions { KeyPrefix = "b:", Enabled = false }); // the same save, reported again
        Assert.Single(log.Events, e => e.Id == 1026);
        Assert.False(runtime.Enabled);

        runtime.TryReload(new CachedGenOptions { KeyPrefix = "b:", Enabled = true }); // another save, the same ignored setting
        Assert.Single(log.Events, e => e.Id == 1026);
        Assert.True(runtime.Enabled);

        runtime.TryReload(new CachedGenOptions { KeyPrefix = "c:", RedisOperationTimeout = TimeSpan.FromSeconds(5) });
        Assert.Equal(2, log.Events.Count(e => e.Id == 1026)); // something new to say

        runtime.TryReload(new CachedGenOptions { KeyPrefix = "a:" });
        runtime.TryReload(new CachedGenOptions { KeyPrefix = "b:" });
        Assert.Equal(3, log.Events.Count(e => e.Id == 1026)); // said again once a reload in between said otherwise
    }
}
