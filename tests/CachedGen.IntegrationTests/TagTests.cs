using System;
using System.Diagnostics;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>Tags (<c>[Cached(Tags = ...)]</c>, <c>[InvalidatesTags]</c>, <see cref="ICacheInvalidator.InvalidateTagAsync(ref Runtime.CacheTagHandler)"/>)
/// on several nodes over one redis-server: a tag invalidation reaches every node's L1 and every Redis entry carrying the
/// tag, in one Redis write, and leaves other tags alone.</summary>
[Collection(nameof(OutageCollection))]
public sealed class TagTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "tags-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private TestNodes _nodes = null!;

    public Task InitializeAsync()
    {
        _nodes = new TestNodes(redis.Server, _prefix);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    // Where a tag's generation lives: its own hash tag, or (CachedGen's own scopes) one shared by all of them.
    private Task<string> TagGenerationAsync(string tag)
        => redis.Server.ExecuteAsync("GET", tag.StartsWith("cachedgen:", StringComparison.Ordinal) ? _prefix + "cachedgen:tag:{cachedgen}:" + tag : _prefix + "cachedgen:tag:{" + tag + "}");

    [Fact]
    public async Task A_tagged_write_invalidates_every_entry_of_the_tag_on_every_node_and_no_other()
    {
        var source = new WidgetSource();
        var (a, _) = await _nodes.AddAsync(source);
        var (b, _) = await _nodes.AddAsync(source);
        foreach (var node in new[] { a, b })
        {
            Assert.Equal(0, (await node.GetOwnedSlowAsync("ann", 1))!.Revision);
            Assert.Equal(0, (await node.GetOwnedSlowAsync("ann", 2))!.Revision);
            Assert.Equal(0, (await node.GetOwnedSlowAsync("bob", 3))!.Revision);
        }

        Assert.Equal(3, source.SourceCalls); // B read all three from Redis
        await source.RenameAsync(1, "one"); // behind the cache's back: nothing invalidated yet
        await source.RenameAsync(2, "two");
        await source.RenameAsync(3, "three");
        Assert.Equal(0, (await b.GetOwnedSlowAsync("ann", 1))!.Revision);

        await a.TouchOwnerAsync("ann"); // [InvalidatesTags("owner:{owner}")]
        Assert.NotEqual("", await TagGenerationAsync("owner:ann"));

        // On the writing node at once; on the other as soon as the backplane delivers the new generation.
        Assert.Equal(1, (await a.GetOwnedSlowAsync("ann", 1))!.Revision);
        var watch = Stopwatch.StartNew();
        var seen = await Eventually.ReadAsync(() => b.GetOwnedSlowAsync("ann", 2), w => w!.Revision == 1, TimeSpan.FromSeconds(2));
        output.WriteLine($"node B saw the tag invalidation after {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(1, seen!.Revision);
        Assert.Equal(1, (await b.GetOwnedSlowAsync("ann", 1))!.Revision); // A's reload, from Redis
        Assert.Equal(5, source.SourceCalls);

        // Bob's entries carry another tag: still served, on both nodes, without a source call.
        Assert.Equal(0, (await a.GetOwnedSlowAsync("bob", 3))!.Revision);
        Assert.Equal(0, (await b.GetOwnedSlowAsync("bob", 3))!.Revision);
        Assert.Equal(5, source.SourceCalls);
    }

    /// <summary>Read-your-writes when Redis answers reads but refuses writes (full, with <c>noeviction</c>): the writer's
    /// tag invalidation is not confirmed, and Redis, asked for the tag's generation, would answer the old one and hand back
    /// the entries from before the write. The writer reads the source instead until the retry lands; the same for a
    /// method's generation (<c>InvalidateMethodAsync</c>).</summary>
    [Fact]
    public async Task A_tag_invalidation_a_full_redis_refuses_does_not_let_the_writer_read_the_old_entries_back()
    {
        var source = new WidgetSource();
        var (a, runtime) = await _nodes.AddAsync(source);
        Assert.Equal("widget-2", (await a.GetOwnedAsync("ann", 2))!.Name);
        Assert.Equal("widget-4", (await a.GetOwnedSlowAsync("ann", 4))!.Name);
        await runtime.PendingFills.WhenIdleAsync();               // both in Redis under the tag's generation 0
        Assert.Equal(2, source.SourceCalls);

        try
        {
            Assert.Equal("OK", await redis.Server.ExecuteAsync("CONFIG", "SET", "maxmemory", "1")); // every write is OOM
            await source.RenameAsync(2, "two");
            await source.RenameAsync(4, "four");
            await a.TouchOwnerAsync("ann");                       // refused: Redis keeps the old generation and entries
            Assert.False(runtime.UnconfirmedWrites.IsEmpty);
            Assert.Equal("two", (await a.GetOwnedAsync("ann", 2))!.Name);
            Assert.Equal("four", (await a.GetOwnedSlowAsync("ann", 4))!.Name);
            Assert.Equal("four", (await a.GetOwnedSlowAsync("ann", 4))!.Name); // kept in L1 meanwhile
            Assert.Equal(4, source.SourceCalls);

            await source.RenameAsync(4, "four again");
            Assert.False(await runtime.InvalidateMethodAsync(CachedWidgetRepository.GetOwnedSlowAsyncDescriptor));
            Assert.Equal("four again", (await a.GetOwnedSlowAsync("ann", 4))!.Name);
        }
        finally
        {
            Assert.Equal("OK", await redis.Server.ExecuteAsync("CONFIG", "SET", "maxmemory", "0"));
        }

        await Eventually.HoldsAsync(() => runtime.UnconfirmedWrites.IsEmpty, "the retries did not end");
        Assert.Equal("two", (await a.GetOwnedAsync("ann", 2))!.Name);
        Assert.Equal("four again", (await a.GetOwnedSlowAsync("ann", 4))!.Name);
    }

    /// <summary>The retries of a change a full Redis refuses fail as the first try did, every second: they are counted,
    /// but neither open the circuit (Redis still answers the callers' reads) nor log each failure again.</summary>
    [Fact]
    public async Task Retries_of_a_refused_change_do_not_open_the_circuit_for_the_callers()
    {
        var log = new PayloadGuardTests.EventLog();
        var options = new CachedGenOptions { KeyPrefix = _prefix, ValueEncryptionKey = new byte[32], KeyHashSecret = TestNodes.Secret, RedisOperationTimeout = TimeSpan.FromSeconds(2), CircuitBreakerThreshold = 2 };
        await using var mux = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint + ",abortConnect=false");
        await using var runtime = new CacheRuntime(options, mux, log);
        var source = new WidgetSource();
        IWidgetRepository a = new CachedWidgetRepository(source, runtime);
        Assert.Equal("widget-2", (await a.GetOwnedAsync("ann", 2))!.Name);
        await runtime.PendingFills.WhenIdleAsync();

        try
        {
            Assert.Equal("OK", await redis.Server.ExecuteAsync("CONFIG", "SET", "maxmemory", "1")); // every write is OOM
            await a.TouchOwnerAsync("ann");                                                         // refused: unconfirmed
            Assert.False(runtime.UnconfirmedWrites.IsEmpty);
            var logged = log.Events.Count;
            for (var i = 0; i < 3; i++)
            {
                await runtime.UnconfirmedWrites.RetryAsync(); // three more failures: more than the threshold of 2
            }

            Assert.False(runtime.UnconfirmedWrites.IsEmpty);
            Assert.Equal(RedisCircuitState.Closed, runtime.RedisCircuitState);
            Assert.Equal(logged, log.Events.Count); // no 1001 per retry, no 1007
            Assert.Equal("widget-3", (await a.GetOwnedAsync("ann", 3))!.Name); // a read still goes to Redis, and to the source
        }
        finally
        {
            Assert.Equal("OK", await redis.Server.ExecuteAsync("CONFIG", "SET", "maxmemory", "0"));
        }

        await Eventually.HoldsAsync(() => runtime.UnconfirmedWrites.IsEmpty, "the retries did not end");
        Assert.DoesNotContain(log.Events, e => e.Id == 1007);
    }

    [Fact]
    public async Task An_event_handler_invalidates_a_tag_through_ICacheInvalidator()
    {
        var source = new WidgetSource();
        var (a, _) = await _nodes.AddAsync(source);
        var (_, runtimeB) = await _nodes.AddAsync(source);
        ICacheInvalidator invalidator = runtimeB; // what AddCachedGen registers

        Assert.Equal(0, (await a.GetOwnedSlowAsync("o:1/x", 7))!.Revision);
        await source.RenameAsync(7, "seven");

        // The same template as the attribute's, with the value in the hole: encoded the same way (':' and '/' escaped).
        var owner = "o:1/x";
        Assert.True(await invalidator.InvalidateTagAsync($"owner:{owner}"));

        var seen = await Eventually.ReadAsync(() => a.GetOwnedSlowAsync(owner, 7), w => w!.Revision == 1, TimeSpan.FromSeconds(2));
        Assert.Equal(1, seen!.Revision);
        Assert.Equal("", await TagGenerationAsync("owner:o:1/x")); // the raw value never names a tag
        Assert.NotEqual("", await TagGenerationAsync("owner:o%3A1%2Fx"));
    }

    [Fact]
    public async Task Invalidating_a_shared_tag_drops_entries_of_every_method_that_carries_it()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source);
        Assert.Equal(0, (await a.GetOwnedSlowAsync("ann", 11))!.Revision);
        Assert.Equal(0, (await a.GetOwnedSlowAsync("bob", 12))!.Revision);
        await source.RenameAsync(11, "x");
        await source.RenameAsync(12, "y");

        Assert.True(await runtimeA.InvalidateTagAsync("kind:slow")); // a literal tag, both entries carry it
        Assert.Equal(1, (await a.GetOwnedSlowAsync("ann", 11))!.Revision);
        Assert.Equal(1, (await a.GetOwnedSlowAsync("bob", 12))!.Revision);
    }

    [Fact]
    public async Task A_slow_load_that_read_before_a_tag_invalidation_is_not_served_after_it()
    {
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, _) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source);
        var applied = new System.Threading.SemaphoreSlim(0);
        runtimeB.Backplane!.Applied += () => applied.Release();

        // B starts a slow read of revision 0; while its query runs, the widget changes, A's write invalidates the tag
        // and B hears of it.
        var slow = b.GetOwnedSlowAsync("ann", 21);
        await Eventually.SignalledAsync(source.SlowReadStarted, "B's source query did not start");
        await source.RenameAsync(21, "changed");
        await a.TouchOwnerAsync("ann");
        await Eventually.SignalledAsync(applied, "B did not hear A's tag invalidation");
        source.Gate.SetResult();
        Assert.Equal(0, (await slow)!.Revision); // it began before the write: it may answer its own caller

        // But what it read is neither in B's L1 nor under the tag's current Redis key: every later read is fresh.
        Assert.Equal(1, (await b.GetOwnedSlowAsync("ann", 21))!.Revision);
        Assert.Equal(1, (await a.GetOwnedSlowAsync("ann", 21))!.Revision);
    }

    [Fact]
    public async Task A_node_that_missed_a_tag_announcement_reads_the_generation_again_after_the_refresh_interval()
    {
        var source = new WidgetSource();
        var (b, _) = await _nodes.AddAsync(source, o => o.TagRefreshInterval = TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, (await b.GetOwnedAsync("ann", 31))!.Revision);
        await source.RenameAsync(31, "changed");

        // The tag moves on in Redis without an announcement (as if B's backplane had been down): B serves its L1 entry
        // until LocalTtl (1 s), then reads Redis under the generation it knows until it is older than the refresh interval.
        Assert.Equal("OK", await redis.Server.ExecuteAsync("SET", _prefix + "cachedgen:tag:{owner:ann}", "123456789"));
        var watch = Stopwatch.StartNew();
        // Ten times LocalTtl plus the refresh interval: a node that never reads the generation again would wait forever.
        var seen = await Eventually.ReadAsync(() => b.GetOwnedAsync("ann", 31), w => w!.Revision == 1, TimeSpan.FromSeconds(15));
        output.WriteLine($"a node that missed the announcement served the tag's old entry for {watch.Elapsed.TotalMilliseconds:F0} ms (LocalTtl 1 s, TagRefreshInterval 0.5 s)");
        Assert.Equal(1, seen!.Revision);
    }

    [Fact]
    public async Task Tags_work_without_redis()
    {
        var source = new WidgetSource();
        await using var runtime = new CacheRuntime(new CachedGenOptions());
        IWidgetRepository node = new CachedWidgetRepository(source, runtime);
        Assert.Equal(0, (await node.GetOwnedSlowAsync("ann", 41))!.Revision);
        await source.RenameAsync(41, "changed");
        Assert.Equal(0, (await node.GetOwnedSlowAsync("ann", 41))!.Revision);

        await node.TouchOwnerAsync("ann");
        Assert.Equal(1, (await node.GetOwnedSlowAsync("ann", 41))!.Revision);
    }

    [Fact]
    public async Task A_tagged_method_that_would_outlive_its_tags_generation_refuses_to_start()
    {
        var source = new WidgetSource();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _nodes.AddAsync(source, o => o.TagRetention = TimeSpan.FromMinutes(5)));
        Assert.Contains("TagRetention", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidateAllAsync_drops_every_entry_from_redis_and_from_every_nodes_L1()
    {
        var source = new WidgetSource();
        var (a, _) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source);
        foreach (var node in new[] { a, b })
        {
            Assert.Equal(0, (await node.GetAsync(51))!.Revision);
            Assert.Equal(0, (await node.GetOwnedSlowAsync("ann", 52))!.Revision);
        }

        await source.RenameAsync(51, "x"); // behind the cache's back, as a data migration would
        await source.RenameAsync(52, "y");
        var calls = source.SourceCalls;

        Assert.True(await runtimeB.InvalidateAllAsync());
        Assert.NotEqual("", await TagGenerationAsync("cachedgen:all"));
        Assert.Equal(1, (await b.GetAsync(51))!.Revision);
        Assert.Equal(1, (await b.GetOwnedSlowAsync("ann", 52))!.Revision);
        var seen = await Eventually.ReadAsync(() => a.GetAsync(51), w => w!.Revision == 1, TimeSpan.FromSeconds(2));
        Assert.Equal(1, seen!.Revision);
        Assert.Equal(1, (await a.GetOwnedSlowAsync("ann", 52))!.Revision);
        Assert.Equal(calls + 2, source.SourceCalls); // B reloaded both; A read B's values from Redis

        // A node that starts now reads the generation from Redis: the entries written before are not found.
        var (c, _) = await _nodes.AddAsync(source);
        Assert.Equal(1, (await c.GetAsync(51))!.Revision);
        Assert.Equal(calls + 2, source.SourceCalls);

        // Keys now carry the generation; a write's key invalidation still reaches the other nodes' L1 (the announcement
        // names the key without generations, so every node finds the same L1 bucket).
        Assert.Equal(1, (await a.GetAsync(51))!.Revision);
        await b.RenameAsync(51, "after the bump");
        var afterBump = await Eventually.ReadAsync(() => a.GetAsync(51), w => w!.Revision == 2, TimeSpan.FromSeconds(2));
        Assert.Equal(2, afterBump!.Revision);
        // Each node hears the announcement on its own subscription: C's may come after A's.
        var afterBumpOnC = await Eventually.ReadAsync(() => c.GetAsync(51), w => w!.Revision == 2, TimeSpan.FromSeconds(2));
        Assert.Equal(2, afterBumpOnC!.Revision);
    }

    [Fact]
    public async Task InvalidateMethodAsync_drops_the_entries_of_one_method_only()
    {
        var source = new WidgetSource();
        var (a, _) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source);
        Assert.Equal(0, (await a.GetAsync(61))!.Revision);
        Assert.Equal(0, (await a.GetValueAsync(61))!.Revision);
        await source.RenameAsync(61, "x");

        ICacheInvalidator invalidator = runtimeB;
        Assert.True(await invalidator.InvalidateMethodAsync(CachedWidgetRepository.GetAsyncDescriptor));
        var seen = await Eventually.ReadAsync(() => a.GetAsync(61), w => w!.Revision == 1, TimeSpan.FromSeconds(2));
        Assert.Equal(1, seen!.Revision);
        Assert.Equal(1, (await b.GetAsync(61))!.Revision);
        Assert.Equal(0, (await a.GetValueAsync(61))!.Revision); // another method: untouched
        Assert.Equal(0, (await b.GetValueAsync(61))!.Revision);
    }

    [Fact]
    public async Task Reserved_tags_cannot_be_invalidated_by_name()
    {
        var (_, runtime) = await _nodes.AddAsync(new WidgetSource());
#pragma warning disable CG0013 // No [Cached] method declares the reserved tag, which is the point: the runtime refuses it.
        await Assert.ThrowsAsync<ArgumentException>(async () => await runtime.InvalidateTagAsync("cachedgen:all"));
#pragma warning restore CG0013
    }

    [Fact]
    public async Task Randomized_readers_and_tag_invalidating_writers_on_three_nodes_never_read_an_older_version()
    {
        var source = new WidgetSource();
        var nodes = new System.Collections.Generic.List<(IWidgetRepository Repository, CacheRuntime Runtime)>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(await _nodes.AddAsync(source));
        }

        // Widgets belong to 8 owners; a write changes the widget at the source and invalidates its owner's tag, which
        // takes the owner's other widgets with it.
        await RandomizedConsistency.RunAsync(
            source,
            nodes,
            (repository, id) => repository.GetOwnedSlowAsync("owner-" + (id % 8), id),
            async (repository, id, name) =>
            {
                await source.RenameAsync(id, name);
                await repository.TouchOwnerAsync("owner-" + (id % 8));
            },
            output);
    }
}
