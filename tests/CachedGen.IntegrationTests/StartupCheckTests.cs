using System;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Under a host, <c>AddCachedGen</c> checks at start what would otherwise fail at the first call: options that
/// cannot serve a decorated repository stop the host, with every such method named, and registrations left undecorated
/// are logged before anything is resolved.</summary>
public sealed class StartupCheckTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private IConnectionMultiplexer _mux = null!;

    public async Task InitializeAsync() => _mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);

    public async Task DisposeAsync() => await _mux.DisposeAsync();

    private static async Task StartAsync(IServiceProvider provider)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(default);
        }
    }

    [Fact]
    public async Task Options_without_the_secret_and_key_that_methods_need_with_Redis_stop_the_host_naming_each_method()
    {
        var services = new ServiceCollection();
        services.AddScoped<IWidgetRepository>(_ => new WidgetSource());
        services.AddCachedGen(o => o.KeyPrefix = "startup:").UseRedis(_mux); // no KeyHashSecret, no ValueEncryptionKey
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(provider));
        Assert.Contains("IWidgetRepository.GetAccountAsync hashes a key placeholder", error.Message, StringComparison.Ordinal);
        Assert.Contains("KeyHashSecret must be set", error.Message, StringComparison.Ordinal);
        Assert.Contains("IWidgetRepository.GetSecretAsync is [Cached(Sensitive = true)]", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A method that both hashes a key placeholder and is Sensitive names both missing settings at once: fixed one
    /// at a time, each start would fail on the next.</summary>
    [Fact]
    public async Task A_method_that_needs_the_secret_and_the_key_names_both_at_once()
    {
        await using var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "startup-both:" }, _mux);
        var descriptor = new Runtime.CacheMethodDescriptor<ValueTuple<string>, string>(
            "Shop.ICustomers.FindByEmailAsync",
            static (in ValueTuple<string> key, ref Runtime.CacheKeyBuilder builder) => builder.AppendHashed(key.Item1))
        {
            Ttl = TimeSpan.FromMinutes(5),
            KeySuffix = "#v1",
            ShapeFingerprint = 1,
            HashesKey = true,
            Sensitive = true,
        };

        var error = Assert.Throws<InvalidOperationException>(() => runtime.EnsureUsable(descriptor));
        Assert.Contains("KeyHashSecret must be set", error.Message, StringComparison.Ordinal);
        Assert.Contains("ValueEncryptionKey must be set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_that_serve_every_method_start_the_host()
    {
        var services = new ServiceCollection();
        services.AddScoped<IWidgetRepository>(_ => new WidgetSource());
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = "startup-ok:";
            o.KeyHashSecret = Encoding.UTF8.GetBytes(new string('k', 32));
            o.ValueEncryptionKey = new byte[32];
        }).UseRedis(_mux);
        await using var provider = services.BuildServiceProvider();

        await StartAsync(provider);
        Assert.NotNull(await provider.CreateScope().ServiceProvider.GetRequiredService<IWidgetRepository>().GetAsync(1));
    }

    [Fact]
    public async Task A_registration_left_undecorated_is_logged_when_the_host_starts()
    {
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(log);
        services.AddCachedGen();
        services.AddScoped<IWidgetRepository>(_ => new WidgetSource()); // after AddCachedGen: not decorated
        await using var provider = services.BuildServiceProvider();

        await StartAsync(provider); // nothing resolved but the hosted services
        var warning = Assert.Single(log.Events, e => e.Id == 1019);
        Assert.Contains(typeof(IWidgetRepository).ToString(), warning.Message, StringComparison.Ordinal);
    }

    /// <summary>A <c>Methods</c> entry that names no cached method of the decorated services (a typo) would leave its
    /// kill switch or TTL unused without a word: it is logged at start (1025), and an id in another case, or without its
    /// namespace, is not.</summary>
    [Fact]
    public async Task Settings_for_a_method_id_that_names_nothing_are_logged_at_start()
    {
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(log);
        services.AddScoped<IWidgetRepository>(_ => new WidgetSource());
        services.AddCachedGen(o =>
        {
            o.Methods["IWidgetRepository.GetAsnc"] = new CachedMethodOptions { Enabled = false };
            o.Methods["iwidgetrepository.getasync"] = new CachedMethodOptions { Enabled = false };
            o.Methods["CachedGen.IntegrationTests.IWidgetRepository.GetValueAsync"] = new CachedMethodOptions { Enabled = false };
        });
        await using var provider = services.BuildServiceProvider();

        await StartAsync(provider);
        var warning = Assert.Single(log.Events, e => e.Id == 1025);
        Assert.Contains("IWidgetRepository.GetAsnc", warning.Message, StringComparison.Ordinal);
    }

    /// <summary><c>UseRedis(string)</c> to a port nothing listens on, under a started host: the node runs on L1 and the
    /// source, and says why once, as event 1006 with the client's error, not only as the circuit opening (1007) once
    /// calls have failed.</summary>
    [Fact]
    public async Task Redis_unreachable_at_host_start_is_logged_as_could_not_connect_with_the_cause()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(log);
        var source = new WidgetSource();
        services.AddSingleton<IWidgetRepository>(source);
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = "startup-down:";
            o.KeyHashSecret = new byte[32];
            o.ValueEncryptionKey = new byte[32];
        }).UseRedis($"127.0.0.1:{port}");
        await using var provider = services.BuildServiceProvider();
        await StartAsync(provider);

        var repository = provider.GetRequiredService<IWidgetRepository>();
        for (var id = 1; id <= 10; id++)
        {
            Assert.Equal("widget-" + id, (await repository.GetAsync(id))!.Name);
        }

        await Eventually.HoldsAsync(() => log.Events.Any(e => e.Id == 1006), "event 1006 logged");
        var connectFailed = Assert.Single(log.Exceptions, e => e.Id == 1006);
        Assert.NotNull(connectFailed.Exception);
        Assert.Equal(LogLevel.Warning, Assert.Single(log.Events, e => e.Id == 1006).Level);
    }
}
