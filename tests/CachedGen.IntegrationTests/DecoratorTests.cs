using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>The generated decorator against a real redis-server: each test uses its own key prefix, and each
/// "node" its own multiplexer and L1.</summary>
public sealed class DecoratorTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("integration-test-secret-0123456789abcdef");
    private readonly string _prefix = "it-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly System.Collections.Generic.List<IAsyncDisposable> _disposables = [];

    private RedisServer Server => redis.Server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private async Task<(IWidgetRepository Repository, CacheRuntime Runtime)> NodeAsync(WidgetSource source, Action<CachedGenOptions>? configure = null)
    {
        // A generous Redis budget: a cold process can take longer than the 100 ms default, which would leave a fill
        // unwritten; timeouts have their own tests (OutageTests).
        var options = new CachedGenOptions { KeyPrefix = _prefix, ValueEncryptionKey = new byte[32], KeyHashSecret = Secret, RedisOperationTimeout = TimeSpan.FromSeconds(2) };
        configure?.Invoke(options);
        var mux = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint + ",abortConnect=false,connectRetry=0,connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000");
        var runtime = new CacheRuntime(options, mux);
        _disposables.Add(mux);
        return (new CachedWidgetRepository(source, runtime), runtime);
    }

    private static CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> GetAsyncCache(CacheRuntime runtime)
        => runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor);

    private async Task<bool> ExistsAsync(string key) => await Server.ExecuteAsync("EXISTS", key) == "1";

    [Fact]
    public async Task Miss_fills_L1_and_Redis_then_hits_L1()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);

        var first = await repository.GetAsync(1);
        var second = await repository.GetAsync(1);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed

        Assert.Equal("widget-1", first!.Name);
        Assert.Equal(first, second);
        Assert.Equal(1, source.SourceCalls);
        var cache = GetAsyncCache(runtime);
        Assert.True(cache.TryGetLocal(new ValueTuple<int>(1), out var local));
        Assert.Equal(first, local);
        var key = cache.RenderKey(new ValueTuple<int>(1));
        Assert.Equal(_prefix + "{widget:1}" + CachedWidgetRepository.GetAsyncDescriptor.KeySuffix, key);
        Assert.True(await ExistsAsync(key));
        var ttl = long.Parse(await Server.ExecuteAsync("PTTL", key));
        Assert.InRange(ttl, 1, (long)TimeSpan.FromMinutes(10).TotalMilliseconds);
    }

    [Fact]
    public async Task Another_node_is_served_from_Redis_without_calling_the_source()
    {
        var source = new WidgetSource();
        var (nodeA, _) = await NodeAsync(source);
        var (nodeB, runtimeB) = await NodeAsync(source);

        var fromA = await nodeA.GetValueAsync(7);
        var fromB = await nodeB.GetValueAsync(7);

        Assert.Equal((fromA!.Id, fromA.Name, fromA.Revision), (fromB!.Id, fromB.Name, fromB.Revision));
        Assert.Equal(fromA.Tags, fromB.Tags);
        Assert.Equal(1, source.SourceCalls);
        Assert.True(runtimeB.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor)
            .TryGetLocal(new ValueTuple<int>(7), out _));
    }

    [Fact]
    public async Task Entries_expire_after_their_ttl()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);
        var key = runtime.GetMethod(CachedWidgetRepository.GetShortLivedAsyncDescriptor).RenderKey(new ValueTuple<int>(3));

        await repository.GetShortLivedAsync(3);
        await repository.GetShortLivedAsync(3);
        Assert.Equal(1, source.SourceCalls);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        Assert.True(await ExistsAsync(key));

        // Redis drops the entry when its TTL (1 s) has passed; L1, which keeps it as long, then goes to the source once.
        await Eventually.HoldsAsync(async () => !await ExistsAsync(key), "the 1 s entry is still in Redis");
        await Eventually.HoldsAsync(async () => (await repository.GetShortLivedAsync(3))!.Name == "widget-3" && source.SourceCalls > 1, "L1 still serves the expired entry");
        Assert.Equal(2, source.SourceCalls);
    }

    [Fact]
    public async Task A_successful_write_removes_the_entry_from_L1_and_Redis()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);
        var cache = GetAsyncCache(runtime);
        var key = cache.RenderKey(new ValueTuple<int>(5));

        Assert.Equal("widget-5", (await repository.GetAsync(5))!.Name);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        Assert.True(await ExistsAsync(key));

        await repository.RenameAsync(5, "renamed");

        Assert.False(cache.TryGetLocal(new ValueTuple<int>(5), out _));
        Assert.False(await ExistsAsync(key));
        Assert.Equal("renamed", (await repository.GetAsync(5))!.Name);
        Assert.Equal(2, source.SourceCalls);
        await runtime.PendingFills.WhenIdleAsync(); // the entry is back in Redis before the next write removes it

        repository.Delete(5);
        Assert.False(await ExistsAsync(key));
        Assert.Equal("deleted", (await repository.GetAsync(5))!.Name);
    }

    /// <summary>The same, when the method's recent misses found nothing in Redis, so a miss skips the GET and the lease
    /// script finds the garbage: it deletes the key, takes the lease on a second run of the script and writes the value
    /// back, instead of leaving the key empty for every node's next read.</summary>
    [Fact]
    public async Task Garbage_found_by_the_lease_script_is_a_miss_and_is_replaced()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);
        for (var id = 100; id < 110; id++)
        {
            await repository.GetAsync(id); // nothing in Redis: misses from now on start with the lease script
        }

        await runtime.PendingFills.WhenIdleAsync();
        var key = GetAsyncCache(runtime).RenderKey(new ValueTuple<int>(12));
        var garbage = new byte[300];
        new Random(12).NextBytes(garbage);
        await Server.SetRawAsync(key, garbage);

        var widget = await repository.GetAsync(12);
        await runtime.PendingFills.WhenIdleAsync();

        Assert.Equal("widget-12", widget!.Name);
        Assert.Equal(11, source.SourceCalls);
        Assert.NotEqual("300", await Server.ExecuteAsync("STRLEN", key));
        Assert.True(await ExistsAsync(key));
    }

    [Fact]
    public async Task Garbage_under_a_key_is_a_miss_and_is_replaced()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);
        var key = GetAsyncCache(runtime).RenderKey(new ValueTuple<int>(11));
        var garbage = new byte[300];
        new Random(11).NextBytes(garbage);
        await Server.SetRawAsync(key, garbage);

        var widget = await repository.GetAsync(11);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed

        Assert.Equal("widget-11", widget!.Name);
        Assert.Equal(1, source.SourceCalls);
        var stored = await Server.ExecuteAsync("STRLEN", key);
        Assert.NotEqual("300", stored);
        Assert.True(await ExistsAsync(key));
    }

    [Fact]
    public async Task One_source_call_for_concurrent_misses_of_one_key()
    {
        var source = new WidgetSource();
        var (repository, _) = await NodeAsync(source);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => repository.GetSlowAsync(9, TimeSpan.FromMilliseconds(200))));

        Assert.Equal(1, source.SourceCalls);
        Assert.All(results, r => Assert.Equal("widget-9", r!.Name));
    }

    [Fact]
    public async Task Large_values_are_compressed_in_Redis_and_read_back()
    {
        var source = new WidgetSource();
        var (nodeA, runtime) = await NodeAsync(source);
        var (nodeB, _) = await NodeAsync(source);

        var value = await nodeA.GetBigAsync(2, 100_000);
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var key = runtime.GetMethod(CachedWidgetRepository.GetBigAsyncDescriptor)
            .RenderKey((2, 100_000));
        var length = int.Parse(await Server.ExecuteAsync("STRLEN", key));

        Assert.InRange(length, 1, 2_000);
        Assert.Equal(value, await nodeB.GetBigAsync(2, 100_000));
        Assert.Equal(1, source.SourceCalls);
    }

    [Fact]
    public async Task Hashed_placeholders_keep_personal_data_out_of_keys()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);

        await repository.GetAccountAsync("ada@example.com");
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed

        var keys = await Server.ExecuteAsync("KEYS", _prefix + "{account:*");
        Assert.StartsWith(_prefix + "{account:h1.", keys, StringComparison.Ordinal);

        // Only what the key renders after the test's prefix: the prefix is random hex, which can spell "ada" itself.
        var rendered = keys[_prefix.Length..];
        Assert.DoesNotContain("ada", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("example", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hashed_placeholders_without_a_secret_refuse_to_start_with_Redis()
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(Server.Endpoint);
        _disposables.Add(mux);
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = _prefix }, mux);

        var error = Assert.Throws<InvalidOperationException>(() => new CachedWidgetRepository(new WidgetSource(), runtime));

        Assert.Contains("KeyHashSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Synchronous_methods_are_cached()
    {
        var source = new WidgetSource();
        var (repository, _) = await NodeAsync(source);

        Assert.Equal("widget-4", repository.GetName(4));
        Assert.Equal("widget-4", repository.GetName(4));
        Assert.Equal(1, source.SourceCalls);
    }

    [Fact]
    public async Task Task_results_hit_L1_with_the_same_completed_task()
    {
        var source = new WidgetSource();
        var (repository, _) = await NodeAsync(source);
        await repository.GetAsync(12);

        var first = repository.GetAsync(12);
        var second = repository.GetAsync(12);

        Assert.True(first.IsCompletedSuccessfully);
        Assert.Same(first, second);
    }

    [Fact]
    public async Task Kill_switch_sends_every_call_to_the_source()
    {
        var source = new WidgetSource();
        var (repository, runtime) = await NodeAsync(source);
        runtime.Enabled = false;

        await repository.GetAsync(1);
        await repository.GetAsync(1);
        Assert.Equal(2, source.SourceCalls);

        runtime.Enabled = true;
        await repository.GetAsync(1);
        await repository.GetAsync(1);
        Assert.Equal(3, source.SourceCalls);
    }

    [Fact]
    public async Task AddCachedGen_decorates_registrations_made_before_it()
    {
        var source = new WidgetSource();
        var services = new ServiceCollection();
        services.AddSingleton<IWidgetRepository>(source);
        services.AddCachedGen(o =>
        {
            o.KeyPrefix = _prefix;
            o.KeyHashSecret = Secret;
            o.ValueEncryptionKey = new byte[32];
        }).UseRedis(Server.Endpoint);
        await using var provider = services.BuildServiceProvider();

        using (var scope = provider.CreateScope())
        {
            var repository = scope.ServiceProvider.GetRequiredService<IWidgetRepository>();
            Assert.IsType<CachedWidgetRepository>(repository);
            await repository.GetAsync(21);
        }

        using (var scope = provider.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<IWidgetRepository>().GetAsync(21);
        }

        Assert.Equal(1, source.SourceCalls);

        // The runtime connects in the background (start-up never waits for Redis), so the connection may still be on its
        // way; it must arrive.
        var runtime = provider.GetRequiredService<CacheRuntime>();
        Assert.NotNull(await Eventually.ReadAsync(() => Task.FromResult(runtime.RedisConnection), c => c is not null, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Without_UseRedis_it_runs_on_L1_only()
    {
        var source = new WidgetSource();
        var services = new ServiceCollection();
        services.AddScoped<IWidgetRepository>(_ => source);
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();

        using var scope = provider.CreateScope();
        var repository = scope.ServiceProvider.GetRequiredService<IWidgetRepository>();
        await repository.GetAsync(1);
        await repository.GetAsync(1);

        Assert.Equal(1, source.SourceCalls);
        Assert.False(provider.GetRequiredService<CacheRuntime>().HasRedis);
    }
}
