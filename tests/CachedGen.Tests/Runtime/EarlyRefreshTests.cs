using System;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>Early refresh: past its refresh moment a hit still answers from L1 and one caller starts a background load.</summary>
public class EarlyRefreshTests
{
    [Fact]
    public async Task A_hit_past_the_refresh_moment_answers_at_once_and_one_refresh_replaces_the_entry()
    {
        // EarlyRefresh 0.5: the refresh moment lies between 50% and 75% of the 10 s lifetime.
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5);
        Assert.Equal("1:v1", await h.GetValueAsync(1));

        h.Time.Advance(TimeSpan.FromMilliseconds(4_999));
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal(1, h.Calls);

        h.Time.Advance(TimeSpan.FromMilliseconds(2_600)); // 7.6 s: past any refresh moment, before the expiry
        var refresh = h.ThenBlock();
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        await h.CalledAsync(2);

        // While the refresh runs, hits are served from the entry and start nothing more.
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal("1:v1", h.Local(1));
        Assert.Equal(2, h.Calls);

        refresh.SetResult("refreshed");
        await Eventually.TrueAsync(() => h.Local(1) == "refreshed", "the refreshed value in L1");
        Assert.Equal(2, h.Calls);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_entry_until_its_expiry()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5);
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromMilliseconds(7_600));
        var refresh = h.ThenBlock();
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        await h.CalledAsync(2);

        refresh.SetException(new InvalidOperationException("down"));
        Assert.Equal("1:v1", await h.GetValueAsync(1));

        h.Time.Advance(TimeSpan.FromMilliseconds(2_400)); // the expiry
        Assert.Null(h.Local(1));
    }
}
