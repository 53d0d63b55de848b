using System;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>An invalidation that comes over the backplane names a rendered key: it drops that entry, and its loads in
/// flight, and spares the other keys of its bucket (BucketGenerations' fingerprints).</summary>
public class RemoteInvalidationTests
{
    private const int Capacity = 64; // 64 buckets: 40 keys put several pairs in one bucket

    private static (int Named, int Neighbour) TwoKeysOfOneBucket(CachedMethodHarness h)
    {
        var buckets = new BucketGenerations(Capacity);
        var byBucket = Enumerable.Range(1, 40).GroupBy(id => buckets.Of(h.Method.RenderKey(new ValueTuple<int>(id))) & 0xFFFF).First(g => g.Count() >= 2).ToArray();
        return (byBucket[0], byBucket[1]);
    }

    private static CachedMethodHarness Node()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return new CachedMethodHarness(TimeSpan.FromMinutes(10), configure: o => o.DefaultMaxLocalEntries = Capacity, l2: new InProcessEntries(time), time: time);
    }

    [Fact]
    public async Task A_remote_invalidation_drops_exactly_the_named_entry()
    {
        using var h = Node();
        for (var id = 1; id <= 40; id++)
        {
            await h.GetValueAsync(id);
        }

        var (named, neighbour) = TwoKeysOfOneBucket(h);
        ((ICachedMethodStatistics)h.Method).InvalidateLocal(h.Method.RenderKey(new ValueTuple<int>(named)));

        Assert.Null(h.Local(named));
        Assert.NotNull(h.Local(neighbour));
        Assert.Equal(39, Enumerable.Range(1, 40).Count(id => h.Local(id) is not null));
    }

    [Fact]
    public async Task A_load_in_flight_is_not_cached_when_its_key_is_invalidated_and_is_when_a_neighbour_is()
    {
        using var h = Node();
        var (named, neighbour) = TwoKeysOfOneBucket(h);
        var namedSource = h.ThenBlock();
        var namedCall = h.GetAsync(named).AsTask();
        await h.CalledAsync(1);
        var neighbourSource = h.ThenBlock();
        var neighbourCall = h.GetAsync(neighbour).AsTask();
        await h.CalledAsync(2);

        ((ICachedMethodStatistics)h.Method).InvalidateLocal(h.Method.RenderKey(new ValueTuple<int>(named)));
        namedSource.SetResult("named:old");
        neighbourSource.SetResult("neighbour:v1");

        Assert.Equal("named:old", await namedCall.WaitAsync(CachedMethodHarness.Wait)); // answers its caller
        Assert.Equal("neighbour:v1", await neighbourCall.WaitAsync(CachedMethodHarness.Wait));
        Assert.Null(h.Local(named));
        Assert.Equal("neighbour:v1", h.Local(neighbour));
    }
}
