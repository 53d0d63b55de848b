using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
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

    [Fact]
    public async Task A_node_whose_refresh_lease_comes_after_another_node_filled_takes_that_value_instead_of_refreshing()
    {
        // Node B reads Redis (still the old value), then node A fills its own refresh and releases its lease, then B takes
        // the lease: B reads once more, finds A's value, and does not call the source.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var l2 = new InProcessEntries(time);
        using var a = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5, l2: l2, time: time);
        using var b = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), configure: o => o.EarlyRefresh = 0.5, l2: l2, time: time);
        Assert.Equal("1:v1", await a.GetValueAsync(1));
        Assert.Equal("1:v1", await b.GetValueAsync(1)); // from L2
        Assert.Equal(0, b.Calls);

        time.Advance(TimeSpan.FromMilliseconds(7_600)); // past any refresh moment, before the expiry
        l2.BeforeLease = async () =>
        {
            l2.BeforeLease = null;
            await a.Method.PutAsync(new ValueTuple<int>(1), "from-A"); // A's refresh lands in L2, its lease released
        };
        Assert.Equal("1:v1", await b.GetValueAsync(1)); // answered from the entry; starts B's refresh

        await Eventually.TrueAsync(() => b.Local(1) == "from-A", "B took A's value");
        Assert.Equal(0, b.Calls);
    }
}
