using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The method's L2 logic over an in-process L2 shared by two runtimes (two nodes) on one fake clock.</summary>
public class L2LogicTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private CachedMethodHarness Node(InProcessEntries l2, Action<CachedGenOptions>? configure = null)
        => new(ttl: TimeSpan.FromSeconds(10), configure: configure, l2: l2, time: _time);

    [Fact]
    public async Task A_value_another_node_loaded_is_read_from_L2_and_kept_in_L1_no_longer_than_it_lives_there()
    {
        var l2 = new InProcessEntries(_time);
        using var a = Node(l2);
        using var b = Node(l2);
        Assert.Equal("1:v1", await a.GetValueAsync(1));
        Assert.Equal(1, l2.Fills);

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("1:v1", await b.GetValueAsync(1));
        Assert.Equal(0, b.Calls);

        _time.Advance(TimeSpan.FromMilliseconds(3_999));
        Assert.Equal("1:v1", b.Local(1));
        _time.Advance(TimeSpan.FromMilliseconds(1)); // the L2 entry's remaining 4 s, not LocalTtl's 10 s
        Assert.Null(b.Local(1));
    }

    [Fact]
    public async Task A_node_waits_for_the_lease_holder_and_takes_its_value()
    {
        var l2 = new InProcessEntries(_time);
        using var a = Node(l2);
        using var b = Node(l2);
        var source = a.ThenBlock();
        var holder = a.GetAsync(1).AsTask();
        await a.CalledAsync(1);

        var waiter = b.GetAsync(1).AsTask(); // the lease is held: b polls
        Assert.False(waiter.IsCompleted);
        source.SetResult("from a");
        Assert.Equal("from a", await holder.WaitAsync(CachedMethodHarness.Wait));

        _time.Advance(TimeSpan.FromMilliseconds(50)); // past b's next poll
        Assert.Equal("from a", await waiter.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal(0, b.Calls);
        Assert.Equal(1, l2.Fills);
    }

    [Fact]
    public async Task An_invalidation_during_a_load_keeps_its_value_out_of_L2()
    {
        var l2 = new InProcessEntries(_time);
        using var a = Node(l2);
        var source = a.ThenBlock();
        var call = a.GetAsync(1).AsTask();
        await a.CalledAsync(1);

        await a.Method.InvalidateAsync(new ValueTuple<int>(1)); // deletes the lease
        source.SetResult("read before the write");
        Assert.Equal("read before the write", await call.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal(0, l2.Fills);
        Assert.False(l2.Has(a.Method.RenderKey(new ValueTuple<int>(1))));
    }

    [Fact]
    public async Task The_fail_safe_serves_an_expired_L2_value_to_a_node_that_never_had_it()
    {
        var l2 = new InProcessEntries(_time);
        using var a = Node(l2, o => o.FailSafeMaxAge = TimeSpan.FromSeconds(60));
        using var b = Node(l2, o => o.FailSafeMaxAge = TimeSpan.FromSeconds(60));
        await a.GetValueAsync(1);
        _time.Advance(TimeSpan.FromSeconds(15)); // expired 5 s ago; Redis keeps it for TTL + FailSafeMaxAge

        b.Then(_ => Task.FromException<string>(new InvalidOperationException("source down")));
        Assert.Equal("1:v1", await b.GetValueAsync(1));
        Assert.Equal(1, b.Calls);
    }

    /// <summary>A write's invalidation that reaches the entry right after a put landed (here, on the same node, between
    /// the put's reply and the writer's next step) deletes the put's value from Redis: the writer keeps it out of L1
    /// too, since it may be older than that write.</summary>
    [Fact]
    public async Task A_put_whose_entry_was_invalidated_right_after_it_landed_keeps_its_value_out_of_L1()
    {
        var l2 = new InProcessEntries(_time);
        using var a = Node(l2);
        await a.GetValueAsync(1);
        var key = new ValueTuple<int>(1);
        var ticket = await a.Method.BeginPutAsync(key);
        l2.AfterPut = async () =>
        {
            l2.AfterPut = null;
            await a.Method.InvalidateAsync(key);
        };

        await a.Method.PutAsync(ticket, "older");
        Assert.Null(a.Local(1));
        Assert.NotEqual("older", await a.GetValueAsync(1));
    }
}
