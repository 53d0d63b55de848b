using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The tag snapshot of a load made while Redis cannot be asked: built from what the node knows, it keeps an L1
/// entry current until a generation the node learns says otherwise.</summary>
public class OfflineTagSnapshotTests
{
    [Fact]
    public void A_tag_never_read_counts_as_generation_0_until_a_generation_is_learned()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions());
        var tags = runtime.Tags;
        var snapshot = tags.OfflineSnapshot(["tenant:1"]);
        Assert.True(tags.IsCurrent(snapshot));

        tags.Learn("tenant:2", 7); // another tag moves: this one is still unknown, so the entry is no longer trusted
        Assert.False(tags.IsCurrent(snapshot));

        var again = tags.OfflineSnapshot(["tenant:1"]);
        tags.Learn("tenant:1", 0); // Redis says the tag never moved: the entry loaded under 0 stays current
        Assert.True(tags.IsCurrent(again));
    }

    [Fact]
    public void A_known_tag_keeps_its_generation_and_drops_the_entry_when_it_moves()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions());
        var tags = runtime.Tags;
        tags.Learn("tenant:1", 3);
        var snapshot = tags.OfflineSnapshot(["tenant:1"]);
        Assert.Equal([3L], snapshot.Generations);

        tags.Learn("tenant:2", 1);
        Assert.True(tags.IsCurrent(snapshot)); // another tag moved, this one did not

        tags.Learn("tenant:1", 4);
        Assert.False(tags.IsCurrent(snapshot));
    }
}
