using System;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary><c>UseRedis()</c> and <c>UseRedis(Func&lt;IServiceProvider, IConnectionMultiplexer&gt;)</c>: CachedGen over a
/// multiplexer the application registered (as Aspire's <c>AddRedisClient</c> does), never disposing it.</summary>
public sealed class UseRedisOverloadTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("integration-test-secret-0123456789abcdef");
    private readonly string _prefix = "it-" + Guid.NewGuid().ToString("N")[..8] + ":";

    [Fact]
    public async Task UseRedis_without_arguments_uses_the_multiplexer_registered_in_DI_and_leaves_it_open()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var source = new WidgetSource();
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(mux);
        services.AddSingleton<IWidgetRepository>(source);
        services.AddCachedGen(Configure).UseRedis();

        await using (var provider = services.BuildServiceProvider())
        {
            var runtime = provider.GetRequiredService<CacheRuntime>();
            Assert.Same(mux, await Eventually.ReadAsync(() => Task.FromResult(runtime.RedisConnection), c => c is not null, Eventually.Generous));
            await provider.GetRequiredService<IWidgetRepository>().GetBigAsync(4, 10);
            await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed

            // The entry written to Redis through the registered multiplexer.
            Assert.Contains(_prefix, await redis.Server.ExecuteAsync("KEYS", _prefix + "*"), StringComparison.Ordinal);
        }

        Assert.True(mux.IsConnected, "disposing the provider left the application's multiplexer open");
    }

    [Fact]
    public async Task UseRedis_with_a_factory_calls_it_with_the_service_provider()
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var services = new ServiceCollection();
        services.AddKeyedSingleton<IConnectionMultiplexer>("cache", mux);
        services.AddSingleton<IWidgetRepository>(new WidgetSource());
        IServiceProvider? seen = null;
        services.AddCachedGen(Configure).UseRedis(sp =>
        {
            seen = sp;
            return sp.GetRequiredKeyedService<IConnectionMultiplexer>("cache");
        });

        await using (var provider = services.BuildServiceProvider())
        {
            var runtime = provider.GetRequiredService<CacheRuntime>();
            Assert.NotNull(seen);
            Assert.Same(mux, await Eventually.ReadAsync(() => Task.FromResult(runtime.RedisConnection), c => c is not null, Eventually.Generous));
        }

        Assert.True(mux.IsConnected, "disposing the provider left the application's multiplexer open");
    }

    [Fact]
    public void UseRedis_without_a_registered_multiplexer_fails_when_the_runtime_is_resolved()
    {
        var services = new ServiceCollection();
        services.AddCachedGen(Configure).UseRedis();
        using var provider = services.BuildServiceProvider();

        Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<CacheRuntime>());
    }

    private void Configure(CachedGenOptions o)
    {
        o.KeyPrefix = _prefix;
        o.KeyHashSecret = Secret;
        o.ValueEncryptionKey = new byte[32];
        o.RedisOperationTimeout = TimeSpan.FromSeconds(2);
    }
}
