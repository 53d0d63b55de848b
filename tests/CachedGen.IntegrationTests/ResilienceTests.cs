using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>Early refresh, fail-safe and source timeouts against a real redis-server, with nodes sharing it.</summary>
[Collection(nameof(OutageCollection))]
public sealed class ResilienceTests(RedisServerFixture redis, ITestOutputHelper output) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "res-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private Task<(IWidgetRepository Repository, CacheRuntime Runtime)> NodeAsync(WidgetSource source, Action<CachedGenOptions> configure)
        => _nodes.AddAsync(source, o =>
        {
            o.TtlJitter = 0;
            configure(o);
        });

    [Fact]
    [Trait("Category", "Measure")] // six seconds of load to count refreshes over two lifetimes; the default run has the short variant below
    public async Task A_hot_key_is_refreshed_before_it_expires_and_callers_never_miss()
    {
        // Refreshes start between 50 % and 75 % of the 3 s lifetime: at least 750 ms before the entry expires, so a stall
        // of the machine (test assemblies run side by side on 2 cores) cannot let it expire first. With the default
        // 80-90 % of 2 s, a 200-400 ms margin, one run on a loaded machine saw a caller wait for a refresh.
        var source = new WidgetSource { ReadDelay = TimeSpan.FromMilliseconds(20) };
        void Configure(CachedGenOptions o) => o.Methods["IWidgetRepository.GetSlowWidgetAsync"] = new CachedMethodOptions { Ttl = TimeSpan.FromSeconds(3), EarlyRefresh = 0.5 };
        var (a, runtimeA) = await NodeAsync(source, Configure);
        var (b, runtimeB) = await NodeAsync(source, Configure);
        await a.GetSlowWidgetAsync(1); // miss on A
        await b.GetSlowWidgetAsync(1); // Redis hit on B
        var warmCalls = source.SourceCalls;
        using var recordA = new Recorder(runtimeA.Metrics.Meter);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);

        // Four callers on two nodes, continuously, across two lifetimes of the entry.
        var duration = TimeSpan.FromSeconds(6);
        var watch = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var calls = 0;
            while (watch.Elapsed < duration)
            {
                var widget = await (i % 2 == 0 ? a : b).GetSlowWidgetAsync(1);
                Assert.Equal("widget-1", widget!.Name);
                calls++;
                await Task.Delay(2); // paces the callers (a steady load, not a CPU burn on a 2-core machine); waits for nothing
            }

            return calls;
        })).ToArray();
        var total = (await Task.WhenAll(loops)).Sum();

        var refreshes = source.SourceCalls - warmCalls;
        output.WriteLine($"{total} calls over {duration.TotalSeconds} s with a 3 s TTL: {refreshes} source calls, all of them background refreshes " +
                         $"(A {recordA.Sum("cachedgen.refreshes")}, B {recordB.Sum("cachedgen.refreshes")}); misses A {recordA.Sum("cachedgen.misses")} " +
                         $"(joined {recordA.Sum("cachedgen.coalesced")}, lease waits {recordA.Sum("cachedgen.lease.waits")}), B {recordB.Sum("cachedgen.misses")} " +
                         $"(joined {recordB.Sum("cachedgen.coalesced")}, lease waits {recordB.Sum("cachedgen.lease.waits")})");
        Assert.Equal(0, recordA.Sum("cachedgen.misses") + recordB.Sum("cachedgen.misses"));
        Assert.Equal(refreshes, recordA.Sum("cachedgen.refreshes") + recordB.Sum("cachedgen.refreshes"));
        Assert.InRange(refreshes, 2, 4); // one per 1.5-2.25 s cycle, never one per node (that would be 5-8)
    }

    [Fact]
    public async Task A_hot_key_is_refreshed_once_in_the_background_and_callers_never_miss()
    {
        // The short variant of the measurement above: callers on two nodes until the first background refresh of a 3 s
        // entry (from 50 % of its lifetime) has loaded; none of them missed, and the nodes refreshed it once, not once each.
        var source = new WidgetSource();
        void Configure(CachedGenOptions o) => o.Methods["IWidgetRepository.GetSlowWidgetAsync"] = new CachedMethodOptions { Ttl = TimeSpan.FromSeconds(3), EarlyRefresh = 0.5 };
        var (a, runtimeA) = await NodeAsync(source, Configure);
        var (b, runtimeB) = await NodeAsync(source, Configure);
        await a.GetSlowWidgetAsync(1); // miss on A
        await b.GetSlowWidgetAsync(1); // Redis hit on B
        var warmCalls = source.SourceCalls;
        using var recordA = new Recorder(runtimeA.Metrics.Meter);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);

        var watch = Stopwatch.StartNew();
        var loops = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            var calls = 0;
            while (source.SourceCalls == warmCalls && watch.Elapsed < Eventually.Generous)
            {
                var widget = await (i % 2 == 0 ? a : b).GetSlowWidgetAsync(1);
                Assert.Equal("widget-1", widget!.Name);
                calls++;
                await Task.Delay(2); // paces the callers (a steady load, not a CPU burn on a 2-core machine); waits for nothing

            }

            return calls;
        })).ToArray();
        var total = (await Task.WhenAll(loops)).Sum();

        var refreshes = source.SourceCalls - warmCalls;
        output.WriteLine($"{total} calls in {watch.Elapsed.TotalSeconds:F1} s until the first refresh of a 3 s entry: {refreshes} source calls");
        Assert.Equal(1, refreshes);
        await Eventually.HoldsAsync(() => recordA.Sum("cachedgen.refreshes") + recordB.Sum("cachedgen.refreshes") == 1, "the refresh was not counted");
        Assert.Equal(0, recordA.Sum("cachedgen.misses") + recordB.Sum("cachedgen.misses"));
    }

    [Fact]
    public async Task A_failing_source_gets_the_last_value_within_the_fail_safe_age_then_its_error()
    {
        var source = new WidgetSource();
        void Configure(CachedGenOptions o)
        {
            o.FailSafeMaxAge = TimeSpan.FromMilliseconds(2500);
            o.FailSafeThrottle = TimeSpan.FromMilliseconds(100);
            o.EarlyRefresh = 0;
            o.Methods["IWidgetRepository.GetAsync"] = new CachedMethodOptions { Ttl = TimeSpan.FromMilliseconds(300) };
        }

        var (a, runtimeA) = await NodeAsync(source, Configure);
        var (c, runtimeC) = await NodeAsync(source, Configure);
        using var recordA = new Recorder(runtimeA.Metrics.Meter);
        using var recordC = new Recorder(runtimeC.Metrics.Meter);
        Assert.Equal("widget-1", (await a.GetAsync(1))!.Name);
        await runtimeA.PendingFills.WhenIdleAsync(); // the copy C reads below is in Redis
        source.Failing = true;

        // Once the 300 ms entry has expired, A serves its expired L1 copy (until then, the entry itself; either way the
        // last value, never the error).
        await Eventually.HoldsAsync(
            async () => (await a.GetAsync(1))!.Name == "widget-1" && recordA.Tags("cachedgen.failsafe").Any(t => Equals(t["reason"], "error")),
            "A did not answer with its expired copy");

        // C, which never had it, the expired copy Redis keeps for the fail-safe.
        Assert.Equal("widget-1", (await c.GetAsync(1))!.Name);
        Assert.Contains(recordC.Tags("cachedgen.failsafe"), t => Equals(t["reason"], "error"));

        // Past the maximum age (2.5 s) the source's error reaches the caller, on both nodes. C measures the age from its own
        // reading of the entry's expiry (its monotonic clock, which ticks every few ms, against the wall clock), so it may
        // cross the maximum age a few milliseconds after A: C gets the same wait, bounded well below another maximum age
        // (a copy whose age C measured from a later moment, its own read of Redis say, would outlast it).
        static async Task<bool> FailsAsync(IWidgetRepository node)
        {
            try
            {
                await node.GetAsync(1);
                return false;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }

        await Eventually.HoldsAsync(() => FailsAsync(a), "A still answers with a copy older than FailSafeMaxAge");
        await Eventually.HoldsAsync(() => FailsAsync(c), "C still answers with a copy older than FailSafeMaxAge", TimeSpan.FromSeconds(2));

        source.Failing = false;
        Assert.Equal("widget-1", (await a.GetAsync(1))!.Name);
    }

    [Fact]
    public async Task A_slow_source_is_answered_with_the_last_value_after_the_soft_timeout_and_cached_when_it_returns()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await NodeAsync(source, o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(30);
            o.SourceSoftTimeout = TimeSpan.FromMilliseconds(100);
            o.EarlyRefresh = 0;
            o.Methods["IWidgetRepository.GetSlowWidgetAsync"] = new CachedMethodOptions { Ttl = TimeSpan.FromMilliseconds(300) };
        });
        Assert.Equal("widget-2", (await a.GetSlowWidgetAsync(2))!.Name);
        await runtimeA.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        await source.RenameAsync(2, "renamed at the source"); // behind the cache's back: no invalidation
        source.ReadDelay = TimeSpan.FromMilliseconds(1500);

        // Redis keeps the entry for its TTL plus FailSafeMaxAge: once less than FailSafeMaxAge is left, the 300 ms TTL has
        // passed (with 100 ms to spare for L1's clock).
        var key = runtimeA.GetMethod(CachedWidgetRepository.GetSlowWidgetAsyncDescriptor).RenderKey(new ValueTuple<int>(2));
        await Eventually.HoldsAsync(
            async () => long.Parse(await redis.Server.ExecuteAsync("PTTL", key), System.Globalization.CultureInfo.InvariantCulture) is >= 0 and < 30_000 - 100,
            "the 300 ms entry did not expire");

        using var recordA = new Recorder(runtimeA.Metrics.Meter);
        var watch = Stopwatch.StartNew();
        var stale = await a.GetSlowWidgetAsync(2);
        var waited = watch.Elapsed;

        output.WriteLine($"soft timeout 100 ms, source 1500 ms: the caller waited {waited.TotalMilliseconds:F0} ms");
        Assert.Equal("widget-2", stale!.Name); // the last value: the caller did not wait for the source's answer
        Assert.Contains(recordA.Tags("cachedgen.failsafe"), t => Equals(t["reason"], "timeout"));
        var calls = source.SourceCalls;

        // The slow call went on and its result was cached.
        var latest = await Eventually.ReadAsync(() => a.GetSlowWidgetAsync(2), w => w!.Name == "renamed at the source", Eventually.Generous);
        Assert.Equal("renamed at the source", latest!.Name);
        Assert.Equal(calls, source.SourceCalls);
    }

    [Fact]
    public async Task A_source_past_the_hard_timeout_with_nothing_to_serve_times_out_and_its_result_is_cached_later()
    {
        var source = new WidgetSource { ReadDelay = TimeSpan.FromMilliseconds(800) };
        var (a, runtimeA) = await NodeAsync(source, o => o.SourceHardTimeout = TimeSpan.FromMilliseconds(150));
        var key = runtimeA.GetMethod(CachedWidgetRepository.GetSlowWidgetAsyncDescriptor).RenderKey(new ValueTuple<int>(3));

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => a.GetSlowWidgetAsync(3));
        output.WriteLine($"hard timeout 150 ms: the caller got {error.GetType().Name} after {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Contains("SourceHardTimeout", error.Message, StringComparison.Ordinal);

        // The source call went on: its result reaches Redis, and the next call is served from the cache.
        await Eventually.HoldsAsync(async () => await redis.Server.ExecuteAsync("EXISTS", key) == "1", "the late result was not cached");
        Assert.Equal("widget-3", (await a.GetSlowWidgetAsync(3))!.Name);
        Assert.Equal(1, source.SourceCalls);
    }
}
