using System.Threading.Tasks;
using Xunit;

namespace CachedGen.TestKit;

/// <summary>
/// One real redis-server for a test class (<c>IClassFixture&lt;RedisServerFixture&gt;</c>) or a collection. Derive and
/// override <see cref="ExtraArgs"/> to pass more redis-server arguments.
/// </summary>
public class RedisServerFixture : IAsyncLifetime
{
    private RedisServer? _server;

    /// <summary>The running server; available once xunit has called <see cref="InitializeAsync"/>.</summary>
    public RedisServer Server => _server ?? throw new System.InvalidOperationException("The Redis server fixture has not been initialized.");

    /// <summary>Extra redis-server arguments, for example <c>--maxmemory 10mb</c>.</summary>
    protected virtual string? ExtraArgs => null;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync(ExtraArgs).ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
