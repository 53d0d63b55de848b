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
        Services.AddSingleton(new RedisConnectionSource(() => ConnectAsync(options), ownsConnection: true));
        return this;
    }

    /// <summary>Adds Redis as the L2 over a multiplexer the application owns (and disposes).</summary>
    public CachedGenBuilder UseRedis(IConnectionMultiplexer multiplexer)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Services.AddSingleton(new RedisConnectionSource(() => Task.FromResult(multiplexer), ownsConnection: false));
        return this;
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions options)
        => await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
}

internal sealed class RedisConnectionSource(Func<Task<IConnectionMultiplexer>> connect, bool ownsConnection)
{
    public bool OwnsConnection { get; } = ownsConnection;

    public Task<IConnectionMultiplexer> Connect() => connect();
}
