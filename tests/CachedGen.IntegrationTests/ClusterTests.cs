using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.IntegrationTests;

/// <summary>The decorator over a Redis Cluster (3 masters, 3 replicas): keys spread over the slots of every master,
/// L2 hits across nodes, invalidation, and a master killed under load.</summary>
[Collection(nameof(OutageCollection))]
public sealed class ClusterTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Cluster_keys_across_slots_L2_hits_invalidation_and_a_master_killed_under_load()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await RedisClusterSet.StartAsync();
        var started = total.Elapsed;
        var source = new WidgetSource();
        await using var a = await TopologyNode.ConnectAsync(cluster.ConnectionString, source, "cluster:");
        await using var b = await TopologyNode.ConnectAsync(cluster.ConnectionString, source, "cluster:");
        await using var check = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString + TopologyNode.FastFailure);
        using var counters = new CacheCounters(a.Runtime, b.Runtime);

        // Keys over many slots, on every master: loaded once by A, L2 hits on B.
        var owners = await cluster.SlotOwnersAsync();
        var ids = Enumerable.Range(0, 300).ToArray();
        var slots = ids.Select(id => RedisClusterSet.HashSlot(a.Key(id))).ToArray();
        Assert.True(slots.Distinct().Count() > 250, $"the keys fall in only {slots.Distinct().Count()} slots");
        Assert.Equal(3, slots.Select(s => owners[s]).Distinct().Count());
        foreach (var id in ids)
        {
            TopologyNode.AssertWidget(id, "widget-" + id, await a.Repository.GetAsync(id));
        }

        foreach (var id in ids)
        {
            TopologyNode.AssertWidget(id, "widget-" + id, await b.Repository.GetAsync(id));
        }

        // (A few misses are tolerated: one Redis round trip over its 100 ms budget on a busy 2-core machine is one miss;
        // a cluster problem such as a CROSSSLOT script fails them all.)
        Assert.InRange(b.GetCache.RedisHits, ids.Length - 5, ids.Length);
        Assert.InRange(source.SourceCalls, ids.Length, ids.Length + 5);
        await BackgroundFills.LandedAsync(a.Runtime, b.Runtime); // misses are answered before their fills land
        Assert.True(await check.GetDatabase().KeyExistsAsync(a.Key(0)));

        // The other kinds of cached methods: one source call for both nodes, except the sensitive one (never in Redis).
        var calls = source.SourceCalls;
        Assert.Equal(50_000, (await a.Repository.GetBigAsync(7, 50_000)).Length); // compressed payload
        Assert.Equal(50_000, (await b.Repository.GetBigAsync(7, 50_000)).Length);
        Assert.Equal("Account of ann@example.com", (await a.Repository.GetAccountAsync("ann@example.com"))!.DisplayName); // hashed key
        Assert.Equal("Account of ann@example.com", (await b.Repository.GetAccountAsync("ann@example.com"))!.DisplayName);
        Assert.Equal("widget-9", a.Repository.GetName(9)); // synchronous
        Assert.Equal("widget-9", b.Repository.GetName(9));
        Assert.Equal(calls + 3, source.SourceCalls);
        Assert.Equal("secret-3", (await a.Repository.GetSecretAsync(3))!.DisplayName);
        Assert.Equal("secret-3", (await b.Repository.GetSecretAsync(3))!.DisplayName);
        Assert.Equal(calls + 4, source.SourceCalls); // sensitive: encrypted in Redis, so B decrypts A's entry

        // Invalidation across slots: A's writes delete the Redis entries, wherever they live; B (its L1 cleared, in
        // case no backplane told it) and A read the new names.
        var renamed = ids.Take(30).ToArray();
        foreach (var id in renamed)
        {
            await a.Repository.RenameAsync(id, "renamed-" + id);
            Assert.True(
                await EventuallyAsync(async () => !await check.GetDatabase().KeyExistsAsync(a.Key(id)), TimeSpan.FromSeconds(2)),
                $"GetAsync({id}) still in Redis after RenameAsync");
        }

        b.GetCache.ClearLocal();
        var hitsBefore = a.GetCache.RedisHits;
        foreach (var id in renamed)
        {
            TopologyNode.AssertWidget(id, "renamed-" + id, await b.Repository.GetAsync(id));
            TopologyNode.AssertWidget(id, "renamed-" + id, await a.Repository.GetAsync(id));
        }

        Assert.InRange(a.GetCache.RedisHits - hitsBefore, renamed.Length - 2, renamed.Length); // B loaded them again, A got them from Redis

        // Tags: each tag's generation lives in its own slot, the tagged entries in theirs; one invalidation reaches them all.
        var tagged = Enumerable.Range(500, 21).ToArray();
        foreach (var id in tagged)
        {
            TopologyNode.AssertWidget(id, "widget-" + id, await a.Repository.GetOwnedSlowAsync("owner-" + (id % 3), id));
        }

        var beforeTouch = source.SourceCalls;
        foreach (var id in tagged)
        {
            TopologyNode.AssertWidget(id, "widget-" + id, await b.Repository.GetOwnedSlowAsync("owner-" + (id % 3), id));
        }

        Assert.InRange(source.SourceCalls - beforeTouch, 0, 2); // L2 hits on B
        beforeTouch = source.SourceCalls;
        await a.Repository.TouchOwnerAsync("owner-0");
        Assert.True(
            await EventuallyAsync(
                async () =>
                {
                    var calls = source.SourceCalls;
                    await b.Repository.GetOwnedSlowAsync("owner-0", 501);
                    return source.SourceCalls > calls;
                },
                TimeSpan.FromSeconds(2)),
            "B kept serving owner-0's widgets after the tag invalidation");
        foreach (var id in tagged)
        {
            await b.Repository.GetOwnedSlowAsync("owner-" + (id % 3), id);
        }

        Assert.InRange(source.SourceCalls - beforeTouch, 7, 9); // owner-0's 7 widgets loaded again, the others served from L1
        var preparation = total.Elapsed - started;

        // Every script went straight to its keys' master: EVALSHA and EVAL carry the keys, so the client routes them by
        // slot. No script call was redirected (MOVED or ASK count as rejected calls), and no SCRIPT LOAD was sent. (The
        // client's own tie-breaker GET at connect is redirected on the nodes that do not own its slot.)
        await BackgroundFills.LandedAsync(a.Runtime, b.Runtime); // every script sent so far has run
        long evalsha = 0, rejected = 0, loads = 0;
        foreach (var node in cluster.Nodes)
        {
            foreach (var line in (await node.ExecuteAsync("INFO", "commandstats")).Split('\n'))
            {
                if (line.Trim().Split(':') is not [var name, var fields] || !name.StartsWith("cmdstat_", StringComparison.Ordinal))
                {
                    continue;
                }

                var stats = fields.Split(',').Select(f => f.Split('=')).Where(f => f[0] is "calls" or "rejected_calls").ToDictionary(f => f[0], f => long.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture));
                evalsha += name == "cmdstat_evalsha" ? stats["calls"] : 0;
                rejected += name is "cmdstat_evalsha" or "cmdstat_eval" ? stats["rejected_calls"] : 0;
                loads += name == "cmdstat_script|load" ? stats["calls"] + stats["rejected_calls"] : 0;
            }
        }

        output.WriteLine($"before the kill: EVALSHA {evalsha} on the masters, script calls redirected or refused {rejected}, SCRIPT LOAD {loads}");
        Assert.True(evalsha >= ids.Length, $"only {evalsha} EVALSHA");
        Assert.Equal(0, rejected);
        Assert.Equal(0, loads);

        // A master killed under load. The probes that time the return of L2 hits use keys in the dead master's slots
        // (the masters of the other slots stay up).
        var victim = owners[RedisClusterSet.HashSlot(a.ValueKey(2_000_000))]!;
        bool OnVictim(int id) => owners[RedisClusterSet.HashSlot(a.ValueKey(id))] == victim;
        await TopologyNode.AssertL2WorksAsync(a, b, 1_900_000);
        var load = FailoverLoad.Start(a, b, loops: 4);
        await load.CallsAsync(200, "the load loops did not start");

        var killed = Stopwatch.StartNew();
        var killOrigin = counters.Clock.Elapsed;
        load.MarkKill();
        await victim.KillAsync();

        // Meanwhile, L2 on the slots of the masters that stay up (the outage is partial), with another method's keys.
        using var outageOver = new System.Threading.CancellationTokenSource();
        var healthy = Task.Run(async () =>
        {
            var (probes, l2Hits) = (0, 0);
            for (var id = 3_000_000; !outageOver.IsCancellationRequested; id++)
            {
                if (owners[RedisClusterSet.HashSlot(a.ShortLivedKey(id))] != victim)
                {
                    probes++;
                    l2Hits += await TopologyNode.ProbeL2Async(a, b, id, shortLived: true) ? 1 : 0;
                    await Task.Delay(50); // the probing step on the live masters' slots, sampled until the outage is over
                }
            }

            return (probes, l2Hits);
        });
        var failover = Task.Run(async () =>
        {
            await cluster.WaitForStateOkAsync(TimeSpan.FromSeconds(20));
            return killed.Elapsed;
        });
        var resumed = await TopologyNode.WaitForL2Async(a, b, killed, TimeSpan.FromSeconds(20), OnVictim, 2_000_001);
        await outageOver.CancelAsync();
        var (healthyProbes, healthyHits) = await healthy;
        var failoverTime = await failover;
        var promoted = await cluster.MasterOfSlotAsync(RedisClusterSet.HashSlot(a.ValueKey(2_000_000)));
        await load.CallsAsync(200, "the load did not go on after the failover");
        var result = await load.StopAsync();

        output.WriteLine($"cluster started in {started.TotalSeconds:F1} s; {ids.Length} keys over {slots.Distinct().Count()} slots, L2 hits and invalidation checked in {preparation.TotalSeconds:F1} s");
        output.WriteLine($"killed master {victim.Endpoint}; cluster ok again, its slots on {promoted.Endpoint}, {failoverTime.TotalSeconds:F2} s after the kill");
        output.WriteLine($"first L2 hit on the dead master's slots {resumed.Describe()}");
        output.WriteLine($"until then, L2 hits on the live masters' slots: {healthyHits} of {healthyProbes} probes");
        output.WriteLine(result.Describe());
        output.WriteLine("counters: " + counters.Describe());
        output.WriteLine("events by half second after the kill: " + counters.Timeline(killOrigin));

        result.AssertClean();
        Assert.True(resumed.Resumed, $"no L2 hit on the dead master's slots within 20 s of the kill ({resumed.Probes} probes)");
        Assert.NotSame(victim, promoted);
        Assert.True(await check.GetDatabase().KeyExistsAsync(a.ValueKey(resumed.Id))); // the probe's value, on the promoted master

        // After the failover: a write on the promoted master's slots invalidates there too.
        var movedId = Enumerable.Range(0, 300).First(id => owners[RedisClusterSet.HashSlot(a.Key(id))] == victim && !renamed.Contains(id));
        TopologyNode.AssertWidget(movedId, "widget-" + movedId, await b.Repository.GetAsync(movedId));
        // (A's circuit closed again when L2 came back; a load spike from a neighbour on this 2-core machine can open it
        // once more, and an invalidation while it is open is skipped, as documented: so wait for it to be closed.)
        Assert.True(
            await EventuallyAsync(() => Task.FromResult(a.Runtime.RedisCircuitState == RedisCircuitState.Closed), TimeSpan.FromSeconds(10)),
            $"A's circuit is {a.Runtime.RedisCircuitState} well after the failover");
        var circuitAtRename = a.Runtime.RedisCircuitState;
        await a.Repository.RenameAsync(movedId, "moved-" + movedId);
        var gone = await EventuallyAsync(async () => !await check.GetDatabase().KeyExistsAsync(a.Key(movedId)), TimeSpan.FromSeconds(10));
        Assert.True(gone, $"GetAsync({movedId}) still in Redis after RenameAsync on the promoted master (A's circuit was {circuitAtRename})");
        b.GetCache.ClearLocal();
        TopologyNode.AssertWidget(movedId, "moved-" + movedId, await b.Repository.GetAsync(movedId));
        output.WriteLine($"total {total.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (RedisException)
            {
                // The checking connection may still be catching up with the failover.
            }

            if (watch.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(50); // the polling step of this wait on a condition
        }
    }
}
