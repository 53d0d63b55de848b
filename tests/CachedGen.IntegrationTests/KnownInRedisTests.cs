using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>The first read of an L1 miss is a GET when this node last learned that the key has a value in Redis (it read
/// or wrote it there, or another node's fill or put was announced, and no invalidation came since); otherwise the method's
/// score decides (<see cref="MissRoundTripTests"/>). Commands counted with the client's profiler.</summary>
public sealed class KnownInRedisTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "kr-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private Task<(CacheRuntime Runtime, ProfilingSession Profile)> RuntimeAsync(FakeTimeProvider? clock = null, bool follow = true)
        => _nodes.AddProfiledRuntimeAsync(options =>
        {
            options.FollowRemoteChanges = follow;
            if (clock is not null)
            {
                options.TimeProvider = clock;
            }
        });

    private static string[] Sent(ProfilingSession profile) => TestNodes.Sent(profile);

    /// <summary>Node A (on a fake clock, profiled) and node B over <paramref name="source"/>. A's first miss of
    /// <paramref name="firstKey"/> finds nothing in Redis, so its next misses of keys it knows nothing of start with the
    /// lease script.</summary>
    private async Task<(IBackplaneProbeRepository A, CacheRuntime RuntimeA, ProfilingSession ProfileA, FakeTimeProvider ClockA, IBackplaneProbeRepository B, CacheRuntime RuntimeB)> TwoNodesAsync(BackplaneProbeSource source, int firstKey)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (runtimeA, profileA) = await RuntimeAsync(clock);
        var (runtimeB, _) = await RuntimeAsync();
        IBackplaneProbeRepository a = new CachedBackplaneProbeRepository(source, runtimeA);
        await a.GetLongLivedAsync(99); // connected, scripts loaded
        await a.GetAsync(firstKey);
        await runtimeA.PendingFills.WhenIdleAsync();
        return (a, runtimeA, profileA, clock, new CachedBackplaneProbeRepository(source, runtimeB), runtimeB);
    }

    private static async Task AppliedBothAsync(SemaphoreSlim applied)
    {
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await applied.WaitAsync(TimeSpan.FromSeconds(30)), "A did not hear of B's write");
        }
    }

    [Fact]
    public async Task A_key_this_node_wrote_to_Redis_is_read_with_a_GET_once_its_L1_copy_has_expired()
    {
        var source = new BackplaneProbeSource();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (runtime, profile) = await RuntimeAsync(clock);
        IBackplaneProbeRepository node = new CachedBackplaneProbeRepository(source, runtime);
        await node.GetLongLivedAsync(99); // connected, scripts loaded (another method: each method scores its own reads)
        await node.GetAsync(1); // a GET that finds nothing: this method's next misses of keys not held start with the script
        await runtime.PendingFills.WhenIdleAsync();
        Sent(profile);
        await node.GetAsync(2);
        await runtime.PendingFills.WhenIdleAsync();
        Assert.Equal(["EVALSHA", "EVALSHA"], Sent(profile)); // the lease script (no value: lease taken), the fill

        clock.Advance(TimeSpan.FromSeconds(3)); // past the 2 s LocalTtl: L1 no longer holds key 2; Redis does (10 min)
        Assert.Equal(0, (await node.GetAsync(2))!.Version);
        Assert.Equal(["GET"], Sent(profile)); // this node filled it: one GET, no script
        Assert.Equal(1, source.ReadsOf(2));

        // A key this node knows nothing of still starts with the lease script, as the method's score says.
        await node.GetAsync(3);
        await runtime.PendingFills.WhenIdleAsync();
        Assert.Equal(["EVALSHA", "EVALSHA"], Sent(profile));
    }

    [Fact]
    public async Task A_key_this_node_read_from_Redis_is_read_with_a_GET_once_its_L1_copy_has_expired_and_not_after_an_invalidation()
    {
        var source = new BackplaneProbeSource();
        var (a, runtimeA, profileA, clock, b, runtimeB) = await TwoNodesAsync(source, firstKey: 10);
        await b.GetAsync(11); // B fills key 11
        await runtimeB.PendingFills.WhenIdleAsync();
        Assert.Equal(0, (await a.GetAsync(11))!.Version); // A reads B's value (with the script: A knew nothing of it)
        Sent(profileA);

        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, (await a.GetAsync(11))!.Version);
        Assert.Equal(["GET"], Sent(profileA)); // A read it from Redis before: one GET

        // B's write deletes the value and tells A: A's next miss of the key no longer assumes it is there.
        var applied = new SemaphoreSlim(0);
        runtimeA.Backplane!.Applied += () => applied.Release();
        await b.WriteAsync(11, 1);
        await AppliedBothAsync(applied); // the write invalidates both methods of the key
        clock.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, (await a.GetAsync(11))!.Version);
        await runtimeA.PendingFills.WhenIdleAsync();
        Assert.Equal(["EVALSHA", "EVALSHA"], Sent(profileA)); // the script (no value: lease taken), the fill
        Assert.Equal(3, source.ReadsOf(10) + source.ReadsOf(11));
    }

    [Fact]
    public async Task A_key_whose_fill_another_node_announced_is_read_with_a_GET()
    {
        var source = new BackplaneProbeSource();
        var (a, runtimeA, profileA, clock, b, _) = await TwoNodesAsync(source, firstKey: 20);
        await a.GetAsync(21);
        await runtimeA.PendingFills.WhenIdleAsync();
        clock.Advance(TimeSpan.FromSeconds(3)); // A's copy of 21 expires: nothing for A to follow

        // B's write deletes 21 and marks its next fill to be announced; A hears of both.
        var applied = new SemaphoreSlim(0);
        runtimeA.Backplane!.Applied += () => applied.Release();
        await b.WriteAsync(21, 1);
        await AppliedBothAsync(applied);
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtimeA.Backplane.FillHandled += () => heard.TrySetResult();
        Assert.Equal(1, (await b.GetAsync(21))!.Version); // B loads and fills, announced
        await heard.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Sent(profileA);

        Assert.Equal(1, (await a.GetAsync(21))!.Version);
        Assert.Equal(["GET"], Sent(profileA));
        Assert.Equal(2, source.ReadsOf(21)); // A's first load and B's after the write
    }
}
