using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

public class BucketGenerationsTests
{
    [Theory]
    [InlineData(0, 64)]
    [InlineData(100, 128)]
    [InlineData(1_000_000, 65_536)]
    public void The_bucket_count_is_the_capacity_rounded_to_a_power_of_two_within_bounds(int capacity, int buckets)
        => Assert.Equal(buckets, new BucketGenerations(capacity).Count);

    [Fact]
    public void A_bump_moves_one_bucket_and_bump_all_moves_every_one()
    {
        var generations = new BucketGenerations(64);
        var bucket = generations.Of("prefix:{item:1}#v1");
        var other = (bucket + 1) % generations.Count;
        Assert.Equal(bucket, generations.Of("prefix:{item:1}#v1")); // a rendered key always lands in the same bucket
        var at = generations.Read(bucket);

        generations.Bump(bucket);
        Assert.False(generations.IsAt(bucket, at));
        Assert.True(generations.IsAt(other, generations.Read(other)));

        var otherAt = generations.Read(other);
        generations.BumpAll();
        Assert.False(generations.IsAt(other, otherAt));
    }
}
