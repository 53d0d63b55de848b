using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>Several nodes (each its own multiplexer, L1 and backplane subscription) over one redis-server: one source
/// call per miss across nodes, no stale value written after a write, and writes reaching every node's L1.</summary>
[Collection(nameof(OutageCollection))]
public sealed class ConsistencyTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "cons-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private Task<(IWidgetRepository Repository, CacheRuntime Runtime)> NodeAsync(WidgetSource source, Action<CachedGenOptions>? configure = null)
        => _nodes.AddAsync(source, configure);

    private static CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> GetAsyncCache(CacheRuntime runtime)
        => runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor);

    [Fact]
    public async Task A_thousand_callers_on_four_nodes_make_one_source_call()
    {
        var source = new WidgetSource();
        var nodes = new List<IWidgetRepository>();
        for (var i = 0; i < 4; i++)
        {
            // A burst of 1,000 tasks on 2 cores stalls the thread pool for 1–2 s (measured), longer than the default
            // 1 s LeaseWaitTimeout: a waiter would give up and call the source itself. This test is about the one source
            // call; giving up has its own test below.
            nodes.Add((await NodeAsync(source, o => o.LeaseWaitTimeout = TimeSpan.FromSeconds(5))).Repository);
        }

        var delay = TimeSpan.FromMilliseconds(300);
        using var start = new System.Threading.ManualResetEventSlim();
        var callers = Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await nodes[i % 4].GetSlowAsync(42, delay);
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(callers);

        Assert.All(results, w => Assert.Equal("widget-42", w!.Name));
        Assert.Equal(1, source.SourceCalls);
    }

    /// <summary>A write on a node that has not heard of another node's <c>InvalidateAllAsync</c> yet (here it never will:
    /// no backplane) still deletes the entry under the generation Redis has now, where the other node has just filled
    /// it with what it read before the write.</summary>
    [Fact]
    public async Task A_write_deletes_the_entry_under_the_generation_redis_has_not_the_one_the_writer_knows()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source, o => o.Backplane = false);
        var (b, runtimeB) = await NodeAsync(source);
        Assert.Equal("widget-12", (await a.GetAsync(12))!.Name); // A knows the generation of everything: 0

        Assert.True(await runtimeB.InvalidateAllAsync());
        Assert.Equal("widget-12", (await b.GetAsync(12))!.Name); // B fills the entry under the new generation
        await BackgroundFills.LandedAsync(runtimeB);
        var keyB = runtimeB.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(12));
        var filled = (await redis.Server.ExecuteAsync("KEYS", keyB + ".r*")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var underNewGeneration = Assert.Single(filled).Trim();

        await a.RenameAsync(12, "renamed"); // A's own generation is still 0

        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", underNewGeneration));
        runtimeB.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).ClearLocal(); // B heard nothing either: read Redis
        Assert.Equal("renamed", (await b.GetAsync(12))!.Name);
    }

    /// <summary>A write made while the writer's circuit is open (it saw Redis fail a moment ago; Redis answers again) does
    /// not wait for Redis: it is unconfirmed at once, the writer reads what it wrote from the source, and the retry, which
    /// goes to Redis whatever the circuit's state, deletes the entry in Redis and tells the other nodes: skipped, the old
    /// value would stay in Redis for its TTL and come back to every node. The retry closes the circuit.</summary>
    [Fact]
    public async Task A_write_while_the_circuit_is_open_is_retried_until_it_reaches_redis_and_the_other_nodes()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (b, runtimeB) = await NodeAsync(source);
        Assert.Equal("widget-11", (await a.GetAsync(11))!.Name);
        Assert.Equal("widget-11", (await b.GetAsync(11))!.Name);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);
        var key = runtimeA.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(11));
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key));

        var breaker = runtimeA.Redis!.Breaker;
        for (var i = 0; i < runtimeA.Options.CircuitBreakerThreshold; i++)
        {
            breaker.OnFailure(); // as after a burst of timeouts
        }

        Assert.Equal(RedisCircuitState.Open, breaker.State);
        var applied = new System.Threading.SemaphoreSlim(0);
        runtimeB.Backplane!.Applied += () => applied.Release();
        using var recordA = new Recorder(runtimeA.Metrics.Meter);
        await a.RenameAsync(11, "renamed"); // invalidates GetAsync and GetSlowWidgetAsync: two messages, once retried

        Assert.Equal(2, recordA.Sum("cachedgen.invalidation.failures")); // not sent: the circuit is open
        Assert.Equal("renamed", (await a.GetAsync(11))!.Name); // the writer leaves Redis out of what it changed
        await Eventually.SignalledAsync(applied, "B did not hear of A's retried write", times: 2);
        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key));
        Assert.Equal(RedisCircuitState.Closed, breaker.State);
        Assert.Equal("renamed", (await b.GetAsync(11))!.Name);
        Assert.Equal("renamed", (await a.GetAsync(11))!.Name);
    }

    [Fact]
    public async Task A_lease_whose_holder_died_delays_the_others_by_at_most_its_lifetime()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source, o => (o.LeaseDuration, o.LeaseWaitTimeout) = (TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6)));
        var (b, runtimeB) = await NodeAsync(source, o => (o.LeaseDuration, o.LeaseWaitTimeout) = (TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(6)));
        using var recordA = new Recorder(runtimeA.Metrics.Meter);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);

        // A node took the lease and crashed: its lease stays for 1.5 s, and nobody will ever write the value. The others
        // would give up waiting after LeaseWaitTimeout (6 s here); they must instead take the lease once it expires.
        var key = runtimeA.GetMethod(CachedWidgetRepository.GetSlowAsyncDescriptor)
            .RenderKey(new ValueTuple<int>(7));
        Assert.Equal("OK", await redis.Server.ExecuteAsync("SET", key + ":lease", "crashed-node", "PX", "1500"));

        var watch = Stopwatch.StartNew();
        var results = await Task.WhenAll(
            Task.Run(() => a.GetSlowAsync(7, TimeSpan.FromMilliseconds(50))),
            Task.Run(() => b.GetSlowAsync(7, TimeSpan.FromMilliseconds(50))));
        var elapsed = watch.Elapsed;

        output.WriteLine($"callers behind a dead lease of 1.5 s waited {elapsed.TotalMilliseconds:F0} ms");
        Assert.All(results, w => Assert.Equal("widget-7", w!.Name));
        // Not before the dead lease expired (1.5 s, less Redis's expiry granularity); and by taking it, not by giving
        // up after LeaseWaitTimeout (then each node would have called the source).
        Assert.True(elapsed > TimeSpan.FromMilliseconds(1300), $"waited only {elapsed}");
        Assert.Equal(0, recordA.Sum("cachedgen.lease.timeouts") + recordB.Sum("cachedgen.lease.timeouts"));
        Assert.Equal(1, source.SourceCalls);
    }

    [Fact]
    public async Task Waiting_for_another_nodes_load_stops_after_the_lease_wait_timeout()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source, o => o.LeaseWaitTimeout = TimeSpan.FromMilliseconds(300));

        // A lease nobody will release for 5 s (a holder that lost its lease to an outage, say).
        var key = runtimeA.GetMethod(CachedWidgetRepository.GetSlowAsyncDescriptor)
            .RenderKey(new ValueTuple<int>(8));
        Assert.Equal("OK", await redis.Server.ExecuteAsync("SET", key + ":lease", "stuck", "PX", "5000"));
        using var recorder = new Recorder(runtimeA.Metrics.Meter);

        var watch = Stopwatch.StartNew();
        Assert.Equal("widget-8", (await a.GetSlowAsync(8, TimeSpan.Zero))!.Name);
        Assert.Equal(1, recorder.Sum("cachedgen.lease.waits"));
        Assert.Equal(1, recorder.Sum("cachedgen.lease.timeouts"));
        output.WriteLine($"gave up on a stuck lease after {watch.Elapsed.TotalMilliseconds:F0} ms (LeaseWaitTimeout 300 ms)");
        Assert.True(watch.Elapsed > TimeSpan.FromMilliseconds(250), $"gave up after only {watch.Elapsed}");
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key + ":lease")); // gave up before the stuck lease expired
        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key)); // loaded without the lease: nothing written
    }

    [Fact]
    public async Task A_load_that_read_before_a_write_does_not_put_its_value_in_redis()
    {
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, runtimeA) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        using var recorder = new Recorder(runtimeA.Metrics.Meter);

        // A reads the old widget from the source and is still in its query when B writes.
        var slowRead = Task.Run(() => a.GetSlowWidgetAsync(3));
        await Eventually.SignalledAsync(source.SlowReadStarted, "A's source query did not start");
        await b.RenameAsync(3, "renamed");
        source.Gate.SetResult();
        var readByA = await slowRead;
        await runtimeA.PendingFills.WhenIdleAsync(); // its fill, answered before it landed (BackgroundFill)

        // A's caller got what the source said when it asked (the write had not happened yet); the cache kept nothing.
        Assert.Equal("widget-3", readByA!.Name);
        Assert.Equal(1, recorder.Sum("cachedgen.fills.discarded"));
        Assert.Equal("renamed", (await b.GetSlowWidgetAsync(3))!.Name);
        Assert.Equal("renamed", (await a.GetSlowWidgetAsync(3))!.Name);
    }

    [Fact]
    public async Task A_load_whose_L1_bucket_moved_on_still_fills_redis_and_gives_its_lease_back()
    {
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, runtimeA) = await NodeAsync(source);
        var (b, runtimeB) = await NodeAsync(source);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        var method = runtimeA.GetMethod(CachedWidgetRepository.GetSlowWidgetAsyncDescriptor);
        var key = method.RenderKey(new ValueTuple<int>(4));

        // L1 is cleared on A while its load runs (as a colliding invalidation of another key would move the bucket on):
        // the value must not enter A's L1, but nothing was written to this key, so Redis gets it and the lease goes.
        var load = Task.Run(() => a.GetSlowWidgetAsync(4));
        await Eventually.SignalledAsync(source.SlowReadStarted, "A's source query did not start");
        runtimeA.ClearLocal();
        source.Gate.SetResult();
        Assert.Equal("widget-4", (await load)!.Name);
        await runtimeA.PendingFills.WhenIdleAsync();

        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key + ":lease"));
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key));
        Assert.False(method.TryGetLocal(new ValueTuple<int>(4), out _));
        Assert.Equal("widget-4", (await b.GetSlowWidgetAsync(4))!.Name);
        Assert.Equal(0, recordB.Sum("cachedgen.lease.waits")); // from Redis, with no lease to wait behind
        Assert.Equal(1, source.SourceCalls);
    }

    [Fact]
    public async Task Randomized_readers_and_writers_on_three_nodes_never_read_an_older_version_than_an_invalidated_write()
    {
        var source = new WidgetSource();
        var nodes = new List<(IWidgetRepository Repository, CacheRuntime Runtime)>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await NodeAsync(source));
        }

        await RandomizedConsistency.RunAsync(
            source,
            nodes,
            (repository, id) => repository.GetAsync(id),
            (repository, id, name) => repository.RenameAsync(id, name),
            output);
    }

    [Fact]
    public async Task The_generated_invalidation_helper_reaches_redis_and_every_nodes_L1()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (b, runtimeB) = await NodeAsync(source);
        await a.GetAsync(6);
        await b.GetAsync(6);
        var key = GetAsyncCache(runtimeA).RenderKey(new ValueTuple<int>(6));

        // The data changed behind the repository's back; an event handler on node B invalidates by placeholder values.
        await source.RenameAsync(6, "changed elsewhere");
        await CachedWidgetRepository.InvalidateGetAsync(runtimeB, 6);

        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key));
        Assert.Equal("changed elsewhere", (await b.GetAsync(6))!.Name);
        var seenByA = await Eventually.ReadAsync(() => a.GetAsync(6), w => w!.Name == "changed elsewhere", TimeSpan.FromSeconds(2));
        Assert.Equal("changed elsewhere", seenByA!.Name);
    }

    [Fact]
    public async Task A_write_on_one_node_reaches_the_L1_of_the_others()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        var (c, _) = await NodeAsync(source);

        foreach (var node in new[] { a, b, c })
        {
            Assert.Equal("widget-5", (await node.GetAsync(5))!.Name);
        }

        Assert.True(GetAsyncCache(runtimeA).TryGetLocal(new ValueTuple<int>(5), out _));

        var watch = Stopwatch.StartNew();
        await b.RenameAsync(5, "renamed-on-b");
        var seenByA = await Eventually.ReadAsync(() => a.GetAsync(5), w => w!.Name == "renamed-on-b", TimeSpan.FromSeconds(2));
        var seenByC = await Eventually.ReadAsync(() => c.GetAsync(5), w => w!.Name == "renamed-on-b", TimeSpan.FromSeconds(2));
        output.WriteLine($"the write reached the other nodes' L1 within {watch.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal("renamed-on-b", seenByA!.Name);
        Assert.Equal("renamed-on-b", seenByC!.Name);
        Assert.Equal("renamed-on-b", (await b.GetAsync(5))!.Name);
    }

    [Fact]
    public async Task A_node_ignores_its_own_invalidation_messages_and_others_count_them()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (_, runtimeB) = await NodeAsync(source);
        var cacheA = GetAsyncCache(runtimeA);
        var cacheB = GetAsyncCache(runtimeB);
        await a.GetAsync(8);
        var received = new System.Threading.SemaphoreSlim(0);
        var echoed = new System.Threading.SemaphoreSlim(0);
        runtimeB.Backplane!.Applied += () => received.Release();
        runtimeA.Backplane!.Echoed += () => echoed.Release();

        // A's own messages come back to it (RenameAsync invalidates two methods: two messages): the entry it re-cached
        // after its write must survive their echo.
        await a.RenameAsync(8, "renamed-on-a");
        await Eventually.SignalledAsync(received, "node B did not apply A's first invalidation", times: 2);
        await Eventually.SignalledAsync(echoed, "A's first invalidation did not come back to A", times: 2);
        Assert.Equal("renamed-on-a", (await a.GetAsync(8))!.Name);

        // The entry A re-caches right after its second write, and still holds once that write's echo has been handled.
        await a.RenameAsync(8, "again");
        await Eventually.SignalledAsync(received, "node B did not apply A's invalidation", times: 2);
        Assert.Equal("again", (await a.GetAsync(8))!.Name);
        await Eventually.SignalledAsync(echoed, "A's own invalidation did not come back to A", times: 2);
        Assert.True(cacheA.TryGetLocal(new ValueTuple<int>(8), out var kept), "A dropped its own fresh entry on its own echo");
        Assert.Equal("again", kept!.Name);
        Assert.False(cacheB.TryGetLocal(new ValueTuple<int>(8), out _));
    }

    [Fact]
    public async Task A_node_whose_subscription_reconnects_clears_its_L1()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source);
        await a.GetAsync(9);
        var cacheA = GetAsyncCache(runtimeA);
        Assert.True(cacheA.TryGetLocal(new ValueTuple<int>(9), out _));

        // Invalidations published while the subscription was down are lost: on reconnect, the node starts L1 afresh.
        await redis.Server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        var cleared = await Eventually.ReadAsync(
            () => Task.FromResult(!cacheA.TryGetLocal(new ValueTuple<int>(9), out _)),
            done => done,
            TimeSpan.FromSeconds(10));

        Assert.True(cleared, "L1 was not cleared after the subscription reconnected");
        Assert.Equal("widget-9", (await a.GetAsync(9))!.Name);
    }

    [Fact]
    public async Task A_write_through_puts_the_result_in_redis_and_every_nodes_L1_without_a_source_call()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        Assert.Equal(0, (await a.GetAsync(71))!.Revision);
        Assert.Equal(0, (await b.GetAsync(71))!.Revision);
        Assert.Equal(1, source.SourceCalls);

        var revised = await a.ReviseAsync(71, "revised"); // [CachePut(nameof(GetAsync))]
        Assert.Equal(1, revised.Revision);

        Assert.Same(revised, await a.GetAsync(71)); // the write's own result, from L1
        var seen = await Eventually.ReadAsync(() => b.GetAsync(71), w => w!.Revision == 1, TimeSpan.FromSeconds(2));
        Assert.Equal("revised", seen!.Name); // from Redis
        Assert.Equal(1, source.SourceCalls); // neither node went back to the source
        var key = GetAsyncCache(runtimeA).RenderKey(new ValueTuple<int>(71));
        Assert.NotEqual("", await redis.Server.ExecuteAsync("GET", key));
    }

    /// <summary>A write-through whose write overlaps another write of the same entry on another node: the other write
    /// reached the source later and invalidated the entry while this one's response was still on its way, so this
    /// result is older than the entry's last change. It must not land: the put removes the entry instead, and every
    /// node (and a node started afterwards) reads the later write.</summary>
    [Fact]
    public async Task A_write_through_overtaken_by_another_nodes_invalidation_removes_the_entry_instead_of_writing_it()
    {
        var source = new WidgetSource();
        var (a, _) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        Assert.Equal(0, (await a.GetAsync(72))!.Revision);
        Assert.Equal(0, (await b.GetAsync(72))!.Revision);

        source.ReviseGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var revise = a.ReviseAsync(72, "revised");                 // [CachePut(nameof(GetAsync))]: revision 1 at the source
        await Eventually.SignalledAsync(source.Revised, "the revise reached the source");
        await b.RenameAsync(72, "renamed");                         // revision 2, and the entry invalidated
        source.ReviseGate.SetResult();                               // the revise's response arrives now
        Assert.Equal(1, (await revise).Revision);

        Assert.Equal(2, (await a.GetAsync(72))!.Revision);
        Assert.Equal(2, (await b.GetAsync(72))!.Revision);
        var (c, _) = await NodeAsync(source);
        Assert.Equal("renamed", (await c.GetAsync(72))!.Name);
    }

    /// <summary>Two write-throughs of one entry that overlap: neither knows whose write reached the source last, so
    /// neither result is kept; the next read loads the source.</summary>
    [Fact]
    public async Task Two_overlapping_write_throughs_of_one_entry_leave_it_to_the_source()
    {
        var source = new WidgetSource();
        var (a, _) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        Assert.Equal(0, (await a.GetAsync(73))!.Revision);

        source.ReviseGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = a.ReviseAsync(73, "first");
        await Eventually.SignalledAsync(source.Revised, "the first revise reached the source");
        var second = b.ReviseAsync(73, "second");
        await Eventually.SignalledAsync(source.Revised, "the second revise reached the source");
        source.ReviseGate.SetResult();
        await Task.WhenAll(first, second);

        Assert.Equal("second", (await a.GetAsync(73))!.Name);
        Assert.Equal("second", (await b.GetAsync(73))!.Name);
    }
}
