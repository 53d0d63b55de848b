using System;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary><see cref="CachedGenOptions.FollowRemoteChanges"/> (on by default): a node whose L1 copy another node's write
/// made stale reads the new value from Redis in the background as soon as it is there: after a put at once, after an
/// invalidation when the entry's next fill announces itself. The next call on that node is then an L1 hit.</summary>
public sealed class FollowTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "follow-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private static CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> Widgets(CacheRuntime runtime)
        => runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor);

    private static string? LocalName(CacheRuntime runtime, int id)
        => Widgets(runtime).TryGetLocal(new ValueTuple<int>(id), out var widget) ? widget?.Name : null;

    private Task<string> ExistsAsync(string key) => redis.Server.ExecuteAsync("EXISTS", key);

    [Fact]
    public async Task A_put_on_one_node_brings_the_new_value_into_the_L1_of_a_node_that_held_the_entry()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        Assert.Equal("widget-1", (await a.GetAsync(1))!.Name);
        Assert.Equal("widget-1", (await b.GetAsync(1))!.Name);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);

        await a.ReviseAsync(1, "revised"); // [CachePut(nameof(GetAsync))]

        await Eventually.HoldsAsync(() => recordB.Sum("cachedgen.follows") == 1, "B did not follow A's put");
        await runtimeB.PendingFills.WhenIdleAsync();
        Assert.Equal("revised", LocalName(runtimeB, 1)); // in B's L1, current: B's next call is an L1 hit
        Assert.Equal("revised", (await b.GetAsync(1))!.Name);
        Assert.Equal(1, source.SourceCalls); // the first read only: the put wrote the value, B read it from Redis
    }

    [Fact]
    public async Task An_invalidated_copy_is_followed_when_the_next_fill_lands()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source);
        var (c, runtimeC) = await _nodes.AddAsync(source);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        await a.GetAsync(2);
        await b.GetAsync(2);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);
        var key = Widgets(runtimeA).RenderKey(new ValueTuple<int>(2));

        // The rename invalidates two methods (two backplane messages): wait for the one of this method to reach B's L1.
        await a.RenameAsync(2, "renamed");
        await Eventually.HoldsAsync(() => LocalName(runtimeB, 2) is null, "B did not hear of A's write");

        // B's copy is stale and not served; the invalidation asked the next fill to announce itself.
        Assert.Equal("1", await ExistsAsync(key + ":lease:w"));
        Assert.InRange(long.Parse(await redis.Server.ExecuteAsync("PTTL", key + ":lease:w"), System.Globalization.CultureInfo.InvariantCulture), 1, Runtime.Backplane.FollowWindow);

        // C (which never held the entry) misses, calls the source and fills: B reads the new value without being called.
        Assert.Equal("renamed", (await c.GetAsync(2))!.Name);
        await Eventually.HoldsAsync(() => recordB.Sum("cachedgen.follows") == 1, "B did not follow the fill");
        await runtimeB.PendingFills.WhenIdleAsync();
        Assert.Equal("renamed", LocalName(runtimeB, 2));
        Assert.Equal("0", await ExistsAsync(key + ":lease:w"));
        Assert.Equal(2, source.SourceCalls); // the first read and C's read after the write
    }

    [Fact]
    public async Task A_node_that_never_held_the_entry_reads_nothing()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source);
        var (_, runtimeB) = await _nodes.AddAsync(source);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        await a.GetAsync(3);
        await BackgroundFills.LandedAsync(runtimeA);

        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtimeB.Backplane!.Applied += () => applied.TrySetResult();
        await a.ReviseAsync(3, "revised");
        await applied.Task.WaitAsync(Eventually.Generous);

        // The put's message is applied in full before Applied is raised: a follow would have been started by then.
        Assert.Equal(0, runtimeB.PendingFills.Count);
        Assert.Equal(0, recordB.Sum("cachedgen.follows"));
        Assert.False(Widgets(runtimeB).TryGetLocal(new ValueTuple<int>(3), out _));
    }

    [Fact]
    public async Task Turned_off_a_put_is_an_invalidation_and_an_invalidation_leaves_no_marker()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source, o => o.FollowRemoteChanges = false);
        var (b, runtimeB) = await _nodes.AddAsync(source, o => o.FollowRemoteChanges = false);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        await a.GetAsync(4);
        await b.GetAsync(4);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);
        var key = Widgets(runtimeA).RenderKey(new ValueTuple<int>(4));
        var applied = new System.Threading.SemaphoreSlim(0);
        runtimeB.Backplane!.Applied += () => applied.Release();

        await a.ReviseAsync(4, "revised");
        await Eventually.SignalledAsync(applied, "B did not apply the put");
        Assert.Equal(0, runtimeB.PendingFills.Count);
        Assert.Null(LocalName(runtimeB, 4)); // dropped, not followed
        Assert.Equal("revised", LocalName(runtimeA, 4)); // the writer keeps what it wrote

        await a.RenameAsync(4, "renamed"); // two methods, two messages
        await Eventually.SignalledAsync(applied, "B did not apply the invalidation", times: 2);
        Assert.Equal("0", await ExistsAsync(key + ":lease:w"));
        Assert.Equal(0, recordB.Sum("cachedgen.follows"));
    }

    [Fact]
    public async Task A_node_that_does_not_follow_still_drops_its_copy_on_a_followed_put()
    {
        // A follows and marks its put's message; B, as a node of an earlier version would, reads it as an invalidation.
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source, o => o.FollowRemoteChanges = false);
        await a.GetAsync(5);
        await b.GetAsync(5);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var echoed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        runtimeB.Backplane!.Applied += () => applied.TrySetResult();
        runtimeA.Backplane!.Echoed += () => echoed.TrySetResult();

        await a.ReviseAsync(5, "revised");
        await applied.Task.WaitAsync(Eventually.Generous);
        await echoed.Task.WaitAsync(Eventually.Generous);

        Assert.Null(LocalName(runtimeB, 5));
        Assert.Equal("revised", (await b.GetAsync(5))!.Name);
        Assert.Equal("revised", LocalName(runtimeA, 5)); // A knew its own message for its own, mark and all
    }
}
