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
    private readonly string _prefix = "conf-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private IConnectionMultiplexer _mux = null!;

    public async Task InitializeAsync() => _mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);

    public async Task DisposeAsync() => await _mux.DisposeAsync();

    private ServiceProvider Build(WidgetSource source, IConfiguration configuration, Action<CachedGenBuilder>? more = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IWidgetRepository>(source);
        services.Configure<CachedGenOptions>(configuration.GetSection("CachedGen"));
        var builder = services.AddCachedGen(o =>
        {
            o.KeyPrefix = _prefix;
            o.KeyHashSecret = Encoding.UTF8.GetBytes(new string('k', 32));
            o.ValueEncryptionKey = new byte[32];
        }).UseRedis(_mux);
        more?.Invoke(builder);
        return services.BuildServiceProvider();
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
