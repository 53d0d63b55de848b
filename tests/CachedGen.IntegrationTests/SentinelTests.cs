using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>The decorator over a Sentinel deployment (<c>serviceName=</c>): a master killed under load.</summary>
[Collection(nameof(OutageCollection))]
public sealed class SentinelTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sentinel_master_killed_under_load_no_caller_errors_and_L2_hits_resume()
    {
        var total = Stopwatch.StartNew();
        await using var set = await RedisSentinelSet.StartAsync();
        var started = total.Elapsed;
        var source = new WidgetSource();
        await using var a = await TopologyNode.ConnectAsync(set.ConnectionString, source, "sentinel:");
        await using var b = await TopologyNode.ConnectAsync(set.ConnectionString, source, "sentinel:");
        using var counters = new CacheCounters(a.Runtime, b.Runtime);

        // Before the kill: a value node A loaded is an L2 hit on node B, and it is on the master.
        var before = await TopologyNode.AssertL2WorksAsync(a, b, 1);
        Assert.Equal("1", await set.Master.ExecuteAsync("EXISTS", a.ValueKey(before)));

        var load = FailoverLoad.Start(a, b, loops: 4);
        await load.CallsAsync(200, "the load loops did not start");

        var killed = Stopwatch.StartNew();
        var killOrigin = counters.Clock.Elapsed;
        load.MarkKill();
        var oldMaster = await set.KillMasterAsync();
        var failover = Task.Run(async () =>
        {
            var endpoint = await set.WaitForFailoverAsync(TimeSpan.FromSeconds(20));
            return (Endpoint: endpoint, Elapsed: killed.Elapsed);
        });
        var resumed = await TopologyNode.WaitForL2Async(a, b, killed, TimeSpan.FromSeconds(20), _ => true, 100_000);
        var (newMaster, failoverTime) = await failover;
        await load.CallsAsync(200, "the load did not go on against the new master");
        var result = await load.StopAsync();

        output.WriteLine($"sentinel set started in {started.TotalSeconds:F1} s; killed master {oldMaster}");
        output.WriteLine($"sentinels promoted {newMaster} {failoverTime.TotalSeconds:F2} s after the kill");
        output.WriteLine($"first L2 hit (node A wrote, node B read it from Redis) {resumed.Describe()}; breaks last {a.Runtime.Options.CircuitBreakerDuration.TotalSeconds:0} s");
        output.WriteLine(result.Describe());
        output.WriteLine("counters: " + counters.Describe());
        output.WriteLine("events by half second after the kill: " + counters.Timeline(killOrigin));
        output.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
        if (failoverTime > TimeSpan.FromSeconds(5))
        {
            // A slow failover is the sentinels' doing (a failed leader election is retried after twice failover-timeout).
            foreach (var sentinel in set.Sentinels)
            {
                output.WriteLine($"--- log of sentinel {sentinel.Endpoint} ---\n{sentinel.Output}");
            }
        }

        result.AssertClean();
        Assert.True(resumed.Resumed, $"no L2 hit within 20 s of the kill ({resumed.Probes} probes)");
        Assert.Equal(newMaster, set.Master.Endpoint);
        Assert.Equal("1", await set.Master.ExecuteAsync("EXISTS", a.ValueKey(resumed.Id))); // the probe's value is on the new master
        Assert.Equal("1", await set.Master.ExecuteAsync("EXISTS", a.ValueKey(before)));      // written before the kill, replicated
    }
}

/// <summary>One application node over a topology: its own multiplexer, runtime (L1) and decorator.</summary>
internal sealed class TopologyNode : IAsyncDisposable
{
    /// <summary>Client options that notice a dead node within about a second.</summary>
    public const string FastFailure = ",connectTimeout=1000,syncTimeout=500,asyncTimeout=500,connectRetry=1";

    private TopologyNode(IWidgetRepository repository, CacheRuntime runtime, IConnectionMultiplexer mux)
    {
        Repository = repository;
        Runtime = runtime;
        Mux = mux;
    }

    public IWidgetRepository Repository { get; }

    public CacheRuntime Runtime { get; }

    public IConnectionMultiplexer Mux { get; }

    public CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> GetCache
        => Runtime.GetMethod(CachedWidgetRepository.GetAsyncDescriptor);

    public CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> GetValueCache
        => Runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor);

    public static async Task<TopologyNode> ConnectAsync(string connectionString, WidgetSource source, string prefix)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(connectionString + FastFailure);
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, ValueEncryptionKey = new byte[32], KeyHashSecret = new byte[32], RedisOperationTimeout = TimeSpan.FromMilliseconds(100) }, mux);
        return new TopologyNode(new CachedWidgetRepository(source, runtime), runtime, mux);
    }

    /// <summary>The Redis key of <c>GetAsync(id)</c>.</summary>
    public string Key(int id) => GetCache.RenderKey(new ValueTuple<int>(id));

    /// <summary>The Redis key of <c>GetValueAsync(id)</c>.</summary>
    public string ValueKey(int id) => GetValueCache.RenderKey(new ValueTuple<int>(id));

    /// <summary>The Redis key of <c>GetShortLivedAsync(id)</c>.</summary>
    public string ShortLivedKey(int id) => GetShortLivedCache.RenderKey(new ValueTuple<int>(id));

    public static void AssertWidget(int id, string name, Widget? widget)
    {
        Assert.NotNull(widget);
        Assert.Equal(id, widget.Id);
        Assert.Equal(name, widget.Name);
    }

    public CachedGen.Runtime.CachedMethod<ValueTuple<int>, Widget?> GetShortLivedCache
        => Runtime.GetMethod(CachedWidgetRepository.GetShortLivedAsyncDescriptor);

    /// <summary>
    /// Node <paramref name="a"/> loads <c>GetValueAsync(id)</c> (a key never read before, so it is not in any L1; the
    /// call returns when the source answers, and the value follows to Redis under A's lease, which B waits for), then
    /// node <paramref name="b"/> reads it: true when B served it from Redis (its L2 hit counter for the method moved). Both results are checked. With
    /// <paramref name="shortLived"/>, <c>GetShortLivedAsync</c> instead: a second series of probes running at the same
    /// time must use another method, since it reads the same counter.
    /// </summary>
    public static async Task<bool> ProbeL2Async(TopologyNode a, TopologyNode b, int id, bool shortLived = false)
    {
        if (shortLived)
        {
            AssertWidget(id, "widget-" + id, await a.Repository.GetShortLivedAsync(id).ConfigureAwait(false));
            var hits = b.GetShortLivedCache.RedisHits;
            AssertWidget(id, "widget-" + id, await b.Repository.GetShortLivedAsync(id).ConfigureAwait(false));
            return b.GetShortLivedCache.RedisHits > hits;
        }

        AssertWidget(id, "widget-" + id, await a.Repository.GetValueAsync(id).ConfigureAwait(false));
        var before = b.GetValueCache.RedisHits;
        AssertWidget(id, "widget-" + id, await b.Repository.GetValueAsync(id).ConfigureAwait(false));
        return b.GetValueCache.RedisHits > before;
    }

    /// <summary>Probes with ids from <paramref name="firstId"/> until one is an L2 hit (at most 5: a single Redis round
    /// trip over its 100 ms budget on a busy machine is a miss, not a failure) and returns that id.</summary>
    public static async Task<int> AssertL2WorksAsync(TopologyNode a, TopologyNode b, int firstId)
    {
        for (var id = firstId; id < firstId + 5; id++)
        {
            if (await ProbeL2Async(a, b, id).ConfigureAwait(false))
            {
                return id;
            }
        }

        Assert.Fail("A value node A loaded was not an L2 hit on node B in 5 tries: L2 does not work on this topology.");
        return -1;
    }

    /// <summary>Probes every 50 ms with fresh ids (from <paramref name="firstId"/>, those <paramref name="use"/> accepts)
    /// until one is an L2 hit or <paramref name="timeout"/> has passed since <paramref name="since"/> started.</summary>
    public static Task<Recovery> WaitForL2Async(
        TopologyNode a, TopologyNode b, Stopwatch since, TimeSpan timeout, Func<int, bool> use, int firstId)
        => Task.Run(async () =>
        {
            var probes = 0;
            var id = firstId;
            TimeSpan? circuitOpen = null;
            while (true)
            {
                while (!use(id))
                {
                    id++;
                }

                probes++;
                var hit = await ProbeL2Async(a, b, id).ConfigureAwait(false);
                if (circuitOpen is null && (a.Runtime.RedisCircuitState != RedisCircuitState.Closed || b.Runtime.RedisCircuitState != RedisCircuitState.Closed))
                {
                    circuitOpen = since.Elapsed;
                }

                if (hit || since.Elapsed > timeout)
                {
                    return new Recovery(hit, since.Elapsed, probes, id, circuitOpen);
                }

                id++;
                await Task.Delay(50).ConfigureAwait(false); // the probing step: each probe loads a new key, so not a tight loop
            }
        });

    /// <summary>What <see cref="WaitForL2Async"/> saw: whether and when an L2 hit came back, and when a circuit was first
    /// seen open (not closed) on either node.</summary>
    public sealed record Recovery(bool Resumed, TimeSpan Elapsed, int Probes, int Id, TimeSpan? CircuitOpenAt)
    {
        public string Describe() => $"{Elapsed.TotalSeconds:F2} s after the kill ({Probes} probes; " +
                                    (CircuitOpenAt is { } open ? $"a circuit breaker was open from {open.TotalSeconds:F2} s)" : "no circuit breaker seen open)");
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.DisposeAsync().ConfigureAwait(false);
        await Mux.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Listens to the CachedGen meters of the given runtimes: their hit counters count (<c>RedisHits</c>), and the
/// other counters (Redis errors, lease waits, ...) are summed for the test's report.</summary>
internal sealed class CacheCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new();
    private static readonly HashSet<string> PerCall = ["cachedgen.misses", "cachedgen.source.calls", "cachedgen.coalesced", "cachedgen.invalidations"];
    private readonly ConcurrentQueue<(TimeSpan At, string Event)> _events = new();

    public CacheCounters(params CacheRuntime[] runtimes)
    {
        var meters = runtimes.Select(r => r.Metrics.Meter).ToHashSet();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meters.Contains(instrument.Meter) && (instrument.Name == "cachedgen.hits" || instrument is Counter<long>))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument is Counter<long>)
            {
                _sums.AddOrUpdate(instrument.Name, value, (_, sum) => sum + value);
                if (!PerCall.Contains(instrument.Name))
                {
                    // Rare events: Redis errors (by operation), lease waits and timeouts, discarded fills, failed invalidations.
                    var name = instrument.Name["cachedgen.".Length..];
                    foreach (var tag in tags)
                    {
                        if (tag.Key == "operation")
                        {
                            name = tag.Value?.ToString() + " error";
                        }
                    }

                    _events.Enqueue((Clock.Elapsed, name));
                }
            }
        });
        _listener.Start();
        foreach (var runtime in runtimes)
        {
            runtime.Metrics.Refresh(); // as the runtime's own timer does within 250 ms
            Assert.True(runtime.Metrics.CountHits);
        }
    }

    /// <summary>Started with the listener; <see cref="Timeline"/> is relative to a moment read from it.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    /// <summary>The rare events (Redis errors by operation, lease waits, ...) by half second from
    /// <paramref name="origin"/> (a <see cref="Clock"/> reading), for example <c>0.5 s: GET error=10, lease.waits=1</c>.</summary>
    public string Timeline(TimeSpan origin) => string.Join("; ", _events
        .GroupBy(e => Math.Floor((e.At - origin).TotalSeconds * 2) / 2)
        .OrderBy(g => g.Key)
        .Select(g => FormattableString.Invariant($"{g.Key:F1} s: ") + string.Join(", ", g.GroupBy(e => e.Event).Select(o => o.Key + "=" + o.Count()))));

    /// <summary>The non-zero counters, both nodes together, for example <c>cachedgen.redis.errors=12</c>.</summary>
    public string Describe() => string.Join(", ", _sums.Where(p => p.Value != 0).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// Concurrent callers on two nodes: each iteration takes a fresh id, loads it on one node (a miss: Redis read, source,
/// Redis write) and reads it on the other (an L2 hit while Redis works), checking every result against the source.
/// </summary>
internal sealed class FailoverLoad
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly Task[] _loops;
    private readonly Func<int, bool> _use;
    private readonly TopologyNode _a;
    private readonly TopologyNode _b;
    private readonly long _l2HitsAtStart;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private long _calls;
    private TimeSpan _slowest;
    private string _slowestCall = "";
    private TimeSpan? _killedAt;
    private TimeSpan _worstLag;
    private string _worstLagAt = "";
    private int _nextId;

    private FailoverLoad(TopologyNode a, TopologyNode b, int loops, int firstId, Func<int, bool> use)
    {
        _a = a;
        _b = b;
        _l2HitsAtStart = a.GetCache.RedisHits + b.GetCache.RedisHits;
        _nextId = firstId;
        _use = use;
        _loops = Enumerable.Range(0, loops).Select(i => Task.Run(() => LoopAsync(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a)))
            .Append(Task.Run(HeartbeatAsync))
            .ToArray();
    }

    public long Calls => Interlocked.Read(ref _calls);


    /// <summary>Waits for <paramref name="count"/> more calls to complete (the load is running).</summary>

    public Task CallsAsync(int count, string what)

    {

        var target = Calls + count;

        return Eventually.HoldsAsync(() => Calls >= target, what);

    }

    /// <summary>Notes the moment of the kill, so that the slowest call is reported relative to it.</summary>
    public void MarkKill() => _killedAt = _clock.Elapsed;

    /// <summary>Starts <paramref name="loops"/> loops (half loading on each node) over ids from
    /// <paramref name="firstId"/> that <paramref name="use"/> accepts (all by default).</summary>
    public static FailoverLoad Start(TopologyNode a, TopologyNode b, int loops, int firstId = 1_000_000, Func<int, bool>? use = null)
        => new(a, b, loops, firstId, use ?? (_ => true));

    public async Task<Result> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stop.Dispose();
        lock (_gate)
        {
            return new Result(Calls, _a.GetCache.RedisHits + _b.GetCache.RedisHits - _l2HitsAtStart, _slowest, _slowestCall, _worstLag, _worstLagAt, _errors.ToArray());
        }
    }

    private async Task LoopAsync(TopologyNode first, TopologyNode second)
    {
        while (!_stop.IsCancellationRequested)
        {
            int id;
            do
            {
                id = Interlocked.Increment(ref _nextId);
            }
            while (!_use(id));

            await CallAsync(first, first == _a ? "A" : "B", id).ConfigureAwait(false);
            await CallAsync(second, second == _a ? "A" : "B", id).ConfigureAwait(false);
            await Task.Delay(2).ConfigureAwait(false); // a steady load, not a CPU burn on a 2-core machine
        }
    }

    /// <summary>Measures how late a 10 ms timer continuation runs on the thread pool: a caller's latency that is not
    /// the cache's (thread-pool starvation, for example by a client library blocking pool threads).</summary>
    private async Task HeartbeatAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var start = _clock.Elapsed;
            await Task.Delay(10).ConfigureAwait(false); // the timer whose lateness is measured
            var lag = _clock.Elapsed - start - TimeSpan.FromMilliseconds(10);
            lock (_gate)
            {
                if (lag > _worstLag)
                {
                    _worstLag = lag;
                    _worstLagAt = Since(start);
                }
            }
        }
    }

    private string Since(TimeSpan start) => _killedAt is { } kill
        ? $"{(start - kill).TotalSeconds:F2} s after the kill"
        : $"{start.TotalSeconds:F2} s into the load";

    private async Task CallAsync(TopologyNode node, string label, int id)
    {
        var start = _clock.Elapsed;
        var watch = Stopwatch.StartNew();
        try
        {
            var widget = await node.Repository.GetAsync(id).ConfigureAwait(false);
            if (widget is not { Name: var name, Revision: 0 } || widget.Id != id || name != "widget-" + id)
            {
                _errors.Enqueue(new InvalidOperationException($"GetAsync({id}) returned {widget?.ToString() ?? "null"}"));
            }
        }
        catch (Exception ex)
        {
            _errors.Enqueue(ex);
        }
        finally
        {
            var elapsed = watch.Elapsed;
            lock (_gate)
            {
                if (elapsed > _slowest)
                {
                    _slowest = elapsed;
                    _slowestCall = $"GetAsync({id}) on node {label}, started {Since(start)}";
                }
            }

            Interlocked.Increment(ref _calls);
        }
    }

    public sealed record Result(long Calls, long L2Hits, TimeSpan Slowest, string SlowestCall, TimeSpan WorstLag, string WorstLagAt, IReadOnlyList<Exception> Errors)
    {
        public string Describe() => $"load: {Calls} calls ({L2Hits} L2 hits, of {Calls / 2} reads of a value the other node had loaded), {Errors.Count} errors or wrong results, " +
                                    $"slowest call {Slowest.TotalMilliseconds:F0} ms ({SlowestCall}); " +
                                    $"thread-pool lag up to {WorstLag.TotalMilliseconds:F0} ms ({WorstLagAt})" +
                                    (Errors.Count > 0 ? "; first: " + Errors[0] : "");

        public void AssertClean()
        {
            Assert.True(Errors.Count == 0, $"{Errors.Count} of {Calls} calls failed or returned a wrong value; first: {Errors.FirstOrDefault()}");
            Assert.True(Calls > 100, $"only {Calls} calls were made");
        }
    }
}
