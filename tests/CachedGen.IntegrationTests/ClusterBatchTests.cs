using System;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Batch reads over a Redis Cluster (3 masters): the elements' keys fall in many slots, so the read, the
/// leases and the fill are grouped by slot and run in parallel, on two nodes.</summary>
[Collection(nameof(OutageCollection))]
public sealed class ClusterBatchTests
{
    [Fact]
    public async Task Batch_reads_group_keys_by_slot_and_share_entries_with_single_reads_on_two_nodes()
    {
        await using var cluster = await RedisClusterSet.StartAsync(masters: 3, replicasPerMaster: 0);
        var source = new ProductSource();
        var prefix = "cluster-batch:";
        await using var muxA = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString + TopologyNode.FastFailure);
        await using var muxB = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString + TopologyNode.FastFailure);
        await using var runtimeA = new CacheRuntime(Options(prefix), muxA);
        await using var runtimeB = new CacheRuntime(Options(prefix), muxB);
        await runtimeA.Backplane!.Subscribed;
        await runtimeB.Backplane!.Subscribed;
        IProductCatalog a = new CachedProductCatalog(source, runtimeA);
        IProductCatalog b = new CachedProductCatalog(source, runtimeB);
        await a.GetAsync(999);
        await b.GetAsync(999);

        var ids = Enumerable.Range(1, 100).ToArray();
        var keys = ids.Select(id => runtimeA.GetMethod(CachedProductCatalog.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(id))).ToArray();
        Assert.True(keys.Select(RedisClusterSet.HashSlot).Distinct().Count() > 90);

        // A loads 90 of them with one source call: leases and fills per slot, in parallel.
        Assert.Equal(90, (await a.GetManyAsync(ids.Take(90).ToArray())).Count);
        Assert.Equal(2, source.Calls);

        // B: 90 from Redis and 10 leased by one read script per slot, the 10 in one source call, filled per slot.
        await BackgroundFills.LandedAsync(runtimeA, runtimeB); // no fill of the single reads above is counted below
        var before = await BatchTests.CommandStatsAsync(cluster.Nodes);
        var all = await b.GetManyAsync(ids);
        var after = await BatchTests.CommandStatsAsync(cluster.Nodes);
        Assert.Equal(100, all.Count);
        Assert.Equal("product-100", all[100].Name);
        Assert.Equal(Enumerable.Range(91, 10), source.Batches.Last());
        Assert.Equal(3, source.Calls);
        var slots = keys.Select(RedisClusterSet.HashSlot).Distinct().Count();
        var missingSlots = keys.Skip(90).Select(RedisClusterSet.HashSlot).Distinct().Count();
        Assert.Equal(0, BatchTests.Count(after, "mget") - BatchTests.Count(before, "mget"));
        Assert.Equal(slots + missingSlots, BatchTests.Count(after, "evalsha") + BatchTests.Count(after, "eval") - BatchTests.Count(before, "evalsha") - BatchTests.Count(before, "eval"));

        // The single-item method on A reads what B's batch wrote.
        Assert.Equal("product-95", (await a.GetAsync(95))!.Name);
        Assert.Equal(3, source.Calls);

        // Invalidation through the single-item method's write reaches B's batch reads.
        await a.UpdateAsync(50, "renamed");
        var seen = await Eventually.ReadAsync(() => b.GetManyAsync(ids), r => r[50].Name == "renamed", Eventually.Generous);
        Assert.Equal(100, seen.Count);
        Assert.Equal([50], source.Batches.Last());
    }

    private static CachedGenOptions Options(string prefix)
        => new() { KeyPrefix = prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2), LeaseWaitTimeout = TimeSpan.FromSeconds(5), LeaseDuration = TimeSpan.FromSeconds(10) };
}
