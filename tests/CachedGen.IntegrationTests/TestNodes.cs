using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace CachedGen.IntegrationTests;

/// <summary>The nodes of one multi-node test: each its own multiplexer, <see cref="CacheRuntime"/> (L1, backplane
/// subscription) and generated decorator over a shared source, under the test's own key prefix; all disposed with it.</summary>
internal sealed class TestNodes(RedisServer server, string prefix) : IAsyncDisposable
{
    public static readonly byte[] Secret = Encoding.UTF8.GetBytes("integration-test-secret-0123456789abcdef");

    private readonly List<IAsyncDisposable> _disposables = [];

    /// <summary>Starts a node whose backplane is subscribed before it returns; <paramref name="configure"/> adjusts the
    /// options after the defaults (prefix, hashing secret, encryption key).</summary>
    public async Task<(IWidgetRepository Repository, CacheRuntime Runtime)> AddAsync(WidgetSource source, Action<CachedGenOptions>? configure = null)
    {
        var runtime = await AddRuntimeAsync(configure);
        return (new CachedWidgetRepository(source, runtime), runtime);
    }

    /// <summary>A node whose Redis commands the client's profiler records in <c>Profile</c> (read them with
    /// <see cref="Sent"/>).</summary>
    public async Task<(CacheRuntime Runtime, ProfilingSession Profile)> AddProfiledRuntimeAsync(Action<CachedGenOptions>? configure = null)
    {
        var profile = new ProfilingSession();
        return (await AddRuntimeAsync(configure, profile), profile);
    }

    /// <summary>The commands a profiled node sent since the last call, without the backplane's.</summary>
    public static string[] Sent(ProfilingSession profile)
        => profile.FinishProfiling().Select(c => c.Command).Where(c => c is not ("PUBLISH" or "SUBSCRIBE" or "PING")).ToArray();

    /// <summary>A node whose runtime has no decorator yet: the test registers the methods it describes itself.</summary>
    public async Task<CacheRuntime> AddRuntimeAsync(Action<CachedGenOptions>? configure = null, ProfilingSession? profile = null)
    {
        // A generous Redis budget: these tests are about what lands where, and a cold process (JIT, first EVAL of each
        // script) can take longer than the 100 ms default, which would leave a fill unwritten. Timeout behaviour has its
        // own tests with their own budgets.
        var options = new CachedGenOptions { KeyPrefix = prefix, ValueEncryptionKey = new byte[32], KeyHashSecret = Secret, RedisOperationTimeout = TimeSpan.FromSeconds(2) };
        configure?.Invoke(options);
        var mux = await ConnectionMultiplexer.ConnectAsync(server.Endpoint + ",abortConnect=false,connectRetry=0,connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000");
        if (profile is not null)
        {
            mux.RegisterProfiler(() => profile);
        }

        var runtime = new CacheRuntime(options, mux);
        _disposables.Add(runtime);
        _disposables.Add(mux);
        if (runtime.Backplane is { } backplane)
        {
            await backplane.Subscribed;
        }

        return runtime;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }
}
