using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>Batch reads of one method on a fake clock, L1 only (Redis semantics are in the integration tests): per
/// element L1, single flight shared with single reads, the fail-safe per element, and the source's CacheContext.</summary>
[Collection(ActivitySourceCollection.Name)]
public class BatchLogicTests
{
    /// <summary>The batch source: answers every asked id with "id:b{call}", or throws when <paramref name="fail"/>.</summary>
    private sealed class BatchSource(bool fail = false)
    {
        public List<int[]> Calls { get; } = [];

        public Action? During { get; set; }

        /// <summary>What the values say after the id ("b" unless set), then the call's number.</summary>
        public string Label { get; init; } = "b";

        /// <summary>When set, the source answers only once it completes.</summary>
        public TaskCompletionSource? Gate { get; init; }

        public ValueTask<IEnumerable<KeyValuePair<int, string>>?> LoadAsync(int[] ids)
        {
            lock (Calls)
            {
                Calls.Add(ids);
            }

            During?.Invoke();
            if (fail)
            {
                return ValueTask.FromException<IEnumerable<KeyValuePair<int, string>>?>(new InvalidOperationException("source down"));
            }

            var call = Calls.Count;
            IEnumerable<KeyValuePair<int, string>> answer = ids.Where(id => id < 100).Select(id => KeyValuePair.Create(id, $"{id}:{Label}{call}")).ToList();
            return Gate is null ? new(answer) : new(AnswerWhenOpenAsync(Gate.Task, answer));
        }

        private static async Task<IEnumerable<KeyValuePair<int, string>>?> AnswerWhenOpenAsync(Task gate, IEnumerable<KeyValuePair<int, string>> answer)
        {
            await gate;
            return answer;
        }
    }

    private static Task<Dictionary<int, string>> GetManyAsync(CachedMethodHarness h, BatchSource source, params int[] ids)
        => h.Method.GetManyTaskAsync<int, (CachedMethodHarness, BatchSource), Dictionary<int, string>>(
            ids, (h, source), static (s, id) => new ValueTuple<int>(id), static (s, missing, _) => s.Item2.LoadAsync(missing), CancellationToken.None).WaitAsync(CachedMethodHarness.Wait);

    [Fact]
    public async Task Elements_in_L1_are_served_and_only_the_others_reach_the_source()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(1));
        var source = new BatchSource();
        Assert.Equal("2:v1", await h.GetValueAsync(2));
        var result = await GetManyAsync(h, source, 1, 2, 3, 3, 100);
        Assert.Equal(["1:b1", "2:v1", "3:b1"], result.OrderBy(p => p.Key).Select(p => p.Value));
        Assert.Equal([1, 3, 100], Assert.Single(source.Calls));

        // The absent element is cached as absent (null), and the others as values, for single reads too.
        Assert.Empty(await GetManyAsync(h, source, 100));
        Assert.Equal("3:b1", await h.GetValueAsync(3));
        Assert.Single(source.Calls);
        Assert.Empty(await GetManyAsync(h, source));
        Assert.Single(source.Calls);
    }

    /// <summary>A null element (passed despite the element type) is left out: neither keyed, nor asked of the source, nor
    /// answered; the other elements are read and cached as usual.</summary>
    [Fact]
    public async Task A_null_element_is_left_out_and_the_others_are_served()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(1));
        var asked = new List<string[]>();
        Task<Dictionary<string, string>> ManyAsync(params string[] codes)
            => h.Method.GetManyTaskAsync<string, List<string[]>, Dictionary<string, string>>(
                codes,
                asked,
                static (_, code) => new ValueTuple<int>(int.Parse(code, System.Globalization.CultureInfo.InvariantCulture)),
                static (calls, missing, _) =>
                {
                    calls.Add(missing);
                    return new(missing.Select(code => KeyValuePair.Create(code, code + ":s")).ToList());
                },
                CancellationToken.None).WaitAsync(CachedMethodHarness.Wait);

        var result = await ManyAsync("1", null!, "2", null!);

        Assert.Equal(["1:s", "2:s"], result.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value));
        Assert.Equal(["1", "2"], Assert.Single(asked));
        Assert.Empty(await ManyAsync([null!]));
        Assert.Equal(["1:s"], (await ManyAsync("1", null!)).Values);
        Assert.Single(asked);
    }

    [Fact]
    public async Task A_batch_joins_a_single_read_in_flight_and_a_single_read_joins_a_batch()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(1));
        var blocked = h.ThenBlock();
        var single = h.GetValueAsync(5);
        await h.CalledAsync(1);

        var source = new BatchSource();
        var gate = new ManualResetEventSlim();
        var entered = new SemaphoreSlim(0);
        source.During = () => { entered.Release(); gate.Wait(CachedMethodHarness.Wait); };
        var batch = Task.Run(() => GetManyAsync(h, source, 5, 6));
        Assert.True(await entered.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal([6], Assert.Single(source.Calls));

        // A single read of 6 joins the batch's load.
        var six = h.GetValueAsync(6);
        gate.Set();
        blocked.SetResult("5:single");
        Assert.Equal("5:single", await single);
        Assert.Equal(new Dictionary<int, string> { [5] = "5:single", [6] = "6:b1" }, await batch);
        Assert.Equal("6:b1", await six);
        Assert.Equal(1, h.Calls);
    }

    [Fact]
    public async Task A_failing_source_serves_expired_elements_within_the_fail_safe_and_throws_without()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(60);
            o.FailSafeThrottle = TimeSpan.FromSeconds(5);
        });
        await GetManyAsync(h, new BatchSource(), 1, 2);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        var failing = new BatchSource(fail: true);
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await GetManyAsync(h, failing, 1, 2));
        await Assert.ThrowsAsync<InvalidOperationException>(() => GetManyAsync(h, failing, 1, 3));
        Assert.Equal(2, failing.Calls.Count);
    }

    [Fact]
    public async Task Past_the_soft_timeout_a_slow_batch_serves_expired_elements_and_its_late_answer_fills_L1()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(60);
            o.SourceSoftTimeout = TimeSpan.FromSeconds(1);
        });
        await GetManyAsync(h, new BatchSource(), 1, 2);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        var slow = new BatchSource { Label = "slow", Gate = new TaskCompletionSource() };
        var call = GetManyAsync(h, slow, 1, 2);
        Assert.Equal([1, 2], Assert.Single(slow.Calls));
        h.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(call.IsCompleted);

        // One soft timeout for the whole call, not one per element.
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await call);

        slow.Gate.SetResult();
        await Eventually.TrueAsync(() => h.Local(1) == "1:slow1" && h.Local(2) == "2:slow1", "the slow load's values in L1");
        Assert.Equal("2:slow1", await h.GetValueAsync(2));
        Assert.Equal(0, h.Calls);
    }

    [Fact]
    public async Task An_element_without_an_expired_value_waits_out_the_hard_timeout_then_the_call_throws()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(60);
            o.SourceSoftTimeout = TimeSpan.FromSeconds(1);
            o.SourceHardTimeout = TimeSpan.FromSeconds(3);
        });
        await GetManyAsync(h, new BatchSource(), 1);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        // 1 has an expired value, 3 has none: the call waits for 3 until the hard timeout.
        var slow = new BatchSource { Label = "slow", Gate = new TaskCompletionSource() };
        var call = GetManyAsync(h, slow, 1, 3);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(call.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Contains("SourceHardTimeout", timeout.Message, StringComparison.Ordinal);

        // The load went on: its answer is cached for both elements.
        slow.Gate.SetResult();
        await Eventually.TrueAsync(() => h.Local(3) == "3:slow1", "the late value in L1");
        Assert.Equal(new Dictionary<int, string> { [1] = "1:slow1", [3] = "3:slow1" }, await GetManyAsync(h, new BatchSource(), 1, 3));
    }

    [Fact]
    public async Task Elements_past_their_refresh_moment_are_served_and_refreshed_together_in_the_background()
    {
        // EarlyRefresh 0.5: the refresh moment lies between 50% and 75% of the 10 s lifetime.
        using var h = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5);
        await GetManyAsync(h, new BatchSource(), 1, 2, 3);
        h.Time.Advance(TimeSpan.FromMilliseconds(7_600));

        var refresher = new BatchSource { Label = "new" };
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await GetManyAsync(h, refresher, 1, 2));
        await Eventually.TrueAsync(() => h.Local(1) == "1:new1" && h.Local(2) == "2:new1", "both refreshed in L1");
        Assert.Equal([1, 2], Assert.Single(refresher.Calls).Order());

        // The refreshed entries live a new lifetime; the one left out (3) expires with its old one.
        h.Time.Advance(TimeSpan.FromMilliseconds(2_400));
        Assert.Null(h.Local(3));
        Assert.Equal(new Dictionary<int, string> { [1] = "1:new1", [2] = "2:new1" }, await GetManyAsync(h, refresher, 1, 2));
        Assert.Single(refresher.Calls);
        Assert.Equal(0, h.Calls);
    }

    [Fact]
    public async Task A_failed_batch_refresh_keeps_the_entries_until_their_expiry()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5);
        await GetManyAsync(h, new BatchSource(), 1, 2);
        h.Time.Advance(TimeSpan.FromMilliseconds(7_600));

        var failing = new BatchSource(fail: true);
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await GetManyAsync(h, failing, 1, 2));
        await Eventually.TrueAsync(() => failing.Calls.Count == 1, "the refresh called the source");
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await GetManyAsync(h, failing, 1, 2));
        Assert.Single(failing.Calls); // claimed once per entry

        h.Time.Advance(TimeSpan.FromMilliseconds(2_400));
        Assert.Null(h.Local(1));
    }

    [Fact]
    public async Task Two_nodes_refresh_a_batch_once_the_second_takes_the_first_ones_values_from_L2()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var l2 = new InProcessEntries(time);
        using var a = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5, l2: l2, time: time);
        using var b = new CachedMethodHarness(TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5, l2: l2, time: time);
        var source = new BatchSource();
        await GetManyAsync(a, source, 1, 2);
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await GetManyAsync(b, source, 1, 2)); // from L2
        Assert.Single(source.Calls);

        time.Advance(TimeSpan.FromMilliseconds(7_600));
        await GetManyAsync(a, source, 1, 2);
        await Eventually.TrueAsync(() => a.Local(1) == "1:b2" && a.Local(2) == "2:b2", "A refreshed both");

        // B's refresh finds A's newer values in L2 and calls no source.
        Assert.Equal(new Dictionary<int, string> { [1] = "1:b1", [2] = "2:b1" }, await GetManyAsync(b, source, 1, 2));
        await Eventually.TrueAsync(() => b.Local(1) == "1:b2" && b.Local(2) == "2:b2", "B took A's values");
        Assert.Equal(2, source.Calls.Count);
    }

    [Fact]
    public async Task The_sources_CacheContext_decides_for_every_element_of_its_call()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10));
        var source = new BatchSource { During = () => CacheContext.Current!.DoNotCache() };
        await GetManyAsync(h, source, 1, 2);
        await GetManyAsync(h, source, 1, 2);
        Assert.Equal(2, source.Calls.Count);

        source.During = () => CacheContext.Current!.Ttl = TimeSpan.FromSeconds(5);
        await GetManyAsync(h, source, 1, 2);
        await GetManyAsync(h, source, 1, 2);
        Assert.Equal(3, source.Calls.Count);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await GetManyAsync(h, source, 1, 2);
        Assert.Equal(4, source.Calls.Count);
        Assert.Null(CacheContext.Current);
    }

    [Fact]
    public async Task A_single_reads_source_decides_through_CacheContext_synchronously_or_not()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10));
        h.Then(_ => { CacheContext.Current!.DoNotCache(); return Task.FromResult("incomplete"); });
        Assert.Equal("incomplete", await h.GetValueAsync(1));
        h.Then(async call => { await Task.Yield(); CacheContext.Current!.DoNotCache(); return "incomplete after await"; });
        Assert.Equal("incomplete after await", await h.GetValueAsync(1));
        Assert.Equal("1:v3", await h.GetValueAsync(1));
        Assert.Equal("1:v3", await h.GetValueAsync(1));
        Assert.Equal(3, h.Calls);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheContextProbe().SetZeroTtl());
    }

    /// <summary>A context outside a source call is never handed out; a zero TTL is refused inside one.</summary>
    private sealed class CacheContextProbe
    {
        public void SetZeroTtl()
        {
            using var h = new CachedMethodHarness(TimeSpan.FromMinutes(1));
            h.Then(_ => { CacheContext.Current!.Ttl = TimeSpan.Zero; return Task.FromResult("never"); });
            h.GetValueAsync(1).GetAwaiter().GetResult();
        }
    }

    private sealed class AuditList : ICacheAuditSink
    {
        public List<CacheAuditEvent> Events { get; } = [];

        public void Record(in CacheAuditEvent auditEvent)
        {
            lock (Events)
            {
                Events.Add(auditEvent);
            }
        }
    }

    [Fact]
    public async Task An_observed_batch_call_is_one_activity_and_one_audit_event_per_element()
    {
        var audit = new AuditList();
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(1), configure: o => o.AuditSink = audit);
        var source = new BatchSource();
        var activities = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == "CachedGen",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await h.GetValueAsync(2); // a single read: one activity and one event of its own
        audit.Events.Clear();

        // The listener hears every test's CachedGen activities (tests run in parallel): this test's batch call runs under
        // a parent activity of its own, and only that trace is looked at.
        var parent = new System.Diagnostics.Activity("batch-test").Start();
        await GetManyAsync(h, source, 1, 2, 3, 1);
        parent.Stop();

        List<System.Diagnostics.Activity> ours;
        lock (activities)
        {
            ours = activities.Where(a => a.TraceId == parent.TraceId).ToList();
        }

        var batch = Assert.Single(ours, a => a.GetTagItem("cachedgen.batch.size") is not null);
        Assert.Equal(3, batch.GetTagItem("cachedgen.batch.size"));
        Assert.Equal(1, batch.GetTagItem("cachedgen.batch.l1_hits"));
        Assert.Equal(2, batch.GetTagItem("cachedgen.batch.misses"));
        Assert.Equal(0, batch.GetTagItem("cachedgen.batch.l2_hits"));
        Assert.Equal(
            [(h.Method.RenderKey(new ValueTuple<int>(1)), CacheAuditKind.Miss), (h.Method.RenderKey(new ValueTuple<int>(2)), CacheAuditKind.LocalHit), (h.Method.RenderKey(new ValueTuple<int>(3)), CacheAuditKind.Miss)],
            audit.Events.Select(e => (e.Key, e.Kind)).OrderBy(e => e.Key, StringComparer.Ordinal));
    }
}
