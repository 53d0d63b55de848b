using System;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using CachedGen.TestKit;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary><see cref="CachedGenOptions.BackgroundFill"/> (on by default): a miss is answered when the source answers,
/// its value is in L1 at once, and the Redis fill follows under the lease. Redis is made to hold back writes with
/// <c>CLIENT PAUSE … WRITE</c> (reads go on), so "the fill has not landed" is a state the test chooses, not a race.
/// The server is this class's own: the pause reaches no other test.</summary>
public sealed class BackgroundFillTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "fill-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private static CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> SlowWidgets(CacheRuntime runtime)
        => runtime.GetMethod(CachedWidgetRepository.GetSlowWidgetAsyncDescriptor);

    private Task<string> ExistsAsync(string key) => redis.Server.ExecuteAsync("EXISTS", key);

    /// <summary>Holds back every write Redis receives (scripts included) until <see cref="ResumeWritesAsync"/>.</summary>
    private async Task PauseWritesAsync() => Assert.Equal("OK", await redis.Server.ExecuteAsync("CLIENT", "PAUSE", "10000", "WRITE"));

    private async Task ResumeWritesAsync() => Assert.Equal("OK", await redis.Server.ExecuteAsync("CLIENT", "UNPAUSE"));

    [Fact]
    public async Task A_miss_is_answered_before_its_fill_lands_and_other_nodes_wait_for_the_fill()
    {
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, runtimeA) = await NodeAsync(source);
        var (b, _) = await NodeAsync(source);
        var key = SlowWidgets(runtimeA).RenderKey(new ValueTuple<int>(5));

        // A holds the lease and is in its source query when Redis stops taking writes.
        var load = Task.Run(() => a.GetSlowWidgetAsync(5));
        await Eventually.SignalledAsync(source.SlowReadStarted, "A's source query did not start");
        await PauseWritesAsync();
        try
        {
            source.Gate.SetResult();
            Assert.Equal("widget-5", (await load)!.Name);

            // Answered with the fill still waiting for Redis: nothing written yet, the lease still held.
            Assert.Equal(1, runtimeA.PendingFills.Count);
            Assert.Equal("0", await ExistsAsync(key));
            Assert.Equal("1", await ExistsAsync(key + ":lease"));
            Assert.True(SlowWidgets(runtimeA).TryGetLocal(new ValueTuple<int>(5), out _));
            Assert.Equal("widget-5", (await a.GetSlowWidgetAsync(5))!.Name); // from L1
        }
        finally
        {
            await ResumeWritesAsync();
        }

        await runtimeA.PendingFills.WhenIdleAsync();
        Assert.Equal("1", await ExistsAsync(key));
        Assert.Equal("0", await ExistsAsync(key + ":lease"));
        Assert.Equal("widget-5", (await b.GetSlowWidgetAsync(5))!.Name);
        Assert.Equal(1, source.SourceCalls);
    }

    [Fact]
    public async Task A_miss_answered_before_its_fill_returns_to_its_caller_through_the_thread_pool()
    {
        // The source's query is completed by a thread of the test's own, as a driver's reply or a timer would complete it:
        // without the hop, everything after the source call, the caller's own code included, would run on that thread
        // ahead of the work already queued for the pool.
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, _) = await NodeAsync(source);
        var caller = Task.Run(async () =>
        {
            var widget = await a.GetSlowWidgetAsync(8).ConfigureAwait(false);
            return (widget, Environment.CurrentManagedThreadId);
        });
        await Eventually.SignalledAsync(source.SlowReadStarted, "the source query did not start");
        var completer = new Thread(() => source.Gate.SetResult());
        completer.Start();
        completer.Join();

        var (answered, continuedOn) = await caller;
        Assert.Equal("widget-8", answered!.Name);
        Assert.NotEqual(completer.ManagedThreadId, continuedOn);
    }

    [Fact]
    public async Task A_fill_that_lost_its_lease_takes_its_value_back_out_of_L1()
    {
        // No backplane on A: only the fill's outcome can tell A that its value is older than B's write.
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, runtimeA) = await NodeAsync(source, o => o.Backplane = false);
        var (b, _) = await NodeAsync(source);
        using var recorder = new Recorder(runtimeA.Metrics.Meter);

        var slowRead = Task.Run(() => a.GetSlowWidgetAsync(3));
        await Eventually.SignalledAsync(source.SlowReadStarted, "A's source query did not start");
        await b.RenameAsync(3, "renamed");
        source.Gate.SetResult();

        // A's caller gets what the source said when asked; once the fill has found the lease gone, A keeps nothing.
        Assert.Equal("widget-3", (await slowRead)!.Name);
        await runtimeA.PendingFills.WhenIdleAsync();
        Assert.Equal(1, recorder.Sum("cachedgen.fills.discarded"));
        Assert.False(SlowWidgets(runtimeA).TryGetLocal(new ValueTuple<int>(3), out _));
        Assert.Equal("renamed", (await a.GetSlowWidgetAsync(3))!.Name);
    }

    [Fact]
    public async Task Disposing_the_runtime_lets_a_pending_fill_land()
    {
        var source = new WidgetSource();
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint + ",abortConnect=false,asyncTimeout=10000");
        var runtime = new CacheRuntime(new CachedGenOptions
        {
            KeyPrefix = "fill-dispose-" + Guid.NewGuid().ToString("N")[..8] + ":",
            ValueEncryptionKey = new byte[32],
            KeyHashSecret = TestNodes.Secret,
            RedisOperationTimeout = TimeSpan.FromSeconds(10),
        }, mux);
        IWidgetRepository repository = new CachedWidgetRepository(source, runtime);
        var key = SlowWidgets(runtime).RenderKey(new ValueTuple<int>(9));
        await repository.GetSlowWidgetAsync(1); // connected, scripts loaded
        await runtime.PendingFills.WhenIdleAsync();
        await Eventually.SignalledAsync(source.SlowReadStarted, "the first source query did not run");

        // The lease taken and the source query under way when Redis stops taking writes.
        source.Gate = new TaskCompletionSource();
        var load = Task.Run(() => repository.GetSlowWidgetAsync(9));
        await Eventually.SignalledAsync(source.SlowReadStarted, "the source query did not start");
        await PauseWritesAsync();
        Task disposed;
        try
        {
            source.Gate.SetResult();
            Assert.Equal("widget-9", (await load)!.Name);
            Assert.Equal(1, runtime.PendingFills.Count);
            disposed = runtime.DisposeAsync().AsTask();
            Assert.False(disposed.IsCompleted, "disposal did not wait for the pending fill");
        }
        finally
        {
            await ResumeWritesAsync();
        }

        await disposed;
        Assert.Equal(0, runtime.PendingFills.Count);
        Assert.Equal("1", await ExistsAsync(key));
        Assert.Equal("0", await ExistsAsync(key + ":lease"));
    }

    [Fact]
    public async Task A_node_waiting_for_another_nodes_lease_is_woken_by_the_fill()
    {
        // B's clock stands still: only the fill's announcement can end its wait.
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, _, b, runtimeB) = await PairAsync(source);
        using var wait = await BWaitsForALeaseAsync(source, a, b, runtimeB, r => r.GetSlowWidgetAsync(11));
        source.Gate.SetResult();

        Assert.Equal("widget-11", (await wait.Load)!.Name);
        Assert.Equal("widget-11", (await wait.Waiting.WaitAsync(Eventually.Generous))!.Name);
        Assert.Equal(1, source.SourceCalls);
        Assert.Equal(0, wait.RecordB.Sum("cachedgen.lease.timeouts"));

        // The announcement carried the value: B's only Redis read was the lease script that found the lease held.
        Assert.Equal(1, wait.RecordB.Operations("l2", "lease"));
    }

    [Fact]
    public async Task A_value_too_large_to_carry_is_announced_by_key_and_the_waiter_reads_it_from_Redis()
    {
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var name = RandomText(Backplane.MaxCarriedValueBytes + 1024); // incompressible: the payload stays over the limit
        await source.RenameAsync(13, name);
        var (a, _, b, runtimeB) = await PairAsync(source);
        using var wait = await BWaitsForALeaseAsync(source, a, b, runtimeB, r => r.GetSlowWidgetAsync(13));
        source.Gate.SetResult();

        Assert.Equal(name, (await wait.Load)!.Name);
        Assert.Equal(name, (await wait.Waiting.WaitAsync(Eventually.Generous))!.Name);
        Assert.Equal(1, source.SourceCalls);
        Assert.Equal(2, wait.RecordB.Operations("l2", "lease")); // the lease held, then the value once the fill was announced
    }

    [Fact]
    public async Task A_waiter_ignores_an_announced_value_written_under_another_lease()
    {
        var source = new WidgetSource();
        var (a, runtimeA, b, runtimeB) = await PairAsync(source);
        var key = SlowWidgets(runtimeA).RenderKey(new ValueTuple<int>(14));
        await using var plain = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint);

        // A payload of this very key that a write has since made stale: "widget-14", then the rename's invalidation.
        Assert.Equal("widget-14", (await a.GetSlowWidgetAsync(14))!.Name);
        await runtimeA.PendingFills.WhenIdleAsync();
        var stalePayload = (byte[])(await plain.GetDatabase().StringGetAsync(key))!;
        using (var heardByB = new Recorder(runtimeB.Metrics.Meter))
        {
            await a.RenameAsync(14, "renamed");

            // B has heard of the rename before it waits: delivered late, the invalidation would wake B's wait too and B
            // would read Redis once more than this test counts.
            var methodB = SlowWidgets(runtimeB).Descriptor.MethodId;
            await Eventually.HoldsAsync(() => heardByB.Invalidations("remote", methodB) >= 1, "B did not hear of the rename");
        }

        source.Gate = new TaskCompletionSource();
        using var wait = await BWaitsForALeaseAsync(source, a, b, runtimeB, r => r.GetSlowWidgetAsync(14));

        // An announcement of the old payload under a lease B never saw (as a fill from before the write, delivered
        // late would be): B reads Redis again, finds A's lease still held, and waits on.
        var method = SlowWidgets(runtimeB).Descriptor.MethodId;
        var header = Encoding.UTF8.GetBytes($"1|{Guid.NewGuid():N}|v|{method}|{Guid.NewGuid():N}|{Encoding.UTF8.GetByteCount(key)}|{key}");
        Assert.Equal(2, await plain.GetSubscriber().PublishAsync(RedisChannel.Literal(runtimeB.Backplane!.ChannelName), (RedisValue)header.Concat(stalePayload).ToArray()));
        await Eventually.HoldsAsync(() => wait.RecordB.Operations("l2", "lease") == 2, "B did not read Redis again after the announcement");
        Assert.False(wait.Waiting.IsCompleted);

        source.Gate.SetResult();
        Assert.Equal("renamed", (await wait.Load)!.Name);
        Assert.Equal("renamed", (await wait.Waiting.WaitAsync(Eventually.Generous))!.Name);
        Assert.Equal(2, wait.RecordB.Operations("l2", "lease")); // the current fill's announcement carried its value
    }

    [Fact]
    public async Task A_waiter_whose_holder_lost_its_lease_to_an_invalidation_reads_again_at_once()
    {
        // B's clock stands still. A's fill will find its lease deleted by the write and announce nothing, so only the
        // invalidation's message can end B's wait.
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, _, b, runtimeB) = await PairAsync(source);
        using var wait = await BWaitsForALeaseAsync(source, a, b, runtimeB, r => r.GetSlowWidgetAsync(15));

        await a.RenameAsync(15, "renamed");

        // Woken by the invalidation, B reads Redis again, finds the lease free, takes it and calls the source itself.
        await Eventually.SignalledAsync(source.SlowReadStarted, "B did not read again after the invalidation");
        Assert.Equal(2, wait.RecordB.Operations("l2", "lease"));
        source.Gate.SetResult();

        Assert.Equal("renamed", (await wait.Waiting.WaitAsync(Eventually.Generous))!.Name);
        Assert.Equal("widget-15", (await wait.Load)!.Name); // A's query read before the write (and its fill was refused)
        Assert.Equal(2, source.SourceCalls);
        Assert.Equal(0, wait.RecordB.Sum("cachedgen.lease.timeouts"));
    }

    [Fact]
    public async Task A_waiter_for_a_tagged_entry_is_woken_by_an_invalidation_naming_the_key_without_its_tags()
    {
        var source = new WidgetSource { Gate = new TaskCompletionSource() };
        var (a, _, b, runtimeB) = await PairAsync(source);
        await a.TouchOwnerAsync("ann"); // the tag has a generation now: the entry's Redis key ends with it (".t1")
        using var wait = await BWaitsForALeaseAsync(source, a, b, runtimeB, r => r.GetOwnedSlowAsync("ann", 16));

        // An invalidation announces a tagged entry by its key without the tag suffix: B's waiter, listening under the
        // whole key, is woken and reads Redis again (the lease is still A's here, so it waits on).
        var method = runtimeB.GetMethod(CachedWidgetRepository.GetOwnedSlowAsyncDescriptor);
        var announced = method.RenderKey(("ann", 16));
        await using var plain = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint);
        await plain.GetSubscriber().PublishAsync(RedisChannel.Literal(runtimeB.Backplane!.ChannelName), $"1|{Guid.NewGuid():N}|k|{method.Descriptor.MethodId}|{announced}");
        await Eventually.HoldsAsync(() => wait.RecordB.Operations("l2", "lease") == 2, "B did not read Redis again after the invalidation");

        source.Gate.SetResult();
        Assert.Equal("widget-16", (await wait.Load)!.Name);
        Assert.Equal("widget-16", (await wait.Waiting.WaitAsync(Eventually.Generous))!.Name);
        Assert.Equal(1, source.SourceCalls);
    }

    private static string RandomText(int length)
    {
        var bytes = new byte[length * 3 / 4];
        Random.Shared.NextBytes(bytes);
        return Convert.ToBase64String(bytes)[..length];
    }

    [Fact]
    public async Task Turned_off_the_value_is_in_Redis_when_the_miss_returns()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source, o => o.BackgroundFill = false);
        var key = SlowWidgets(runtimeA).RenderKey(new ValueTuple<int>(6));

        Assert.Equal("widget-6", (await a.GetSlowWidgetAsync(6))!.Name);

        Assert.Equal(0, runtimeA.PendingFills.Count);
        Assert.Equal("1", await ExistsAsync(key));
        Assert.Equal("0", await ExistsAsync(key + ":lease"));
    }

    private Task<(IWidgetRepository Repository, CacheRuntime Runtime)> NodeAsync(WidgetSource source, Action<CachedGenOptions>? configure = null)
        => _nodes.AddAsync(source, configure);

    /// <summary>Two nodes on one source: A on the real clock, B on a clock that stands still, so B's poll delays never
    /// pass and only a backplane message can end a wait of B's.</summary>
    private async Task<(IWidgetRepository A, CacheRuntime RuntimeA, IWidgetRepository B, CacheRuntime RuntimeB)> PairAsync(WidgetSource source)
    {
        var (a, runtimeA) = await NodeAsync(source);
        var (b, runtimeB) = await NodeAsync(source, o => o.TimeProvider = new FakeTimeProvider(DateTimeOffset.UtcNow));
        return (a, runtimeA, b, runtimeB);
    }

    /// <summary>A's <paramref name="read"/> takes the lease and its source query is held by the source's gate; then B's
    /// same read finds the lease held and waits. B's metrics are recorded from before its read.</summary>
    private static async Task<LeaseWait> BWaitsForALeaseAsync(WidgetSource source, IWidgetRepository a, IWidgetRepository b, CacheRuntime runtimeB, Func<IWidgetRepository, Task<Widget?>> read)
    {
        var recordB = new Recorder(runtimeB.Metrics.Meter);
        var load = Task.Run(() => read(a));
        await Eventually.SignalledAsync(source.SlowReadStarted, "A's source query did not start");
        var waiting = Task.Run(() => read(b));
        await Eventually.HoldsAsync(() => recordB.Sum("cachedgen.lease.waits") == 1, "B did not wait for A's lease");
        return new LeaseWait(recordB, load, waiting);
    }

    private sealed record LeaseWait(Recorder RecordB, Task<Widget?> Load, Task<Widget?> Waiting) : IDisposable
    {
        public void Dispose() => RecordB.Dispose();
    }
}
