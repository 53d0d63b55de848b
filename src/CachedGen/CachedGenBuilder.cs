using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CachedGen;

/// <summary>Configures CachedGen after <see cref="CachedGenServiceCollectionExtensions.AddCachedGen(IServiceCollection)"/>.</summary>
public sealed class CachedGenBuilder
{
    internal CachedGenBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection being configured.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds Redis as the L2, connecting in the background with <paramref name="configuration"/> (a StackExchange.Redis
    /// configuration string such as <c>localhost:6379</c> or <c>sentinel1:26379,serviceName=mymaster</c>).
    /// </summary>
    /// <remarks>
    /// Until the connection is up, and whenever Redis is unreachable, calls run on L1 and the source. Unless the string
    /// says otherwise, commands fail fast while disconnected (<c>BacklogPolicy.FailFast</c>) and the client does not
    /// abort on a failed first connect (<c>abortConnect=false</c>).
    /// </remarks>
    public CachedGenBuilder UseRedis(string configuration)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        Services.AddSingleton(new RedisConnectionSource(_ => ConnectAsync(options), ownsConnection: true));
        return this;
    }

    /// <summary>Adds Redis as the L2 over a multiplexer the application owns (and disposes).</summary>
    public CachedGenBuilder UseRedis(IConnectionMultiplexer multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Services.AddSingleton(new RedisConnectionSource(_ => Task.FromResult(multiplexer), ownsConnection: false));
        return this;
    }

    /// <summary>
    /// Adds Redis as the L2 over the <see cref="IConnectionMultiplexer"/> registered in dependency injection, such as the
    /// one Aspire's <c>builder.AddRedisClient("cache")</c> registers. It is resolved when CachedGen's runtime is first
    /// resolved; the container owns (and disposes) it.
    /// </summary>
    /// <remarks>
    /// The multiplexer keeps the settings it was created with. CachedGen bounds every operation by
    /// <see cref="CachedGenOptions.RedisOperationTimeout"/> whatever they are, but a multiplexer created with
    /// <c>abortConnect=true</c> (the StackExchange.Redis default) throws when Redis is down at start-up: prefer
    /// <c>abortConnect=false</c>, as Aspire does.
    /// </remarks>
    /// <example><code>
    /// builder.AddRedisClient("cache");                        // Aspire.StackExchange.Redis: registers IConnectionMultiplexer
    /// builder.Services.AddCachedGen(o => o.KeyPrefix = "forms-app:").UseRedis();
    /// </code></example>
    public CachedGenBuilder UseRedis()
        => UseRedis(static sp => sp.GetRequiredService<IConnectionMultiplexer>());

    /// <summary>
    /// Adds Redis as the L2 over the multiplexer <paramref name="multiplexer"/> returns, called once with the
    /// application's service provider when CachedGen's runtime is first resolved (for example a keyed registration:
    /// <c>sp =&gt; sp.GetRequiredKeyedService&lt;IConnectionMultiplexer&gt;("cache")</c>). The multiplexer is the
    /// application's: CachedGen does not dispose it.
    /// </summary>
    public CachedGenBuilder UseRedis(Func<IServiceProvider, IConnectionMultiplexer> multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Services.AddSingleton(new RedisConnectionSource(sp => Task.FromResult(multiplexer(sp)), ownsConnection: false));
        return this;
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
        => await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
}

internal sealed class RedisConnectionSource(Func<IServiceProvider, Task<IConnectionMultiplexer>> connect, bool ownsConnection)
{
    public bool OwnsConnection { get; } = ownsConnection;

    public Task<IConnectionMultiplexer> Connect(IServiceProvider services) => connect(services);
}
