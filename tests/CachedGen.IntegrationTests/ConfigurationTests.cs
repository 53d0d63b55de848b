using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>CachedGen wired through dependency injection: settings reloaded from configuration, and warm-up at start.</summary>
public sealed class ConfigurationTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    // The tests that read what reached Redis: on a loaded machine a first call (a new connection, the scripts loaded) may
    // outlast the 100 ms default, and the call then falls back to the source and writes nothing to Redis.
    private static readonly TimeSpan LoadedMachineBudget = TimeSpan.FromSeconds(2);

    private readonly string _prefix = "conf-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private IConnectionMultiplexer _mux = null!;

    public async Task InitializeAsync() => _mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);

    public async Task DisposeAsync() => await _mux.DisposeAsync();

    private ServiceProvider Build(WidgetSource source, IConfiguration configuration, Action<CachedGenBuilder>? more = null, Microsoft.Extensions.Logging.ILoggerFactory? log = null)
    {
        var services = new ServiceCollection();
        if (log is not null)
        {
            services.AddSingleton(log);
        }

        services.AddSingleton<IWidgetRepository>(source);
        services.Configure<CachedGenOptions>(configuration.GetSection("CachedGen"));
        var builder = services.AddCachedGen(o =>
        {
            o.KeyPrefix = _prefix;
            o.KeyHashSecret = Encoding.UTF8.GetBytes(new string('k', 32));
            o.ValueEncryptionKey = new byte[32];
            o.RedisOperationTimeout = LoadedMachineBudget;
        }).UseRedis(_mux);
        more?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    private ServiceProvider BuildFromSection(WidgetSource source, IConfiguration configuration, Microsoft.Extensions.Logging.ILoggerFactory? log = null)
    {
        var services = new ServiceCollection();
        if (log is not null)
        {
            services.AddSingleton(log);
        }

        services.AddSingleton<IWidgetRepository>(source);
        services.AddCachedGen(configuration.GetSection("CachedGen"), o =>
        {
            o.KeyPrefix = _prefix;
            o.KeyHashSecret = Encoding.UTF8.GetBytes(new string('k', 32));
            o.ValueEncryptionKey = new byte[32];
        }).UseRedis(_mux);
        return services.BuildServiceProvider();
    }

    /// <summary><c>AddCachedGen(section)</c> reads the options without the configuration binder (whose source generator,
    /// on under PublishAot, warns on the options' object-typed settings and throws on <c>"30s"</c>): every kind of
    /// setting, keys in any case, durations in the attribute's syntax at the top level and under <c>Methods</c>; code
    /// given beside it wins; a key that names no setting is passed over.</summary>
    [Fact]
    public async Task AddCachedGen_with_a_configuration_section_reads_every_kind_of_setting()
    {
        var previousKey = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray());
        var configuration = Configuration(
            ("CachedGen:RedisOperationTimeout", "250ms"),
            ("CachedGen:leaseduration", "00:00:07"),
            ("CachedGen:FailSafeMaxAge", "1h30m"),
            ("CachedGen:BackgroundFill", "false"),
            ("CachedGen:CircuitBreakerThreshold", "9"),
            ("CachedGen:EarlyRefresh", "0.5"),
            ("CachedGen:Generation", "v7"),
            ("CachedGen:KeyPrefix", "ignored-code-wins:"),
            ("CachedGen:KeyHashRotationEndsAt", "2030-01-01T00:00:00Z"),
            ("CachedGen:PreviousValueEncryptionKeys:old", previousKey),
            ("CachedGen:ConnectionString", "read by the application itself"),
            ("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl", "30s"));
        var source = new WidgetSource();
        await using var provider = BuildFromSection(source, configuration);
        await StartAsync(provider);
        var runtime = provider.GetRequiredService<CacheRuntime>();
        var options = runtime.CurrentOptions;

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.RedisOperationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromMinutes(90), options.FailSafeMaxAge);
        Assert.False(options.BackgroundFill);
        Assert.Equal(9, options.CircuitBreakerThreshold);
        Assert.Equal(0.5, options.EarlyRefresh);
        Assert.Equal("v7", options.Generation);
        Assert.Equal(_prefix, options.KeyPrefix);
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero), options.KeyHashRotationEndsAt);
        Assert.Equal(Enumerable.Repeat((byte)1, 32), options.PreviousValueEncryptionKeys["old"]);
        Assert.Equal(TimeSpan.FromSeconds(30), runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor).Ttl);

        var repository = provider.GetRequiredService<IWidgetRepository>();
        await repository.GetValueAsync(1);
        await repository.GetValueAsync(1);
        Assert.Equal(1, source.SourceCalls);
    }

    /// <summary>The configuration's root passed where its <c>CachedGen</c> section was meant would read nothing, without
    /// a word: the host stops, saying which section to pass.</summary>
    [Fact]
    public async Task AddCachedGen_given_the_root_of_a_configuration_with_a_CachedGen_section_says_to_pass_the_section()
    {
        var configuration = Configuration(("CachedGen:RedisOperationTimeout", "250ms"), ("Logging:LogLevel:Default", "Information"));
        var services = new ServiceCollection();
        services.AddSingleton<IWidgetRepository>(new WidgetSource());
        services.AddCachedGen(configuration, o => o.KeyPrefix = _prefix);
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(provider));
        Assert.Contains("pass configuration.GetSection(\"CachedGen\")", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Through <c>AddCachedGen(section)</c>, a value that reads as nothing (a bare number, an object-typed
    /// setting) stops the host naming its path and value; a reload carrying one is rejected whole (1015), and a reload
    /// of readable values applies.</summary>
    [Fact]
    public async Task AddCachedGen_with_a_configuration_section_refuses_unreadable_values_and_follows_reloads()
    {
        var bad = Configuration(("CachedGen:RedisOperationTimeout", "90"), ("CachedGen:BackgroundFill", "nope"), ("CachedGen:AuditSink", "MyAuditSink"));
        await using (var provider = BuildFromSection(new WidgetSource(), bad))
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(provider));
            Assert.Contains("CachedGen:RedisOperationTimeout = \"90\": expected a duration", error.Message, StringComparison.Ordinal);
            Assert.Contains("CachedGen:BackgroundFill = \"nope\": expected true or false", error.Message, StringComparison.Ordinal);
            Assert.Contains("CachedGen:AuditSink = \"MyAuditSink\": set in code", error.Message, StringComparison.Ordinal);
        }

        var log = new PayloadGuardTests.EventLog();
        var configuration = Configuration(("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl", "45s"));
        await using var started = BuildFromSection(new WidgetSource(), configuration, log);
        await StartAsync(started);
        var runtime = started.GetRequiredService<CacheRuntime>();
        var method = runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor);

        configuration["CachedGen:Enabled"] = "false";
        configuration["CachedGen:SourceHardTimeout"] = "2x";
        configuration.Reload();
        var cause = Assert.Single(log.Exceptions, e => e.Id == 1015).Exception;
        Assert.Contains("CachedGen:SourceHardTimeout = \"2x\"", cause!.Message, StringComparison.Ordinal);
        Assert.True(runtime.Enabled); // rejected whole

        configuration["CachedGen:SourceHardTimeout"] = "2s";
        configuration["CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl"] = "1m";
        configuration.Reload();
        Assert.False(runtime.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(2), runtime.CurrentOptions.SourceHardTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), method.Ttl);
    }

    /// <summary>An overloaded method's id ends with its parameter types (the <c>CancellationToken</c> among them, as the
    /// method id shows them); <c>Methods</c> names one overload that way, or every overload by the name alone, full or
    /// short, in any case. The name alone used to name nothing (and 1025 said no such method existed).</summary>
    [Theory]
    [InlineData("Shop.IOrders.FindAsync(System.Int64,System.Threading.CancellationToken)", true)]
    [InlineData("IOrders.FindAsync(System.Int64,System.Threading.CancellationToken)", true)]
    [InlineData("Shop.IOrders.FindAsync", true)]
    [InlineData("iorders.findasync", true)]
    [InlineData("IOrders.FindAsync(System.String,System.Threading.CancellationToken)", false)]
    [InlineData("IOrders.Find", false)]
    public void An_overload_is_named_by_its_parameter_types_or_with_every_overload_by_its_name(string id, bool applies)
    {
        var descriptor = new Runtime.CacheMethodDescriptor<ValueTuple<long>, string>(
            "Shop.IOrders.FindAsync(System.Int64,System.Threading.CancellationToken)",
            static (in ValueTuple<long> key, ref Runtime.CacheKeyBuilder builder) => builder.AppendValue(key.Item1))
        {
            Ttl = TimeSpan.FromMinutes(5),
            KeySuffix = "#v1",
            ShapeFingerprint = 1,
        };
        var options = new CachedGenOptions();
        options.Methods[id] = new CachedMethodOptions { Enabled = false, Ttl = TimeSpan.FromSeconds(30) };

        var policy = Runtime.MethodPolicy.Create(descriptor, options);

        Assert.Equal(!applies, policy.Enabled);
        Assert.Equal(applies ? TimeSpan.FromSeconds(30) : TimeSpan.FromMinutes(5), policy.Ttl);
        Assert.Equal(applies, Runtime.MethodPolicy.Names(descriptor.MethodId).Contains(id, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Kill_switches_and_TTL_overrides_apply_from_the_next_call_after_a_configuration_reload()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var source = new WidgetSource();
        await using var provider = Build(source, configuration);
        var repository = provider.GetRequiredService<IWidgetRepository>();
        var runtime = provider.GetRequiredService<CacheRuntime>();

        await repository.GetAsync(1);
        await repository.GetAsync(1);
        Assert.Equal(1, source.SourceCalls);

        // Off for one method: its calls go to the source, the others stay cached.
        configuration["CachedGen:Methods:IWidgetRepository.GetAsync:Enabled"] = "false";
        configuration.Reload();
        await repository.GetAsync(1);
        await repository.GetAsync(1);
        Assert.Equal(3, source.SourceCalls);
        await repository.GetValueAsync(2);
        await repository.GetValueAsync(2);
        Assert.Equal(4, source.SourceCalls);

        // Back on, and the whole cache off.
        configuration["CachedGen:Methods:IWidgetRepository.GetAsync:Enabled"] = "true";
        configuration["CachedGen:Enabled"] = "false";
        configuration.Reload();
        Assert.False(runtime.Enabled);
        await repository.GetValueAsync(2);
        Assert.Equal(5, source.SourceCalls);

        // Back on, with a TTL override for one method (by its full id).
        configuration["CachedGen:Enabled"] = "true";
        configuration["CachedGen:Methods:CachedGen.IntegrationTests.IWidgetRepository.GetValueAsync:Ttl"] = "00:00:00.500";
        configuration.Reload();
        Assert.True(runtime.Enabled);
        await repository.GetValueAsync(3);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var method = runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor);
        Assert.Equal(TimeSpan.FromMilliseconds(500), method.Ttl);
        var ttl = long.Parse(await redis.Server.ExecuteAsync("PTTL", method.RenderKey(new ValueTuple<int>(3))));
        Assert.InRange(ttl, 1, 500);
        Assert.Equal(TimeSpan.FromMinutes(10), runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).Ttl);
    }

    private static async Task StartAsync(IServiceProvider provider)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(default);
        }
    }

    private static IConfigurationRoot Configuration(params (string Key, string Value)[] settings)
        => new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    /// <summary>The configuration binder dropped a whole <c>Methods</c> entry without a word when a duration was written as
    /// in <c>[Cached("30s")]</c> (the method kept its default TTL, and the entry's kill switch was lost with it): durations
    /// under <c>Methods</c> take the attribute's syntax, and <c>hh:mm:ss</c> as before.</summary>
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("250ms", 250)]
    [InlineData("00:00:30", 30_000)]
    public async Task A_per_method_duration_in_the_attribute_syntax_applies_from_configuration(string ttl, int ms)
    {
        var configuration = Configuration(
            ("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl", ttl),
            ("CachedGen:Methods:IWidgetRepository.GetValueAsync:SourceHardTimeout", "2s"),
            ("CachedGen:Methods:IWidgetRepository.GetAsync:Enabled", "false"),
            ("CachedGen:Methods:IWidgetRepository.GetAsync:FailSafeMaxAge", "10m"));
        var source = new WidgetSource();
        await using var provider = Build(source, configuration);
        await StartAsync(provider);
        var runtime = provider.GetRequiredService<CacheRuntime>();

        Assert.Equal(TimeSpan.FromMilliseconds(ms), runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor).Ttl);
        Assert.Equal(TimeSpan.FromSeconds(2), runtime.CurrentOptions.Methods["IWidgetRepository.GetValueAsync"].SourceHardTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), runtime.CurrentOptions.Methods["IWidgetRepository.GetAsync"].FailSafeMaxAge);
        var repository = provider.GetRequiredService<IWidgetRepository>();
        await repository.GetAsync(1);
        await repository.GetAsync(1);
        Assert.Equal(2, source.SourceCalls); // the entry's kill switch is not lost with its duration
    }

    /// <summary>A value under <c>Methods</c> that reads as nothing stops the host at start, naming the setting and the
    /// value, and a reload carrying one is rejected whole (1015) with the same words: never dropped without a word.</summary>
    [Fact]
    public async Task An_unreadable_per_method_value_stops_the_host_and_is_rejected_on_reload_naming_setting_and_value()
    {
        var bad = Configuration(
            ("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl", "30 seconds"),
            ("CachedGen:Methods:IWidgetRepository.GetAsync:Enabled", "nope"),
            ("CachedGen:Methods:IWidgetRepository.GetAsync:FailSafeMaxAge", "90")); // 90 days to TimeSpan, refused as [Cached("90")] is
        await using (var provider = Build(new WidgetSource(), bad))
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => StartAsync(provider));
            Assert.Contains("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl = \"30 seconds\"", error.Message, StringComparison.Ordinal);
            Assert.Contains("CachedGen:Methods:IWidgetRepository.GetAsync:Enabled = \"nope\"", error.Message, StringComparison.Ordinal);
            Assert.Contains("CachedGen:Methods:IWidgetRepository.GetAsync:FailSafeMaxAge = \"90\": expected a duration", error.Message, StringComparison.Ordinal);
            Assert.Contains("a number needs its unit", error.Message, StringComparison.Ordinal);
        }

        var log = new PayloadGuardTests.EventLog();
        var configuration = Configuration(("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl", "45s"));
        await using var started = Build(new WidgetSource(), configuration, log: log);
        await StartAsync(started);
        var runtime = started.GetRequiredService<CacheRuntime>();
        var method = runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor);
        Assert.Equal(TimeSpan.FromSeconds(45), method.Ttl);

        configuration["CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl"] = "1x";
        configuration["CachedGen:Enabled"] = "false";
        configuration.Reload();
        Assert.Single(log.Events, e => e.Id == 1015);
        var cause = Assert.Single(log.Exceptions, e => e.Id == 1015).Exception;
        Assert.Contains("CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl = \"1x\"", cause!.Message, StringComparison.Ordinal);
        Assert.True(runtime.Enabled); // rejected whole
        Assert.Equal(TimeSpan.FromSeconds(45), method.Ttl);

        configuration["CachedGen:Methods:IWidgetRepository.GetValueAsync:Ttl"] = "2m";
        configuration.Reload();
        Assert.Equal(TimeSpan.FromMinutes(2), method.Ttl);
        Assert.False(runtime.Enabled);
    }

    [Fact]
    public async Task A_new_generation_drops_every_entry_in_O1_and_a_bad_one_is_rejected()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build();
        var source = new WidgetSource();
        await using var provider = Build(source, configuration);
        var repository = provider.GetRequiredService<IWidgetRepository>();
        var runtime = provider.GetRequiredService<CacheRuntime>();
        var method = runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor);
        await repository.GetAsync(1);
        await repository.GetValueAsync(1);
        var before = method.RenderKey(new ValueTuple<int>(1));

        // Data changed behind the application's back: a new generation for everything.
        configuration["CachedGen:Generation"] = "2";
        configuration.Reload();
        await repository.GetAsync(1);
        await repository.GetValueAsync(1);
        Assert.Equal(4, source.SourceCalls);
        var after = method.RenderKey(new ValueTuple<int>(1));
        Assert.NotEqual(before, after);
        Assert.EndsWith(".g2.", after, StringComparison.Ordinal);
        await runtime.PendingFills.WhenIdleAsync(); // the misses were answered before their fills landed
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", after));

        // One method only.
        configuration["CachedGen:Methods:IWidgetRepository.GetAsync:Generation"] = "b";
        configuration.Reload();
        await repository.GetAsync(1);
        await repository.GetValueAsync(1);
        Assert.Equal(5, source.SourceCalls);

        // A generation that cannot be part of a key is rejected as a whole: nothing changes, nothing throws.
        configuration["CachedGen:Generation"] = "3 }";
        configuration["CachedGen:Enabled"] = "false";
        configuration.Reload();
        Assert.True(runtime.Enabled);
        await repository.GetAsync(1);
        Assert.Equal(5, source.SourceCalls);
    }

    [Fact]
    public async Task The_invalidator_from_DI_drives_the_generated_helpers()
    {
        var source = new WidgetSource();
        await using var provider = Build(source, new ConfigurationBuilder().Build());
        var repository = provider.GetRequiredService<IWidgetRepository>();
        await repository.GetAsync(4);

        await source.RenameAsync(4, "changed by another service");
        await CachedWidgetRepository.InvalidateGetAsync(provider.GetRequiredService<ICacheInvalidator>(), 4);

        Assert.Equal("changed by another service", (await repository.GetAsync(4))!.Name);
        Assert.Same(provider.GetRequiredService<CacheRuntime>(), provider.GetRequiredService<ICacheInvalidator>());
    }

    [Fact]
    public async Task Warm_up_fills_the_declared_entries_at_start_with_bounded_concurrency()
    {
        var configuration = new ConfigurationBuilder().Build();
        var source = new WidgetSource { ReadDelay = TimeSpan.FromMilliseconds(20) };
        await using var provider = Build(source, configuration, builder => builder
            .WarmUp<IWidgetRepository, int>(_ => Enumerable.Range(1, 40), (widgets, id, _) => widgets.GetSlowWidgetAsync(id), maxConcurrency: 3));

        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(default);
        }

        var warmUp = provider.GetServices<IHostedService>().OfType<CachedGenWarmUpService>().Single();
        await warmUp.Completion.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(40, source.SourceCalls);
        Assert.InRange(source.MaxConcurrentSlowReads, 1, 3);
        var repository = provider.GetRequiredService<IWidgetRepository>();
        for (var id = 1; id <= 40; id++)
        {
            Assert.Equal("widget-" + id, (await repository.GetSlowWidgetAsync(id))!.Name);
        }

        Assert.Equal(40, source.SourceCalls);
        Assert.Equal("40", await redis.Server.ExecuteAsync("EVAL", $"return #redis.call('KEYS', '{_prefix}*')", "0"));
    }

    /// <summary>The repository is scoped, as an EF Core one is: each item is loaded through a repository of its own scope
    /// (never the root provider, which refuses scoped services when it validates scopes, and never one instance for
    /// concurrent items), and the log counts the entries filled, not the items tried.</summary>
    [Fact]
    public async Task Warm_up_loads_each_item_through_a_scoped_repository_of_its_own_scope()
    {
        var source = new WidgetSource();
        var resolved = 0;
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(log);
        services.AddScoped<IWidgetRepository>(_ =>
        {
            System.Threading.Interlocked.Increment(ref resolved);
            return source;
        });
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = _prefix;
            o.KeyHashSecret = Encoding.UTF8.GetBytes(new string('k', 32));
            o.ValueEncryptionKey = new byte[32];
            o.RedisOperationTimeout = LoadedMachineBudget;
        }).UseRedis(_mux)
            .WarmUp<IWidgetRepository, int>(_ => [1, 2, 3, 4], (widgets, id, _) => id == 4 ? throw new InvalidOperationException("row 4 is gone") : widgets.GetSlowWidgetAsync(id), maxConcurrency: 2);
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(default);
        }

        await provider.GetServices<IHostedService>().OfType<CachedGenWarmUpService>().Single().Completion.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(4, resolved); // one repository per item
        Assert.Equal(3, source.SourceCalls);
        Assert.Equal("3", await redis.Server.ExecuteAsync("EVAL", $"return #redis.call('KEYS', '{_prefix}*')", "0"));
        Assert.Contains(log.Events, e => e.Id == 1020 && e.Message.Contains("filled 3 entries", StringComparison.Ordinal) && e.Message.Contains("(1 failed)", StringComparison.Ordinal));
    }
}
