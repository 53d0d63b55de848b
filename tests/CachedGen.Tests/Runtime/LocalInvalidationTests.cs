using System;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>Invalidation of L1 without Redis: a key (its bucket's generation), a tag, a method, everything, and a new
/// key generation; a load that started before an invalidation answers its caller but is not cached.</summary>
public class LocalInvalidationTests
{
    private static readonly ValueTuple<int> One = new(1);

    [Fact]
    public async Task Invalidating_a_key_drops_its_entry()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        await h.GetValueAsync(1);
        await h.Method.InvalidateAsync(One);

        Assert.Null(h.Local(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));
    }

    [Fact]
    public async Task Descriptors_with_one_method_id_share_their_entries_and_an_invalidation_through_either()
    {
        // The generic decorator of IRepository<Order> and the decorator of IOrderRepository : IRepository<Order> each
        // have a descriptor of the same method: one L1 serves both, so a write through one leaves no stale copy.
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var twin = new CacheMethodDescriptor<ValueTuple<int>, string>(h.Descriptor.MethodId, static (in ValueTuple<int> k, ref CacheKeyBuilder b) => b.AppendValue(k.Item1))
        {
            Ttl = h.Descriptor.Ttl,
            KeySuffix = h.Descriptor.KeySuffix,
            ShapeFingerprint = h.Descriptor.ShapeFingerprint,
        };
        var other = h.Runtime.GetMethod(twin);
        Assert.Same(h.Method, other);

        await h.GetValueAsync(1);
        await other.InvalidateAsync(One);
        Assert.Null(h.Local(1));

        var unrelated = h.Runtime.GetMethod(new CacheMethodDescriptor<ValueTuple<int>, string>("Tests.IRepo.Other", static (in ValueTuple<int> k, ref CacheKeyBuilder b) => b.AppendValue(k.Item1))
        {
            Ttl = h.Descriptor.Ttl,
            KeySuffix = h.Descriptor.KeySuffix,
            ShapeFingerprint = h.Descriptor.ShapeFingerprint,
        });
        Assert.NotSame(h.Method, unrelated);
    }

    [Fact]
    public async Task A_load_in_flight_during_an_invalidation_answers_its_caller_but_is_not_cached()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var source = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(1);

        await h.Method.InvalidateAsync(One);
        source.SetResult("read before the write");
        Assert.Equal("read before the write", await call.WaitAsync(CachedMethodHarness.Wait));
        Assert.Null(h.Local(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));
    }

    [Fact]
    public async Task A_caller_after_an_invalidation_does_not_join_the_load_that_started_before_it()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        var before = h.ThenBlock();
        var first = h.GetAsync(1).AsTask();
        await h.CalledAsync(1);
        await h.Method.InvalidateAsync(One);

        Assert.Equal("1:v2", await h.GetValueAsync(1));
        before.SetResult("old");
        Assert.Equal("old", await first.WaitAsync(CachedMethodHarness.Wait));
        Assert.Equal("1:v2", h.Local(1));
    }

    [Fact]
    public async Task A_put_replaces_the_entry()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        await h.GetValueAsync(1);
        await h.Method.PutAsync(One, "written");
        Assert.Equal("written", h.Local(1));
        Assert.Equal(1, h.Calls);
    }

    /// <summary>Without Redis, a write-through whose write was overtaken by an invalidation of the entry (the ticket taken
    /// before the write, the invalidation during it) removes the entry instead of keeping a result older than that change;
    /// one not overtaken puts it.</summary>
    [Fact]
    public async Task A_put_overtaken_by_an_invalidation_while_its_write_ran_removes_the_entry()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        await h.GetValueAsync(1);
        var ticket = await h.Method.BeginPutAsync(One);
        await h.Method.InvalidateAsync(One);               // another write, after this one reached the source
        await h.Method.PutAsync(ticket, "overtaken");
        Assert.Null(h.Local(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));

        var quiet = await h.Method.BeginPutAsync(One);
        await h.Method.PutAsync(quiet, "written");
        Assert.Equal("written", h.Local(1));
    }

    [Fact]
    public async Task A_tag_invalidation_drops_the_entries_that_carry_the_tag()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), tags: ["items"]);
        await h.GetValueAsync(1);
        await h.GetValueAsync(2);
        Assert.NotNull(h.Local(1));

        Assert.True(await h.Runtime.InvalidateTagAsync("items"));
        Assert.Null(h.Local(1));
        Assert.Null(h.Local(2));
        Assert.Equal("1:v3", await h.GetValueAsync(1));
        Assert.Equal("1:v3", h.Local(1));
    }

    [Fact]
    public async Task Another_tag_leaves_the_entries_alone()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10), tags: ["items"]);
        await h.Runtime.InvalidateTagAsync("items"); // a tag this node knows a generation of
        await h.GetValueAsync(1);
        await h.Runtime.InvalidateTagAsync("orders");
        Assert.Equal("1:v1", h.Local(1));
    }

    [Fact]
    public async Task Invalidating_the_method_or_everything_drops_every_entry()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        await h.GetValueAsync(1);
        await h.Runtime.InvalidateMethodAsync(h.Descriptor);
        Assert.Null(h.Local(1));

        await h.GetValueAsync(1);
        await h.Runtime.InvalidateAllAsync();
        Assert.Null(h.Local(1));
    }

    [Fact]
    public async Task A_new_key_generation_drops_every_entry()
    {
        using var h = new CachedMethodHarness(ttl: TimeSpan.FromSeconds(10));
        await h.GetValueAsync(1);
        h.Runtime.Reload(new CachedGenOptions { TimeProvider = h.Time, EarlyRefresh = 0, Generation = "g2" });
        Assert.Null(h.Local(1));
        Assert.Equal("1:v2", await h.GetValueAsync(1));
    }
}
