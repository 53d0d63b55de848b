using System.Linq;
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
    public void A_bump_moves_one_key_and_bump_all_moves_every_one()
    {
        var generations = new BucketGenerations(64);
        var slot = generations.Of("prefix:{item:1}#v1");
        Assert.Equal(slot, generations.Of("prefix:{item:1}#v1")); // a rendered key always lands in the same slot
        var other = generations.Of("prefix:{item:2}#v1");
        var at = generations.Read(slot);
        var otherAt = generations.Read(other);

        generations.Bump(slot);
        Assert.False(generations.IsAt(slot, at));
        Assert.True(generations.IsAt(other, otherAt));

        generations.BumpAll();
        Assert.False(generations.IsAt(other, otherAt));
    }

    [Fact]
    public void An_invalidation_of_a_key_spares_the_other_keys_of_its_bucket_once()
    {
        var generations = new BucketGenerations(64);
        var keys = Enumerable.Range(0, 10_000).Select(i => $"prefix:{{item:{i}}}#v1").ToArray();
        var named = keys[0];
        var slot = generations.Of(named);
        var neighbours = keys.Skip(1).Where(k => (generations.Of(k) & 0xFFFF) == (slot & 0xFFFF) && generations.Of(k) != slot).Take(2).ToArray();
        Assert.Equal(2, neighbours.Length);
        var neighbour = generations.Of(neighbours[0]);
        var at = generations.Read(slot);

        generations.Bump(slot); // the named key's entry goes, a load of it in flight is not cached
        Assert.False(generations.IsAt(slot, at));
        Assert.True(generations.IsAt(neighbour, at)); // its neighbour's entry and loads stay

        generations.Bump(generations.Of(neighbours[1])); // a second invalidation in the bucket: older entries all go
        Assert.False(generations.IsAt(neighbour, at));
        Assert.True(generations.IsAt(neighbour, generations.Read(neighbour)));
    }

    [Fact]
    public void Repeated_invalidations_of_one_key_spare_its_neighbours_until_another_key_moves_the_bucket()
    {
        var generations = new BucketGenerations(64);
        var keys = Enumerable.Range(0, 10_000).Select(i => $"prefix:{{item:{i}}}#v1").ToArray();
        var slot = generations.Of(keys[0]);
        var neighbours = keys.Skip(1).Select(k => generations.Of(k)).Where(s => (s & 0xFFFF) == (slot & 0xFFFF) && (s >>> 16) != (slot >>> 16)).Take(2).ToArray();
        Assert.Equal(2, neighbours.Length);
        var at = generations.Read(slot);

        // A local write bumps twice (before and after Redis changes); a hot key is written again and again.
        for (var i = 0; i < 5; i++)
        {
            generations.Bump(slot);
            Assert.True(generations.IsAt(neighbours[0], at), $"after {i + 1} bumps of one other key");
        }

        Assert.False(generations.IsAt(slot, at));
        var afterRun = generations.Read(slot);
        Assert.False(generations.IsAt(slot, afterRun - 1)); // the key itself, under any earlier generation

        // Another key, then the first again: the neighbour's entry from before both is no longer served.
        generations.Bump(neighbours[1]);
        Assert.False(generations.IsAt(neighbours[0], at));
        generations.Bump(slot);
        Assert.False(generations.IsAt(neighbours[0], at));
        Assert.False(generations.IsAt(neighbours[1], afterRun)); // from before its own invalidation
        Assert.True(generations.IsAt(neighbours[1], afterRun + 1)); // loaded after it: only the first key moved the bucket since
        Assert.True(generations.IsAt(neighbours[0], afterRun + 1));
    }

    [Fact]
    public void A_key_invalidated_twice_is_not_current_under_either_earlier_generation()
    {
        var generations = new BucketGenerations(64);
        var slot = generations.Of("prefix:{item:1}#v1");
        var at = generations.Read(slot);
        generations.Bump(slot);
        var between = generations.Read(slot);
        generations.Bump(slot);

        Assert.False(generations.IsAt(slot, at));
        Assert.False(generations.IsAt(slot, between));
    }

    [Fact]
    public void Bump_all_spares_nobody_even_one_generation_behind()
    {
        var generations = new BucketGenerations(64);
        var slot = generations.Of(12345);
        var at = generations.Read(slot);
        generations.BumpAll();
        Assert.False(generations.IsAt(slot, at));
    }

    [Fact]
    public void A_key_is_known_in_Redis_from_its_mark_until_its_bucket_moves_for_it()
    {
        Assert.Null(new BucketGenerations(10_000).InRedis); // tracked only where asked (untagged methods with Redis)
        var generations = new BucketGenerations(10_000, trackRedis: true);
        var slot = generations.Of("prefix:{item:1}#v1");
        var other = generations.Of("prefix:{item:2}#v1");
        Assert.False(generations.InRedis!.Contains(slot));

        generations.InRedis.Add(slot);
        generations.InRedis.Add(other);
        Assert.True(generations.InRedis.Contains(slot));
        Assert.True(generations.InRedis.Contains(generations.Of("prefix:{item:1}#v1.r1.2"))); // the key's logical part, whatever its generations

        generations.Bump(slot); // an invalidation of the key
        Assert.False(generations.InRedis.Contains(slot));
        Assert.True(generations.InRedis.Contains(other));

        generations.InRedis.Remove(other); // a GET found nothing after all
        Assert.False(generations.InRedis.Contains(other));

        generations.InRedis.Add(slot);
        generations.InRedis.Add(other);
        generations.BumpAll(); // every key, as after InvalidateAllAsync
        Assert.False(generations.InRedis.Contains(slot));
        Assert.False(generations.InRedis.Contains(other));
    }

    [Fact]
    public void Few_unknown_keys_look_known_and_the_bits_start_over_once_a_sixteenth_are_set()
    {
        // Marks of a full L1's worth of keys make few of the next keys look known: a wrong mark costs a round trip.
        var known = new KnownInRedis(10_000); // 524,288 bits
        for (var i = 0; i < 10_000; i++)
        {
            known.Add(Slot(i));
        }

        Assert.True(known.Contains(Slot(0)));
        var falselyKnown = Enumerable.Range(100_000, 10_000).Count(i => known.Contains(Slot(i)));
        Assert.InRange(falselyKnown, 0, 400); // about 2 % with 10,000 of 524,288 bits set

        // Once a sixteenth of the bits are set (32,768), they all start over: no key is known.
        for (var i = 10_000; i < 40_000; i++)
        {
            known.Add(Slot(i));
        }

        Assert.InRange(Enumerable.Range(0, 40_000).Count(i => known.Contains(Slot(i))), 1, 10_000);
        Assert.False(known.Contains(Slot(0)));
    }

    [Fact]
    public void A_key_invalidated_and_read_again_over_and_over_does_not_make_the_bits_start_over()
    {
        var known = new KnownInRedis(64); // 2,048 bits: they would start over after 128 keys set
        known.Add(Slot(1));
        for (var i = 0; i < 1_000; i++)
        {
            known.Add(Slot(0)); // read or written
            known.Remove(Slot(0)); // invalidated
        }

        Assert.True(known.Contains(Slot(1)));
    }

    private static readonly BucketGenerations Slots = new(10_000);

    private static int Slot(int i) => Slots.Of($"prefix:{{item:{i}}}#v1");
}
