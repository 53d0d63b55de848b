using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

public sealed record BackplaneProbe(int Id, int Version);

/// <summary>The contract of <see cref="BackplaneCutTests"/>: the generated <c>CachedBackplaneProbeRepository</c>
/// decorates it. Both reads are invalidated by <see cref="WriteAsync"/>; they differ only in their L1 lifetime.</summary>
public interface IBackplaneProbeRepository
{
    [Cached("10m", "cut:{id}", nameof(WriteAsync), LocalTtl = "2s")]
    Task<BackplaneProbe?> GetAsync(int id);

    [Cached("10m", "cut-long:{id}", nameof(WriteAsync), LocalTtl = "30s")]
    Task<BackplaneProbe?> GetLongLivedAsync(int id);

    Task WriteAsync(int id, int version);
}

/// <summary>The source of truth: a version per id (0 before any write), and how many reads reached it.</summary>
public sealed class BackplaneProbeSource : IBackplaneProbeRepository
{
    private readonly ConcurrentDictionary<int, int> _versions = new();
    private readonly ConcurrentDictionary<int, int> _reads = new();

    /// <summary>Reads of <paramref name="id"/> that reached the source, both methods together.</summary>
    public int ReadsOf(int id) => _reads.GetValueOrDefault(id);

    public Task<BackplaneProbe?> GetAsync(int id) => Task.FromResult<BackplaneProbe?>(Read(id));

    public Task<BackplaneProbe?> GetLongLivedAsync(int id) => Task.FromResult<BackplaneProbe?>(Read(id));

    public Task WriteAsync(int id, int version)
    {
        _versions[id] = version;
        return Task.CompletedTask;
    }

    private BackplaneProbe Read(int id)
    {
        _reads.AddOrUpdate(id, 1, (_, n) => n + 1);
        return new BackplaneProbe(id, _versions.GetValueOrDefault(id));
    }
}

/// <summary>
/// A network partition on the backplane: node B reaches Redis through a <see cref="RedisProxy"/> that silently drops
/// its pub/sub traffic while its sockets stay open, so B misses invalidations without knowing it. Its L1 then serves
/// an old value for at most the method's LocalTtl; once the subscription reconnects, B clears its L1 (the resync).
/// Node A connects to Redis directly.
/// </summary>
/// <remarks>
/// A client could notice the partition only through its keepalive: after <c>keepAlive</c> seconds without traffic
/// StackExchange.Redis sends a PING, which goes unanswered. <c>keepAlive=60</c> is set explicitly so that no such
/// detection can fall inside these windows of a few seconds. (StackExchange.Redis 3.4.35 in fact never failed a
/// blackholed subscription connection within 80 s, even with <c>keepAlive=5</c>: a silent partition lasts until
/// something closes the connection, and meanwhile only LocalTtl bounds staleness.) Each test also asserts that B's
/// subscription neither failed nor was restored until the test cut it, so an unplanned detection fails the test.
/// </remarks>
[Collection(nameof(OutageCollection))]
public sealed class BackplaneCutTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    /// <summary>LocalTtl of <see cref="IBackplaneProbeRepository.GetAsync"/>.</summary>
    private static readonly TimeSpan LocalTtl = TimeSpan.FromSeconds(2);

    /// <summary>How long B may take to serve version 1 after its entry was loaded: ten times LocalTtl, so that a stalled
    /// machine cannot fail the test, while an entry that outlived its LocalTtl for good (no expiry) still does.</summary>
    private static readonly TimeSpan Bound = LocalTtl * 10;

    private const string ClientOptions = ",abortConnect=false,connectRetry=0,connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000,keepAlive=60";

    private readonly string _prefix = "cut-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly List<IAsyncDisposable> _nodes = [];
    private readonly List<IDisposable> _recorders = [];
    private RedisProxy? _proxy;

    private RedisProxy Proxy => _proxy ?? throw new InvalidOperationException("not initialized");

    public Task InitializeAsync()
    {
        _proxy = RedisProxy.Start(redis.Server);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var recorder in _recorders)
        {
            recorder.Dispose();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Proxy.DisposeAsync();
    }

    [Theory]
    [InlineData(0)] // Early refresh off: the entry lives its whole LocalTtl, the worst case.
    [InlineData(80)] // The default: a read past 80-90 % of the lifetime refreshes the entry from Redis in the background.
    public async Task A_node_cut_off_the_backplane_serves_an_invalidated_L1_entry_no_longer_than_its_LocalTtl(int earlyRefreshPercent)
    {
        var earlyRefresh = earlyRefreshPercent / 100.0;
        var source = new BackplaneProbeSource();
        var a = await NodeAsync(source, redis.Server.Endpoint, earlyRefresh);
        var b = await NodeAsync(source, Proxy.Endpoint, earlyRefresh);
        var heard = await WarmUpAsync(a, b);
        var remote = b.Invalidations("remote");
        using var stalls = new TimerStalls();

        Assert.Equal(0, (await a.Repository.GetAsync(1))!.Version); // source -> Redis and A's L1
        var loadStarted = Stopwatch.GetTimestamp();
        stalls.Reset();
        Assert.Equal(0, (await b.Repository.GetAsync(1))!.Version); // Redis -> B's L1, for LocalTtl
        var loaded = Stopwatch.GetTimestamp();
        Assert.Equal(1, source.ReadsOf(1)); // B's entry came from Redis (A's load)

        Proxy.BlackholeSubscriptions();
        await a.Repository.WriteAsync(1, 1); // deletes cut:1 in Redis and publishes the invalidation, which B never gets
        var written = Stopwatch.GetTimestamp();
        Assert.Equal(1, (await a.Repository.GetAsync(1))!.Version);
        Assert.Equal(0, (await b.Repository.GetAsync(1))!.Version); // stale right after the write: the message was lost

        // B serves version 0 from L1 until the entry expires (or its early refresh reads Redis); then version 1.
        var staleReads = 1;
        var lastStale = Stopwatch.GetTimestamp();
        long fresh = 0;
        while (Stopwatch.GetElapsedTime(loadStarted) < Bound)
        {
            var version = (await b.Repository.GetAsync(1))!.Version;
            if (version == 1)
            {
                fresh = Stopwatch.GetTimestamp();
                break;
            }

            Assert.Equal(0, version);
            staleReads++;
            lastStale = Stopwatch.GetTimestamp();
            await Task.Delay(5); // the polling step of the staleness measurement
        }

        var freshAfterLoad = Stopwatch.GetElapsedTime(loadStarted, fresh);
        var stall = stalls.MaxGap;
        output.WriteLine(
            $"EarlyRefresh {earlyRefresh}, LocalTtl {LocalTtl.TotalMilliseconds:F0} ms: B's entry loaded in {Ms(loadStarted, loaded)} ms, " +
            $"A's write {Ms(loadStarted, written)} ms after the load started; B served version 0 in {staleReads} reads, the last " +
            $"{Ms(written, lastStale)} ms after the write; " +
            (fresh == 0
                ? "version 1 never came"
                : $"version 1 {Ms(written, fresh)} ms after the write (staleness window), {freshAfterLoad.TotalMilliseconds:F0} ms after the load started") +
            $"; proxy dropped {Proxy.DroppedBytes} bytes of pub/sub traffic; longest gap between 10 ms thread-pool timer ticks {stall.TotalMilliseconds:F0} ms");

        // L1 expiry reads a clock that a dedicated thread advances (CachedGen.Runtime.CoarseTicker), so a starved thread
        // pool (the test prints how late its own pool timer ran) does not stretch LocalTtl.
        Assert.True(fresh != 0, $"B still served version 0 {Bound.TotalSeconds} s after its entry was loaded (LocalTtl {LocalTtl.TotalSeconds} s; longest thread-pool timer stall {stall.TotalMilliseconds:F0} ms)");

        // Nothing but the entry's lifetime ended the staleness: no message reached B, no resync, and version 1 came no
        // earlier than the entry's expiry (or, with early refresh, its earliest refresh moment).
        var earliest = LocalTtl * (earlyRefresh > 0 ? earlyRefresh : 1) - TimeSpan.FromMilliseconds(20); // clock granularity
        Assert.True(freshAfterLoad >= earliest, $"version 1 after {freshAfterLoad.TotalMilliseconds:F0} ms, before B's entry could expire or refresh ({earliest.TotalMilliseconds:F0} ms)");
        Assert.Equal(heard, b.Received);
        Assert.Equal(remote, b.Invalidations("remote"));
        Assert.Equal(0, b.Invalidations("resync"));
        Assert.Equal(0, b.SubscriptionFailures);
        Assert.True(Proxy.DroppedBytes > 0);
    }

    [Fact]
    public async Task A_node_cut_off_the_backplane_drops_its_L1_as_soon_as_its_subscription_reconnects()
    {
        var source = new BackplaneProbeSource();
        var a = await NodeAsync(source, redis.Server.Endpoint);
        var b = await NodeAsync(source, Proxy.Endpoint);
        var heard = await WarmUpAsync(a, b);
        var restored = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Mux.ConnectionRestored += (_, e) =>
        {
            // Handlers run one after the other in subscription order: the backplane's (which clears L1) ran first.
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                restored.TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        // A LocalTtl of 30 s (early refresh from 24 s): within this test only the resync can bring B version 1.
        Assert.Equal(0, (await a.Repository.GetLongLivedAsync(2))!.Version);
        Assert.Equal(0, (await b.Repository.GetLongLivedAsync(2))!.Version);

        Proxy.BlackholeSubscriptions();
        var droppedBefore = Proxy.DroppedBytes;
        await a.Repository.WriteAsync(2, 1);
        await Eventually.HoldsAsync(() => Proxy.DroppedBytes > droppedBefore, "the invalidation did not reach the proxy");
        Assert.Equal(1, (await a.Repository.GetLongLivedAsync(2))!.Version);
        Assert.Equal(0, (await b.Repository.GetLongLivedAsync(2))!.Version);
        Assert.Equal(heard, b.Received);
        Assert.Equal(0, b.SubscriptionFailures);
        Assert.False(restored.Task.IsCompleted);

        // Heal the partition the way a client would notice it: the connection ends. Restore first, so that the
        // reconnected subscription is not blackholed in turn.
        Proxy.Restore();
        var cut = Stopwatch.GetTimestamp();
        Assert.Equal(1, Proxy.CutSubscriptions());

        var deadline = TimeSpan.FromSeconds(20); // Under the 30 s LocalTtl.
        long fresh = 0;
        long lastStale = 0;
        var staleReads = 0;
        var staleAfterRestore = 0;
        while (Stopwatch.GetElapsedTime(cut) < deadline)
        {
            var restoredBeforeRead = restored.Task.IsCompleted;
            var version = (await b.Repository.GetLongLivedAsync(2))!.Version;
            if (version == 1)
            {
                fresh = Stopwatch.GetTimestamp();
                break;
            }

            Assert.Equal(0, version);
            staleReads++;
            staleAfterRestore += restoredBeforeRead ? 1 : 0;
            lastStale = Stopwatch.GetTimestamp();
            await Task.Delay(5); // the polling step of the staleness measurement
        }

        // The backplane's handler clears L1 before the test's runs, so version 1 can be seen a moment before restoredAt.
        long restoredAt;
        try
        {
            restoredAt = await restored.Task.WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException)
        {
            restoredAt = 0;
        }

        output.WriteLine(
            $"LocalTtl 30 s: subscription cut at 0 ms; " +
            (restoredAt == 0 ? "no ConnectionRestored" : $"ConnectionRestored (subscription) at {Ms(cut, restoredAt)} ms") + "; " +
            $"B served version 0 in {staleReads} reads after the cut" + (staleReads > 0 ? $", the last at {Ms(cut, lastStale)} ms" : "") +
            $" ({staleAfterRestore} of them begun after ConnectionRestored); " +
            (fresh == 0 ? "version 1 never came" : $"version 1 at {Ms(cut, fresh)} ms"));

        Assert.True(restoredAt != 0, $"B's subscription did not reconnect within {deadline.TotalSeconds} s of the cut");
        Assert.True(fresh != 0, $"B still served version 0 {deadline.TotalSeconds} s after the cut");
        Assert.Equal(0, staleAfterRestore);
        Assert.Equal(1, b.Invalidations("resync"));
        Assert.Equal(heard, b.Received); // The lost message was not replayed: the resync alone brought version 1.
    }

    /// <summary>
    /// Reads both methods on both nodes, writes and invalidates once on id 0, so that first-call costs (JIT, MessagePack's
    /// generated formatter) fall outside the measured windows; and checks the control case: without the partition, A's
    /// invalidation reaches B's L1 through the proxy.
    /// </summary>
    /// <returns>How many backplane messages B has heard (the warm-up's).</returns>
    private static async Task<int> WarmUpAsync(Node a, Node b)
    {
        Assert.Equal(0, (await a.Repository.GetAsync(0))!.Version);
        Assert.Equal(0, (await b.Repository.GetAsync(0))!.Version);
        Assert.Equal(0, (await a.Repository.GetLongLivedAsync(0))!.Version);
        Assert.Equal(0, (await b.Repository.GetLongLivedAsync(0))!.Version);
        await a.Repository.WriteAsync(0, 1);
        await Eventually.HoldsAsync(
            async () => (await b.Repository.GetAsync(0))!.Version == 1 && (await b.Repository.GetLongLivedAsync(0))!.Version == 1,
            "B's L1 did not hear A's invalidation through the proxy");

        Assert.True(b.Received > 0);
        return b.Received;
    }

    private static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<Node> NodeAsync(BackplaneProbeSource source, string endpoint, double earlyRefresh = 0.8)
    {
        var options = new CachedGenOptions { KeyPrefix = _prefix, EarlyRefresh = earlyRefresh };
        var mux = await ConnectionMultiplexer.ConnectAsync(endpoint + ClientOptions);
        var runtime = new CacheRuntime(options, mux);
        _nodes.Add(runtime);
        _nodes.Add(mux);
        var recorder = new Recorder(runtime.Metrics.Meter);
        _recorders.Add(recorder);
        await runtime.Backplane!.Subscribed;
        return new Node(new CachedBackplaneProbeRepository(source, runtime), runtime, mux, recorder);
    }

    /// <summary>The longest gap between ticks of a 10 ms <see cref="Timer"/> since <see cref="Reset"/>: how late this
    /// process ran timer callbacks.</summary>
    private sealed class TimerStalls : IDisposable
    {
        private readonly object _gate = new();
        private readonly Timer _timer;
        private long _last = Stopwatch.GetTimestamp();
        private TimeSpan _max;

        public TimerStalls() => _timer = new Timer(_ => Tick(), null, 10, 10);

        public TimeSpan MaxGap
        {
            get
            {
                Tick(); // A stall still going on counts too.
                lock (_gate)
                {
                    return _max;
                }
            }
        }

        public void Reset()
        {
            lock (_gate)
            {
                _last = Stopwatch.GetTimestamp();
                _max = TimeSpan.Zero;
            }
        }

        public void Dispose() => _timer.Dispose();

        private void Tick()
        {
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                var gap = Stopwatch.GetElapsedTime(_last, now);
                _max = gap > _max ? gap : _max;
                _last = now;
            }
        }
    }

    private sealed class Node
    {
        private int _received;
        private int _subscriptionFailures;

        public Node(IBackplaneProbeRepository repository, CacheRuntime runtime, ConnectionMultiplexer mux, Recorder recorder)
        {
            Repository = repository;
            Mux = mux;
            Recorder = recorder;
            runtime.Backplane!.Received += () => Interlocked.Increment(ref _received);
            mux.ConnectionFailed += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Subscription)
                {
                    Interlocked.Increment(ref _subscriptionFailures);
                }
            };
        }

        public IBackplaneProbeRepository Repository { get; }

        public ConnectionMultiplexer Mux { get; }

        public Recorder Recorder { get; }

        /// <summary>Backplane messages from another node that reached this one.</summary>
        public int Received => Volatile.Read(ref _received);

        /// <summary>Times the client saw its subscription connection fail.</summary>
        public int SubscriptionFailures => Volatile.Read(ref _subscriptionFailures);

        /// <summary><c>cachedgen.invalidations</c> of one kind (local, remote, resync) on this node.</summary>
        public int Invalidations(string kind)
            => Recorder.Tags("cachedgen.invalidations").Count(tags => Equals(tags.GetValueOrDefault("kind"), kind));
    }
}
