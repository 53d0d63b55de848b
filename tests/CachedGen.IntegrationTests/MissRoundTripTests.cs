using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>The Redis commands a miss sends, counted with the client's profiler: a GET, then the lease script and the fill;
/// or, while such GETs mostly find nothing (a cold cache, a key whose L1 copy an invalidation made stale), the lease
/// script alone, which reads the value anyway. Each method scores its misses of keys not held and of stale copies
/// apart.</summary>
public sealed class MissRoundTripTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "rt-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private async Task<(IWidgetRepository Repository, CacheRuntime Runtime, ProfilingSession Profile)> NodeAsync(WidgetSource source, bool follow = true)
    {
        var (runtime, profile) = await _nodes.AddProfiledRuntimeAsync(options => options.FollowRemoteChanges = follow);
        return (new CachedWidgetRepository(source, runtime), runtime, profile);
    }

    private static string[] Sent(ProfilingSession profile) => TestNodes.Sent(profile);

    [Fact]
    public async Task A_first_miss_is_a_GET_then_the_lease_script_and_once_Redis_misses_the_script_reads_alone()
    {
        var source = new WidgetSource();
        var (a, runtimeA, profileA) = await NodeAsync(source);
        await a.GetValueAsync(1); // connected, scripts loaded (another method: each method scores its own reads)
        await runtimeA.PendingFills.WhenIdleAsync();
        Sent(profileA);

        Assert.Equal("widget-1", (await a.GetAsync(1))!.Name);
        await runtimeA.PendingFills.WhenIdleAsync();
        Assert.Equal(["GET", "EVALSHA", "EVALSHA"], Sent(profileA));

        // The GET found nothing: the next miss of a key not held here starts with the lease script, which reads the value
        // and, when it is missing, takes the lease in the same round trip.
        Assert.Equal("widget-2", (await a.GetAsync(2))!.Name);
        await runtimeA.PendingFills.WhenIdleAsync();
        Assert.Equal(["EVALSHA", "EVALSHA"], Sent(profileA));
    }

    [Fact]
    public async Task When_misses_mostly_find_the_value_in_Redis_they_read_with_GET_again()
    {
        var source = new WidgetSource();
        var (a, runtimeA, profileA) = await NodeAsync(source);
        var (b, runtimeB, _) = await NodeAsync(source);
        await a.GetAsync(40); // a miss in Redis: A's next misses start with the lease script
        await runtimeA.PendingFills.WhenIdleAsync();
        foreach (var id in new[] { 41, 42, 43, 44, 45 })
        {
            await b.GetAsync(id); // B fills Redis
        }

        await runtimeB.PendingFills.WhenIdleAsync();
        var calls = source.SourceCalls;
        Sent(profileA);

        // Each script finds B's value: a GET would have found it too. A value missing counts four times a value found, so
        // after four found values the GET is back.
        foreach (var id in new[] { 41, 42, 43, 44 })
        {
            Assert.Equal("widget-" + id, (await a.GetAsync(id))!.Name);
            Assert.Equal(["EVALSHA"], Sent(profileA));
        }

        Assert.Equal("widget-45", (await a.GetAsync(45))!.Name);
        Assert.Equal(["GET"], Sent(profileA));
        Assert.Equal(calls, source.SourceCalls);
    }

    [Fact]
    public async Task A_miss_after_a_remote_invalidation_takes_the_lease_without_a_GET_first()
    {
        var source = new WidgetSource();
        var (a, runtimeA, profileA) = await NodeAsync(source);
        var (b, _, _) = await NodeAsync(source);
        await a.GetAsync(3);
        await runtimeA.PendingFills.WhenIdleAsync();

        // The rename invalidates two methods (two backplane messages): wait for the one of this method to reach A's L1.
        var cache = runtimeA.GetMethod(CachedWidgetRepository.GetAsyncDescriptor);
        await b.RenameAsync(3, "renamed");
        await Eventually.HoldsAsync(() => !cache.TryGetLocal(new ValueTuple<int>(3), out _), "A did not hear of B's write");
        Sent(profileA);

        Assert.Equal("renamed", (await a.GetAsync(3))!.Name);
        await runtimeA.PendingFills.WhenIdleAsync();

        Assert.Equal(["EVALSHA", "EVALSHA"], Sent(profileA)); // the lease script (no value: lease taken), the fill
        Assert.Equal(2, source.SourceCalls);
    }

    [Fact]
    public async Task A_miss_after_a_remote_put_reads_with_GET_at_once()
    {
        // A does not follow changes: a node that does reads B's value at once, and its copy is no longer stale (FollowTests).
        var source = new WidgetSource();
        var (a, runtimeA, profileA) = await NodeAsync(source, follow: false);
        var (b, _, _) = await NodeAsync(source);
        var applied = new System.Threading.SemaphoreSlim(0);
        runtimeA.Backplane!.Applied += () => applied.Release();
        await a.GetAsync(21);
        await runtimeA.PendingFills.WhenIdleAsync();
        await b.ReviseAsync(21, "revised-21"); // [CachePut]: the new value is in Redis, A's copy is stale
        Assert.True(await applied.WaitAsync(TimeSpan.FromSeconds(30)), "A did not hear of B's put");
        var calls = source.SourceCalls;
        Sent(profileA);

        // The put told A the new value is in Redis: the stale copy is read with a GET, the cheapest read of a value that is
        // there, whatever the method's score says.
        Assert.Equal("revised-21", (await a.GetAsync(21))!.Name);
        Assert.Equal(["GET"], Sent(profileA));
        Assert.Equal(calls, source.SourceCalls);
    }
}
