using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;
using Xunit.Abstractions;

namespace CachedGen.TestKit.Tests;

/// <summary>The Sentinel and Cluster sets as StackExchange.Redis sees them, failover included. Run one at a time: each
/// starts five or six processes, and failover timing on a 2-core machine suffers from a neighbour's burst.</summary>
[CollectionDefinition(nameof(TopologyCollection), DisableParallelization = true)]
public sealed class TopologyCollection;

[Collection(nameof(TopologyCollection))]
public sealed class TopologyTests(ITestOutputHelper output)
{
    /// <summary>Client options that notice a dead node within about a second.</summary>
    private const string FastFailure = ",connectTimeout=1000,syncTimeout=500,asyncTimeout=500,connectRetry=1";

    [Fact]
    public async Task Sentinel_set_connects_by_service_name_and_follows_a_failover()
    {
        var total = Stopwatch.StartNew();
        await using var set = await RedisSentinelSet.StartAsync();
        var started = total.Elapsed;
        Assert.Equal(3, set.SentinelEndpoints.Count);
        Assert.Single(set.Replicas);
        Assert.Equal(string.Join(',', set.SentinelEndpoints) + ",serviceName=cachedgen,abortConnect=false", set.ConnectionString);
        Assert.Equal("master", await RoleAsync(set.Master));
        Assert.Equal("slave", await RoleAsync(set.Replicas[0]));

        await using var mux = await ConnectionMultiplexer.ConnectAsync(set.ConnectionString + FastFailure);
        var db = mux.GetDatabase();
        // The client's short timeouts are for noticing the failover below; on a loaded machine the first command may
        // outlast them, so it is sent again (SET is idempotent) until the master answers.
        Assert.True(await Eventually.ReadAsync(
            async () =>
            {
                try
                {
                    return await db.StringSetAsync("before", "1");
                }
                catch (RedisTimeoutException)
                {
                    return false;
                }
            },
            written => written,
            Eventually.Generous));
        Assert.Equal("1", await set.Master.ExecuteAsync("GET", "before")); // the write reached the master
        Assert.Equal("1", await Eventually.ReadAsync(() => set.Replicas[0].ExecuteAsync("GET", "before"), value => value == "1", Eventually.Generous));

        var oldMaster = set.Master;
        var promoted = set.Replicas[0];
        var killed = Stopwatch.StartNew();
        Assert.Equal(oldMaster.Endpoint, await set.KillMasterAsync());

        // The client's view, measured from the kill alongside the sentinels': writes work again once the multiplexer
        // has followed +switch-master to the promoted replica.
        var attempts = 0;
        var writes = Task.Run(async () =>
        {
            while (true)
            {
                attempts++;
                try
                {
                    if (await db.StringSetAsync("after", "2") && await promoted.ExecuteAsync("GET", "after") == "2")
                    {
                        return killed.Elapsed;
                    }
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    // Still pointed at the dead master.
                }

                Assert.True(killed.Elapsed < TimeSpan.FromSeconds(25), $"writes did not resume within 25 s after the kill ({attempts} attempts)");
                await Task.Delay(50); // the polling step of this wait for writes to resume
            }
        });
        var newMaster = await set.WaitForFailoverAsync(TimeSpan.FromSeconds(20));
        var failover = killed.Elapsed;
        Assert.Equal(promoted.Endpoint, newMaster);
        Assert.Same(promoted, set.Master);
        Assert.Empty(set.Replicas);
        var resumed = await writes;

        // Replicated before the kill. Polled: for a while after the failover StackExchange.Redis can still pick the dead
        // master (it keeps its old role) for a command and let it time out in that endpoint's backlog; the read that
        // reaches the promoted node must return the value.
        var readFailures = 0;
        var before = await Eventually.ReadAsync(
            async () =>
            {
                try
                {
                    return (string?)await db.StringGetAsync("before");
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    readFailures++;
                    return null;
                }
            },
            value => value is not null,
            Eventually.Generous);
        Assert.Equal("1", before);
        Assert.Equal(promoted.Endpoint, mux.GetEndPoints().Select(e => mux.GetServer(e)).Single(s => s.IsConnected && !s.IsReplica).EndPoint.ToString());
        output.WriteLine($"started in {started.TotalSeconds:F1} s; sentinels promoted {newMaster} {failover.TotalSeconds:F2} s after the kill; " +
                         $"writes through StackExchange.Redis resumed after {resumed.TotalSeconds:F2} s ({attempts} attempts); " +
                         $"{readFailures} reads failed after that; total {total.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Cluster_set_serves_keys_across_slots_and_survives_a_master_failure()
    {
        var total = Stopwatch.StartNew();
        await using var set = await RedisClusterSet.StartAsync();
        var started = total.Elapsed;
        Assert.Equal(6, set.Endpoints.Count);
        Assert.Equal(12, set.Nodes.Select(n => set.BusPort(n)).Concat(set.Nodes.Select(n => n.Port)).Distinct().Count()); // client and bus ports
        Assert.Contains("cluster_state:ok", await set.Nodes[0].ExecuteAsync("CLUSTER", "INFO"));
        foreach (var key in new[] { "k:1", "user:{42}:profile", "{user:42}x", "a{}b", "" })
        {
            Assert.Equal(await set.Nodes[0].ExecuteAsync("CLUSTER", "KEYSLOT", key), RedisClusterSet.HashSlot(key).ToString(CultureInfo.InvariantCulture));
        }

        await using var mux = await ConnectionMultiplexer.ConnectAsync(set.ConnectionString + FastFailure);
        var db = mux.GetDatabase();
        var keys = Enumerable.Range(0, 300).Select(i => "k:" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        await Task.WhenAll(keys.Select(k => db.StringSetAsync(k, "v-" + k)));
        foreach (var key in keys)
        {
            Assert.Equal("v-" + key, (string?)await db.StringGetAsync(key));
        }

        var slotOwners = await set.SlotOwnersAsync();
        var owners = keys.ToDictionary(k => k, k => slotOwners[RedisClusterSet.HashSlot(k)]!);
        Assert.Same(owners[keys[0]], await set.MasterOfSlotAsync(RedisClusterSet.HashSlot(keys[0])));

        Assert.Equal(3, owners.Values.Distinct().Count()); // the keys are spread over every master
        Assert.True(keys.Select(RedisClusterSet.HashSlot).Distinct().Count() > 250);

        var victimSlot = RedisClusterSet.HashSlot(keys[0]);
        var victim = owners[keys[0]];
        var victimKeys = keys.Where(k => owners[k] == victim).ToList();

        // The keys must be on the victim's replica before the kill, or the promoted replica rightly has none of them:
        // WAIT returns once the replicas acknowledged every write of the connection that sent them (the multiplexer's
        // interactive connection to the victim).
        Assert.Equal(1L, (long)await mux.GetServer(victim.Endpoint).ExecuteAsync("WAIT", 1, 10_000));

        var killed = Stopwatch.StartNew();
        Assert.Same(victim, await set.KillMasterOfSlotAsync(victimSlot));

        // The client's view, measured from the kill alongside the cluster's: every key of the dead master's slots can be
        // read and written again through the multiplexer.
        var rounds = 0;
        var writes = Task.Run(async () =>
        {
            var pending = new HashSet<string>(victimKeys);
            while (pending.Count > 0)
            {
                rounds++;
                foreach (var key in pending.ToArray())
                {
                    try
                    {
                        var read = (string?)await db.StringGetAsync(key);
                        if (read != "v-" + key)
                        {
                            Assert.Fail($"GET {key} (slot {RedisClusterSet.HashSlot(key)}) returned {read ?? "nil"} {killed.Elapsed.TotalSeconds:F2} s after the kill; " +
                                        $"the client now sends it to {await db.IdentifyEndpointAsync(key)}\n{await DescribeKeyAsync(set, key)}"); // replicated before the kill
                        }

                        if (await db.StringSetAsync(key, "w-" + key))
                        {
                            pending.Remove(key);
                        }
                    }
                    catch (Exception ex) when (ex is RedisException or TimeoutException)
                    {
                        // Not yet redirected to the promoted replica.
                    }
                }

                Assert.True(killed.Elapsed < TimeSpan.FromSeconds(25), $"{pending.Count} of {victimKeys.Count} keys still failing 25 s after the kill ({rounds} rounds)");
                if (pending.Count > 0)
                {
                    await Task.Delay(50); // the polling step of this wait for every key to be writable again
                }
            }

            return killed.Elapsed;
        });
        await set.WaitForStateOkAsync(TimeSpan.FromSeconds(20));
        var failover = killed.Elapsed;
        var newOwner = await set.MasterOfSlotAsync(victimSlot);
        Assert.NotSame(victim, newOwner);
        Assert.True(newOwner.IsRunning);
        var resumed = await writes;
        foreach (var key in keys)
        {
            Assert.Equal((victimKeys.Contains(key) ? "w-" : "v-") + key, (string?)await db.StringGetAsync(key));
        }

        output.WriteLine($"started in {started.TotalSeconds:F1} s; {keys.Length} keys over {keys.Select(RedisClusterSet.HashSlot).Distinct().Count()} slots; " +
                         $"killed {victim.Endpoint} ({victimKeys.Count} keys), cluster ok again with {newOwner.Endpoint} after {failover.TotalSeconds:F2} s; " +
                         $"writes to its slots resumed after {resumed.TotalSeconds:F2} s ({rounds} rounds); total {total.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>What each node answers for <paramref name="key"/>, for a failure message.</summary>
    private static async Task<string> DescribeKeyAsync(RedisClusterSet set, string key)
    {
        var lines = new List<string>();
        foreach (var node in set.Nodes)
        {
            if (!node.IsRunning)
            {
                lines.Add($"{node.Endpoint}: killed");
                continue;
            }

            try
            {
                lines.Add($"{node.Endpoint}: role {await RoleAsync(node)}, dbsize {await node.ExecuteAsync("DBSIZE")}, GET -> {await node.ExecuteAsync("GET", key)}");
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                lines.Add($"{node.Endpoint}: {ex.Message}");
            }
        }

        return string.Join('\n', lines);
    }

    private static async Task<string> RoleAsync(RedisServer server)
    {
        var info = await server.ExecuteAsync("INFO", "replication");
        return info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("role:", StringComparison.Ordinal))["role:".Length..];
    }
}
