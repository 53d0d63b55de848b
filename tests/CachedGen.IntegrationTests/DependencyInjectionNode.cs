using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CachedGen.IntegrationTests;

/// <summary>A node as an application builds it: its registrations, then <c>AddCachedGen</c> over a real redis-server,
/// and its backplane subscribed before the test uses it.</summary>
internal static class DependencyInjectionNode
{
    /// <param name="server">The redis-server every node of the test shares.</param>
    /// <param name="prefix">The test's key prefix.</param>
    /// <param name="disposables">Where the provider and the connection go, for the test to dispose.</param>
    /// <param name="register">The application's registrations, made before <c>AddCachedGen</c>.</param>
    /// <param name="validate">Whether the provider validates scopes and every registration when it is built.</param>
    public static async Task<ServiceProvider> StartAsync(RedisServer server, string prefix, List<IAsyncDisposable> disposables, Action<IServiceCollection> register, bool validate = false)
    {
        var services = new ServiceCollection();
        register(services);
        var mux = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",abortConnect=false,connectRetry=0,connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000");
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = prefix;
            o.KeyHashSecret = TestNodes.Secret;
            o.ValueEncryptionKey = new byte[32];
            // These tests are about keys and registrations, not the Redis budget: on a loaded machine a 100 ms budget can
            // run out and the call then leaves Redis out by design, which would look like a missing entry here.
            o.RedisOperationTimeout = TimeSpan.FromSeconds(2);
        }).UseRedis(mux);
        var provider = validate
            ? services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true })
            : services.BuildServiceProvider();
        disposables.Add(provider);
        disposables.Add(mux);
        await provider.GetRequiredService<CacheRuntime>().Backplane!.Subscribed;
        return provider;
    }
}
