using System;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>An invalidation (or put) that Redis did not confirm is tried again every second until it is, and meanwhile
/// the writing node reads that key from the source, not from Redis, which may still hold the value from before.</summary>
public class UnconfirmedWritesTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_unconfirmed_invalidation_is_retried_until_redis_takes_it_and_the_writer_never_reads_the_old_value()
    {
        var time = new FakeTimeProvider(Start);
        var l2 = new InProcessEntries(time);
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10), l2: l2, time: time);
        var key = h.Method.RenderKey(new ValueTuple<int>(1));
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        await h.Runtime.PendingFills.WhenIdleAsync();
        Assert.True(l2.Has(key));

        l2.RefusesWrites = true; // Redis unreachable for the write
        await h.Method.InvalidateAsync(new ValueTuple<int>(1));
        Assert.True(l2.Has(key)); // the value from before the write is still there
        Assert.Equal("1:v2", await h.GetValueAsync(1)); // and this node does not read it
        Assert.Equal(2, h.Calls);

        time.Advance(TimeSpan.FromSeconds(1)); // the retry timer fires: refused again
        Assert.True(l2.Has(key));
        Assert.False(h.Runtime.UnconfirmedWrites.IsEmpty);

        l2.RefusesWrites = false; // Redis is back
        time.Advance(TimeSpan.FromSeconds(1)); // the next retry (the in-process L2 answers at once, so it has run)
        Assert.False(l2.Has(key));
        Assert.True(h.Runtime.UnconfirmedWrites.IsEmpty);
        Assert.Equal("1:v3", await h.GetValueAsync(1)); // read through Redis again: a miss, then the source
    }

    [Fact]
    public async Task The_changes_of_a_kind_count_each_item_once_however_often_it_is_added_or_confirmed()
    {
        using var writes = new UnconfirmedWrites(new FakeTimeProvider(Start));
        var retried = new System.Collections.Generic.List<int>();
        UnconfirmedChanges<int>? changes = null;
        changes = new UnconfirmedChanges<int>("test", writes, item =>
        {
            retried.Add(item);
            changes!.Confirmed(item); // Redis takes it this time
            return ValueTask.CompletedTask;
        });
        Assert.False(changes.HasUnconfirmed);
        Assert.False(changes.Contains(1));
        changes.Confirmed(1); // a confirmed write of a key that never waited
        Assert.False(changes.HasUnconfirmed);

        changes.Add(1);
        changes.Add(1); // refused again before a retry
        changes.Add(2);
        Assert.True(changes.HasUnconfirmed);
        Assert.True(changes.Contains(1));
        Assert.True(changes.Contains(2));
        Assert.False(changes.Contains(3));

        changes.Confirmed(1);
        Assert.False(changes.Contains(1)); // once confirmed, however often it was added
        Assert.True(changes.Contains(2));
        Assert.True(changes.HasUnconfirmed);
        changes.Confirmed(1);
        Assert.True(changes.Contains(2));

        Assert.True(await changes.RetryUnconfirmedAsync()); // 2 is retried and taken: none is left
        Assert.Equal([2], retried);
        Assert.False(changes.HasUnconfirmed);
        Assert.False(changes.Contains(2));
    }

    [Fact]
    public async Task A_later_confirmed_invalidation_of_the_key_ends_the_retries()
    {
        var time = new FakeTimeProvider(Start);
        var l2 = new InProcessEntries(time);
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10), l2: l2, time: time);
        Assert.Equal("2:v1", await h.GetValueAsync(2));
        await h.Runtime.PendingFills.WhenIdleAsync();

        l2.RefusesWrites = true;
        await h.Method.InvalidateAsync(new ValueTuple<int>(2));
        l2.RefusesWrites = false;
        await h.Method.InvalidateAsync(new ValueTuple<int>(2)); // the next write reaches Redis

        Assert.False(l2.Has(h.Method.RenderKey(new ValueTuple<int>(2))));
        await h.Runtime.UnconfirmedWrites.RetryAsync();
        Assert.True(h.Runtime.UnconfirmedWrites.IsEmpty);
    }

    [Fact]
    public async Task A_batch_read_of_an_unconfirmed_key_leaves_redis_out()
    {
        var time = new FakeTimeProvider(Start);
        var l2 = new InProcessEntries(time);
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10), l2: l2, time: time);
        Assert.Equal("3:v1", await h.GetValueAsync(3));
        await h.Runtime.PendingFills.WhenIdleAsync();
        l2.RefusesWrites = true;
        await h.Method.InvalidateAsync(new ValueTuple<int>(3));

        var asked = new System.Collections.Generic.List<int[]>();
        var result = await h.Method.GetManyTaskAsync<int, System.Collections.Generic.List<int[]>, System.Collections.Generic.Dictionary<int, string>>(
            [3, 4],
            asked,
            static (_, id) => new ValueTuple<int>(id),
            static (calls, missing, _) =>
            {
                calls.Add(missing);
                return new(System.Linq.Enumerable.ToList(System.Linq.Enumerable.Select(missing, id => System.Collections.Generic.KeyValuePair.Create(id, id + ":batch"))));
            },
            System.Threading.CancellationToken.None).WaitAsync(CachedMethodHarness.Wait);

        Assert.Equal("3:batch", result[3]); // not the value Redis still holds from before the write
        Assert.Equal([3, 4], Assert.Single(asked));
    }
    /// <summary>A writer that stops (a job that exits, a host shut down) before the next retry: the change Redis did not
    /// confirm gets one last try, so the old value does not stay in Redis for its TTL.</summary>
    [Fact]
    public async Task An_unconfirmed_invalidation_gets_a_last_try_when_the_runtime_stops()
    {
        var time = new FakeTimeProvider(Start);
        var l2 = new InProcessEntries(time);
        var log = new EventLog();
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10), l2: l2, time: time, log: log);
        var key = h.Method.RenderKey(new ValueTuple<int>(1));
        await h.GetValueAsync(1);
        await h.Runtime.PendingFills.WhenIdleAsync();

        l2.RefusesWrites = true;
        await h.Method.InvalidateAsync(new ValueTuple<int>(1));
        l2.RefusesWrites = false; // Redis is back before the retry timer's next tick (the clock does not move)

        await h.Runtime.ConfirmWritesBeforeStopAsync();

        Assert.False(l2.Has(key));
        Assert.True(h.Runtime.UnconfirmedWrites.IsEmpty);
        Assert.DoesNotContain(log.Events, e => e.Id == 1028);
        var confirmed = Assert.Single(log.Events, e => e.Id == 1029); // the stop says the change it waited for landed
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, confirmed.Level);
        Assert.Contains("confirmed the 1 changes", confirmed.Message, StringComparison.Ordinal);
    }

    /// <summary>Redis comes back while the process stops (a blip shorter than the last try's limit): the last try goes on
    /// pass after pass, and the change is confirmed before the runtime stops.</summary>
    [Fact]
    public async Task The_last_try_goes_on_until_redis_comes_back_within_its_limit()
    {
        var time = new FakeTimeProvider(Start);
        var l2 = new InProcessEntries(time);
        var log = new EventLog();
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10), l2: l2, time: time, log: log, configure: o => o.RedisOperationTimeout = TimeSpan.FromSeconds(3)); // a last try far longer than a pass
        var key = h.Method.RenderKey(new ValueTuple<int>(1));
        await h.GetValueAsync(1);
        await h.Runtime.PendingFills.WhenIdleAsync();

        l2.RefusesWrites = true;
        await h.Method.InvalidateAsync(new ValueTuple<int>(1));
        var stopping = h.Runtime.ConfirmWritesBeforeStopAsync();
        Assert.False(stopping.IsCompleted); // its first pass was refused

        l2.RefusesWrites = false; // Redis answers again: the next pass, 50 ms (wall-clock) later, is taken
        await stopping;

        Assert.False(l2.Has(key));
        Assert.True(h.Runtime.UnconfirmedWrites.IsEmpty);
        Assert.DoesNotContain(log.Events, e => e.Id == 1028);
    }

    /// <summary>Redis still refuses at the stop: what is left is logged as an error naming the method and the count,
    /// once, since no node will retry it and the old value may be served until it expires.</summary>
    [Fact]
    public async Task What_redis_never_confirmed_is_logged_when_the_runtime_stops()
    {
        var time = new FakeTimeProvider(Start);
        var l2 = new InProcessEntries(time);
        var log = new EventLog();
        var h = new CachedMethodHarness(TimeSpan.FromMinutes(10), l2: l2, time: time, log: log, configure: o => o.RedisOperationTimeout = TimeSpan.FromMilliseconds(20)); // a 200 ms last try
        await h.GetValueAsync(1);
        await h.GetValueAsync(2);
        await h.Runtime.PendingFills.WhenIdleAsync();

        l2.RefusesWrites = true;
        await h.Method.InvalidateAsync(new ValueTuple<int>(1));
        await h.Method.InvalidateAsync(new ValueTuple<int>(2));
        await h.Runtime.ConfirmWritesBeforeStopAsync(); // the host stopping: Redis refuses until the limit (wall-clock) passes
        await h.Runtime.DisposeAsync(); // then the container disposing the runtime: no second try, no second report

        var stop = Assert.Single(log.Events, e => e.Id == 1028);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, stop.Level);
        Assert.Contains(h.Method.Descriptor.MethodId + " (2)", stop.Message, StringComparison.Ordinal); // an entry's key is not named: its values may be personal data
        Assert.DoesNotContain(log.Events, e => e.Id == 1029);
        Assert.True(l2.Has(h.Method.RenderKey(new ValueTuple<int>(1))));
    }

    /// <summary>The last try is bounded: a retry Redis never answers does not hold the stop beyond the limit, and the
    /// change is reported as left.</summary>
    [Fact]
    public async Task The_last_try_ends_at_its_limit_and_reports_what_is_left()
    {
        var time = new FakeTimeProvider(Start);
        using var writes = new UnconfirmedWrites(time);
        var never = new TaskCompletionSource();
        var changes = new UnconfirmedChanges<int>("IRepo.Get", writes, _ => new ValueTask(never.Task));
        changes.Add(7);

        var stopping = writes.ConfirmBeforeStopAsync(TimeSpan.FromMilliseconds(100)); // wall-clock: the fake clock stands still
        Assert.False(stopping.IsCompleted);
        var left = await stopping;

        Assert.Equal([("IRepo.Get", 1, (string?)null)], left);
        never.SetResult();
    }

    /// <summary>Tags left unconfirmed at a stop are named in the report (sorted, the first ten, then how many more), so an
    /// operator knows which tags to invalidate once Redis answers; a method's changes are only counted.</summary>
    [Fact]
    public async Task Tags_left_at_a_stop_are_named_the_first_ten_and_how_many_more()
    {
        var time = new FakeTimeProvider(Start);
        using var writes = new UnconfirmedWrites(time);
        var never = new TaskCompletionSource();
        var tags = new UnconfirmedChanges<string>("tags", writes, _ => new ValueTask(never.Task), StringComparer.Ordinal, static tag => tag);
        var entries = new UnconfirmedChanges<int>("IRepo.Get", writes, _ => new ValueTask(never.Task));
        tags.Add("tenant:2:forms");
        tags.Add("tenant:1:forms");
        entries.Add(7);

        var left = await writes.ConfirmBeforeStopAsync(TimeSpan.FromMilliseconds(50));

        Assert.Equal([("IRepo.Get", 1, (string?)null), ("tags", 2, "tenant:1:forms, tenant:2:forms")], left);

        for (var i = 3; i <= UnconfirmedWrites.NamedAtStop + 2; i++)
        {
            tags.Add($"tenant:{i}:forms");
        }

        var named = tags.NamePending(UnconfirmedWrites.NamedAtStop)!;
        Assert.Equal(UnconfirmedWrites.NamedAtStop, named.Split(", ").Length);
        Assert.EndsWith(" and 2 more", named, StringComparison.Ordinal);
        never.SetResult();
    }
}
