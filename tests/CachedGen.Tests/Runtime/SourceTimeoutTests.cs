using System;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>Source timeouts on the runtime's clock: the soft one answers with an expired value, the hard one throws;
/// either way the load goes on and caches its result.</summary>
public class SourceTimeoutTests
{
    [Fact]
    public async Task The_soft_timeout_answers_with_the_expired_value_and_the_slow_load_still_fills_L1()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(60);
            o.SourceSoftTimeout = TimeSpan.FromSeconds(1);
        });
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        var slow = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(2);
        h.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(call.IsCompleted);

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("1:v1", await call.WaitAsync(CachedMethodHarness.Wait));

        slow.SetResult("slow");
        await Eventually.TrueAsync(() => h.Local(1) == "slow", "the slow load's value in L1");
        Assert.Equal(2, h.Calls);
    }

    [Fact]
    public async Task The_hard_timeout_throws_without_a_fallback_and_the_late_value_is_cached()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o => o.SourceHardTimeout = TimeSpan.FromSeconds(2));
        var slow = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(1);

        h.Time.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(CachedMethodHarness.Wait));

        slow.SetResult("late");
        await Eventually.TrueAsync(() => h.Local(1) == "late", "the late value in L1");
        Assert.Equal("late", await h.GetValueAsync(1));
        Assert.Equal(1, h.Calls);
    }

    [Fact]
    public async Task Without_an_expired_value_the_soft_timeout_waits_for_the_hard_one()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(60);
            o.SourceSoftTimeout = TimeSpan.FromSeconds(1);
            o.SourceHardTimeout = TimeSpan.FromSeconds(3);
        });
        var slow = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(1);

        h.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(call.IsCompleted);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(CachedMethodHarness.Wait));
        slow.SetResult("late");
    }

    [Fact]
    public async Task A_soft_timeout_with_an_expired_value_too_old_waits_out_the_hard_one()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(5);
            o.SourceSoftTimeout = TimeSpan.FromSeconds(1);
            o.SourceHardTimeout = TimeSpan.FromSeconds(10);
        });
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(14.5)); // expired 4.5 s ago: within the max age when the load starts

        var slow = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(2);
        h.Time.Advance(TimeSpan.FromSeconds(1)); // soft timeout, but the value expired 5.5 s ago by now
        Assert.False(call.IsCompleted);

        slow.SetResult("fresh");
        Assert.Equal("fresh", await call.WaitAsync(CachedMethodHarness.Wait));
    }

    [Fact]
    public async Task A_soft_timeout_with_an_expired_value_too_old_and_no_hard_timeout_waits_for_the_source()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(5);
            o.SourceSoftTimeout = TimeSpan.FromSeconds(1);
        });
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(14.5));

        var slow = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(2);
        h.Time.Advance(TimeSpan.FromSeconds(1)); // soft timeout, the value too old to serve: no timeout follows
        h.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(call.IsCompleted);

        slow.SetResult("fresh");
        Assert.Equal("fresh", await call.WaitAsync(CachedMethodHarness.Wait));
    }
}
