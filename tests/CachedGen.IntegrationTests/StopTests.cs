using System;
using System.Diagnostics;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>A process stops in a bounded time while Redis does not answer (frozen, a network partition): the runtime
/// waits for its own work within its Redis budgets, and closes the connection it owns without StackExchange.Redis's
/// wait for the commands still queued, which lasts its <c>syncTimeout</c> (5 s by default). Its own Redis server,
/// which it freezes.</summary>
public sealed class StopTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("integration-test-secret-0123456789abcdef");

    [Fact]
    public async Task Disposing_the_container_while_redis_is_frozen_does_not_wait_out_the_client_s_sync_timeout()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IWidgetRepository>(new WidgetSource());
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = "stop-" + Guid.NewGuid().ToString("N")[..8] + ":";
            o.KeyHashSecret = Secret;
            o.ValueEncryptionKey = new byte[32];
            o.RedisOperationTimeout = TimeSpan.FromSeconds(1);
        }).UseRedis(redis.Server.Endpoint + ",syncTimeout=60000,asyncTimeout=60000"); // the connection CachedGen owns
        var provider = services.BuildServiceProvider();
        var runtime = provider.GetRequiredService<CacheRuntime>();
        Assert.NotNull(await Eventually.ReadAsync(() => Task.FromResult(runtime.RedisConnection), c => c is not null, TimeSpan.FromSeconds(10)));
        await provider.GetRequiredService<IWidgetRepository>().GetAsync(1);
        await runtime.PendingFills.WhenIdleAsync();

        await redis.Server.PauseAsync();
        try
        {
            var stopping = Stopwatch.StartNew();
            await provider.DisposeAsync();

            // The runtime's own waits are each bounded by its 1 s budget; the client's would be 60 s.
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"the stop took {stopping.Elapsed}");
        }
        finally
        {
            await redis.Server.ResumeAsync();
        }
    }
}
