using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Each instrument of the CachedGen meter, observed with a MeterListener, counts the calls made.</summary>
public sealed class MetricsTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly List<IDisposable> _connections = [];

    public void Dispose() => _connections.ForEach(static connection => connection.Dispose());

    /// <summary>A node over its own connection, which the test class closes after the test.</summary>
    private async Task<(IWidgetRepository Repository, CacheRuntime Runtime)> NodeAsync(WidgetSource source, string prefix)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        _connections.Add(mux);
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, ValueEncryptionKey = new byte[32], KeyHashSecret = Encoding.UTF8.GetBytes(new string('s', 32)), RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux);
        await runtime.Backplane!.Subscribed;
        return (new CachedWidgetRepository(source, runtime), runtime);
    }

    /// <summary>Two nodes sharing a fresh key prefix that starts with <paramref name="name"/>.</summary>
    private async Task<(IWidgetRepository A, CacheRuntime RuntimeA, IWidgetRepository B, CacheRuntime RuntimeB)> TwoNodesAsync(WidgetSource source, string name)
    {
        var prefix = name + "-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var (a, runtimeA) = await NodeAsync(source, prefix);
        var (b, runtimeB) = await NodeAsync(source, prefix);
        return (a, runtimeA, b, runtimeB);
    }

    [Fact]
    public async Task A_caller_that_joins_a_load_which_found_the_value_in_Redis_counts_an_L2_hit_not_a_miss()
    {
        var source = new WidgetSource();
        var (nodeA, runtimeA, nodeB, runtimeB) = await TwoNodesAsync(source, "metrics");
        await nodeA.GetAsync(7);
        await runtimeA.PendingFills.WhenIdleAsync(); // 7 is in Redis

        // Two misses of keys Redis does not hold: B's next misses start with the lease script, inside the single flight.
        await nodeB.GetAsync(100);
        await nodeB.GetAsync(101);
        await runtimeB.PendingFills.WhenIdleAsync();
        var calls = source.SourceCalls;
        using var b = new Recorder(runtimeB.Metrics.Meter);
        runtimeB.Metrics.Refresh(); // as the runtime's timer does within 250 ms of a listener attaching

        // Redis holds back the lease script (a script that may write): the first read of 7 leads the load, the second
        // joins it.
        Task<Widget?> first, second;
        Assert.Equal("OK", await redis.Server.ExecuteAsync("CLIENT", "PAUSE", "10000", "WRITE"));
        try
        {
            first = nodeB.GetAsync(7);
            second = nodeB.GetAsync(7);
            await Eventually.HoldsAsync(() => b.Sum("cachedgen.coalesced") == 1, "the second read did not join the first");
        }
        finally
        {
            await redis.Server.ExecuteAsync("CLIENT", "UNPAUSE");
        }

        Assert.Equal("widget-7", (await first)!.Name);
        Assert.Equal("widget-7", (await second)!.Name);
        Assert.Equal(calls, source.SourceCalls);
        Assert.Equal(0, b.Sum("cachedgen.misses"));
        Assert.Equal(2, b.Sum("cachedgen.hits", "l2"));
    }

    [Fact]
    public async Task Counters_match_the_calls_made()
    {
        var source = new WidgetSource();
        var (nodeA, runtimeA, nodeB, runtimeB) = await TwoNodesAsync(source, "metrics");
        using var a = new Recorder(runtimeA.Metrics.Meter);
        using var b = new Recorder(runtimeB.Metrics.Meter);
        runtimeA.Metrics.Refresh(); // as the runtime's timer does within 250 ms of a listener attaching
        runtimeB.Metrics.Refresh();
        Assert.True(runtimeA.Metrics.CountHits);

        await nodeA.GetAsync(1);                 // miss: source call, payload written
        await nodeA.GetAsync(1);                 // L1 hit
        await nodeA.GetAsync(1);                 // L1 hit
        await nodeB.GetAsync(1);                 // L2 hit on the other node
        await nodeA.RenameAsync(1, "renamed");   // invalidation
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => nodeA.GetSlowAsync(2, TimeSpan.FromMilliseconds(100))));

        Assert.Equal(2, a.Sum("cachedgen.hits", "l1"));
        Assert.Equal(0, a.Sum("cachedgen.hits", "l2"));
        Assert.Equal(1, b.Sum("cachedgen.hits", "l2"));
        Assert.Equal(2, a.Sum("cachedgen.source.calls"));      // GetAsync(1) once, GetSlowAsync(2) once for 20 callers
        Assert.Equal(19, a.Sum("cachedgen.coalesced"));
        Assert.Equal(21, a.Sum("cachedgen.misses"));
        // RenameAsync invalidates GetAsync and GetSlowWidgetAsync: two local invalidations on A, heard as remote by B.
        Assert.Equal(2, a.Sum("cachedgen.invalidations"));
        Assert.All(a.Tags("cachedgen.invalidations"), tags => Assert.Equal("local", tags["kind"]));
        await Eventually.HoldsAsync(() => b.Count("cachedgen.invalidations") >= 2, "B did not count A's two invalidations");

        Assert.Equal(2, b.Sum("cachedgen.invalidations"));
        Assert.All(b.Tags("cachedgen.invalidations"), tags => Assert.Equal("remote", tags["kind"]));
        Assert.Equal(2, a.Count("cachedgen.payload.size"));
        Assert.Contains(a.Tags("cachedgen.hits"), tags => Equals(tags["method"], "CachedGen.IntegrationTests.IWidgetRepository.GetAsync"));
        Assert.Equal(2, source.SourceCalls);
    }

    [Fact]
    public async Task Redis_errors_and_the_circuit_state_are_reported()
    {
        await using var server = await RedisServer.StartAsync();
        var mux = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",connectRetry=0,syncTimeout=250,asyncTimeout=250");
        using var _ = mux;
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "metrics-errors:", ValueEncryptionKey = new byte[32], KeyHashSecret = new byte[32], CircuitBreakerThreshold = 2, CircuitBreakerDuration = TimeSpan.FromSeconds(30) }, mux);
        IWidgetRepository repository = new CachedWidgetRepository(new WidgetSource(), runtime);
        using var recorder = new Recorder(runtime.Metrics.Meter);
        await repository.GetAsync(1);
        await runtime.PendingFills.WhenIdleAsync(); // its fill lands before the kill: the errors counted below are the kill's

        await server.KillAsync();
        for (var id = 10; id < 20; id++)
        {
            await repository.GetAsync(id);
        }

        Assert.InRange(recorder.Sum("cachedgen.redis.errors"), 2, 4); // the breaker stops the errors after its threshold
        // The operation tag reads as cachedgen.operation.duration's does (lower case), so the two join in a query.
        Assert.All(recorder.Tags("cachedgen.redis.errors"), tags => Assert.Equal(((string)tags["operation"]!).ToLowerInvariant(), tags["operation"]));
        Assert.Equal(RedisCircuitState.Open, runtime.RedisCircuitState);
        Assert.Equal((long)RedisCircuitState.Open, recorder.Observe("cachedgen.redis.circuit.state"));
    }

    /// <summary>A tag invalidation Redis did not confirm is counted with the tags <c>cachedgen.invalidations</c> gives a
    /// tag (<c>kind=tag</c>, no method), not with none at all.</summary>
    [Fact]
    public async Task A_tag_invalidation_Redis_did_not_confirm_is_counted_with_kind_tag()
    {
        await using var server = await RedisServer.StartAsync();
        var mux = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",connectRetry=0,syncTimeout=250,asyncTimeout=250");
        using var _ = mux;
        using var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "metrics-tag-failure:", ValueEncryptionKey = new byte[32], KeyHashSecret = new byte[32] }, mux);
        using var recorder = new Recorder(runtime.Metrics.Meter);
        await server.KillAsync();

        Assert.False(await runtime.InvalidateTagAsync("owner:7"));

        var failure = Assert.Single(recorder.Tags("cachedgen.invalidation.failures"));
        var invalidation = Assert.Single(recorder.Tags("cachedgen.invalidations"));
        Assert.Equal("tag", failure["kind"]);
        Assert.Equal(invalidation.OrderBy(t => t.Key), failure.OrderBy(t => t.Key));
    }

    [Fact]
    public async Task Hits_are_not_counted_while_nobody_listens()
    {
        var source = new WidgetSource();
        var (node, runtime) = await NodeAsync(source, "metrics-off-" + Guid.NewGuid().ToString("N")[..8] + ":");
        runtime.Metrics.Refresh();
        Assert.False(runtime.Metrics.CountHits);

        await node.GetAsync(1);
        await node.GetAsync(1);

        Assert.Equal(0, runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).LocalHits);
    }

    [Fact]
    public async Task Durations_are_recorded_for_each_level_and_operation()
    {
        var source = new WidgetSource();
        var (nodeA, runtimeA, nodeB, runtimeB) = await TwoNodesAsync(source, "metrics-dur");
        using var a = new Recorder(runtimeA.Metrics.Meter);
        using var b = new Recorder(runtimeB.Metrics.Meter);
        runtimeA.Metrics.Refresh();
        runtimeB.Metrics.Refresh();

        await nodeA.GetAsync(1);               // L2 get (miss), lease, source load, fill
        await nodeA.GetAsync(1);               // L1 get
        await nodeB.GetAsync(1);               // L2 get (hit)
        await nodeA.RenameAsync(1, "renamed"); // invalidate
        await runtimeA.PendingFills.WhenIdleAsync(); // the fill's duration is recorded when it lands

        var seen = a.Tags("cachedgen.operation.duration").Select(t => $"{t["level"]}/{t["operation"]}").ToHashSet();
        Assert.Equal(["l1/get", "l2/fill", "l2/get", "l2/invalidate", "l2/lease", "source/load"], seen.Order());
        Assert.Contains(b.Tags("cachedgen.operation.duration"), t => Equals(t["level"], "l2") && Equals(t["operation"], "get"));
        Assert.All(a.Durations, d => Assert.InRange(d, 0, 5));
    }

    [Fact]
    public async Task Each_cached_call_is_an_activity_with_its_level_and_outcome()
    {
        var source = new WidgetSource();
        var (nodeA, runtimeA, nodeB, _) = await TwoNodesAsync(source, "trace");
        var activities = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var root = new System.Diagnostics.Activity("test-root").Start();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "CachedGen",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.RootId == root.RootId)
                {
                    activities.Enqueue(activity);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        runtimeA.Metrics.Refresh();

        await nodeA.GetAsync(1); // miss
        await nodeA.GetAsync(1); // L1 hit
        await nodeB.GetAsync(1); // L2 hit

        var outcomes = activities.Select(a => $"{a.GetTagItem("cachedgen.level")}/{a.GetTagItem("cachedgen.outcome")}").ToArray();
        Assert.Equal(["source/miss", "l1/hit", "l2/hit"], outcomes);
        Assert.All(activities, a =>
        {
            Assert.Equal("cachedgen.get", a.OperationName);
            Assert.Equal("CachedGen.IntegrationTests.IWidgetRepository.GetAsync", a.GetTagItem("cachedgen.method"));
            Assert.DoesNotContain(a.Tags, t => t.Value is { } v && v.Contains("widget:1", StringComparison.Ordinal));
        });
    }

    [Fact]
    public async Task Evictions_and_redis_memory_are_observed()
    {
        await using var server = await RedisServer.StartAsync("--maxmemory 67108864");
        var mux = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);
        using var _ = mux;
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "metrics-mem:", ValueEncryptionKey = new byte[32], KeyHashSecret = new byte[32], DefaultMaxLocalEntries = 10, RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux);
        IWidgetRepository repository = new CachedWidgetRepository(new WidgetSource(), runtime);
        using var recorder = new Recorder(runtime.Metrics.Meter);
        for (var id = 0; id < 100; id++)
        {
            await repository.GetAsync(id);
        }

        Assert.InRange(recorder.Sum("cachedgen.evictions"), 80, 100); // one collection: the sum over the methods

        // The first observation starts a sample in the background; a later one reports it.
        await Eventually.HoldsAsync(() => recorder.Memory("limit") != 0, "no Redis memory sample was reported");
        Assert.Equal(67108864, recorder.Memory("limit"));
        Assert.True(recorder.Memory("used") > 0);
    }
}
