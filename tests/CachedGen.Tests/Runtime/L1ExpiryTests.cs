using System;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The L1 lifetime on the runtime's clock: the TTL, and <c>LocalTtl</c> bounded by it.</summary>
public class L1ExpiryTests
{
    [Fact]
    public async Task An_entry_is_served_until_its_lifetime_and_reloaded_at_it()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        Assert.Equal("1:v1", await h.GetValueAsync(1));

        h.Time.Advance(TimeSpan.FromMilliseconds(9_999));
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal(1, h.Calls);

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(h.Local(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));
        Assert.Equal(2, h.Calls);
    }

    [Fact]
    public async Task A_LocalTtl_shorter_than_the_ttl_bounds_the_L1_lifetime()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), localTtl: TimeSpan.FromSeconds(2));
        await h.GetValueAsync(1);

        h.Time.Advance(TimeSpan.FromMilliseconds(1_999));
        Assert.Equal("1:v1", h.Local(1));

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(h.Local(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));
    }

    [Fact]
    public async Task A_LocalTtl_longer_than_the_ttl_is_cut_to_the_ttl()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(2), localTtl: TimeSpan.FromSeconds(10));
        await h.GetValueAsync(1);

        h.Time.Advance(TimeSpan.FromMilliseconds(1_999));
        Assert.Equal("1:v1", h.Local(1));

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(h.Local(1));
    }

    [Fact]
    public async Task A_LocalTtl_of_zero_keeps_nothing_in_L1()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), localTtl: TimeSpan.Zero);
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));
        Assert.Equal(0, h.Method.LocalCount);
        Assert.False(h.Runtime.Clock.IsTicking);
    }

    [Fact]
    public async Task A_reloaded_ttl_applies_to_the_next_load()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var options = new CachedGenOptions { TimeProvider = h.Time, EarlyRefresh = 0 };
        options.Methods["Tests.IRepo.Get"] = new CachedMethodOptions { Ttl = TimeSpan.FromSeconds(3) };
        h.Runtime.Reload(options);

        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromMilliseconds(2_999));
        Assert.Equal("1:v1", h.Local(1));
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(h.Local(1));
    }
}
