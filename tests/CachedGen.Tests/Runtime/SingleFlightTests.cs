using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>One source call per key per process: callers that miss while a load runs join it.</summary>
public class SingleFlightTests
{
    [Fact]
    public async Task Concurrent_misses_of_a_key_share_one_source_call()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var source = h.ThenBlock();
        var first = h.GetAsync(1).AsTask();
        var second = h.GetAsync(1).AsTask();
        var third = h.GetAsync(1).AsTask();
        await h.CalledAsync(1);
        Assert.False(second.IsCompleted);

        source.SetResult("shared");
        Assert.Equal(["shared", "shared", "shared"], await Task.WhenAll(first, second, third).WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal(1, h.Calls);
        Assert.Equal("shared", h.Local(1));
    }

    [Fact]
    public async Task Different_keys_load_independently()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var blocked = h.ThenBlock();
        var one = h.GetAsync(1).AsTask();
        Assert.Equal("2:v2", await h.GetValueAsync(2));
        Assert.False(one.IsCompleted);

        blocked.SetResult("one");
        Assert.Equal("one", await one.WaitAsync(CachedMethodHarness.Wait));
    }

    [Fact]
    public async Task A_cancelled_joiner_stops_waiting_and_the_load_goes_on()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var source = h.ThenBlock();
        var leader = h.GetAsync(1).AsTask();
        using var cancel = new CancellationTokenSource();
        var joiner = h.GetAsync(1, cancel.Token).AsTask();

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => joiner.WaitAsync(CachedMethodHarness.Wait));
        Assert.False(leader.IsCompleted);

        source.SetResult("value");
        Assert.Equal("value", await leader.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal(1, h.Calls);
        Assert.Equal("value", h.Local(1));
    }

    [Fact]
    public async Task When_the_leading_caller_is_cancelled_a_joiner_loads_again()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var first = h.ThenBlock();
        using var cancel = new CancellationTokenSource();
        var leader = h.GetAsync(1, cancel.Token).AsTask();
        var joiner = h.GetAsync(1).AsTask();

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leader.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal("1:v2", await joiner.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal(2, h.Calls);

        // The first load was not cancelled with its caller: it still completes (nobody waits for it).
        first.SetResult("late");
    }

    [Fact]
    public async Task A_failed_load_reaches_every_caller_and_is_not_cached()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var source = h.ThenBlock();
        var first = h.GetAsync(1).AsTask();
        var second = h.GetAsync(1).AsTask();

        source.SetException(new InvalidOperationException("down"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(CachedMethodHarness.Wait));
        await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal(1, h.Calls);
        Assert.Equal("1:v2", await h.GetValueAsync(1));
    }
}
