using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace CachedGen.TestKit;

/// <summary>
/// A Redis Cluster of real processes on free loopback ports: three masters and three replicas, each node in its own
/// temporary directory with an explicit, free cluster bus port (<c>--cluster-port</c>), created with
/// <c>redis-cli --cluster create ... --cluster-replicas 1</c>. <see cref="StartAsync"/> returns once every node reports
/// <c>cluster_state:ok</c> with all 16384 slots served and every replica is in sync with its master.
/// </summary>
/// <remarks>
/// Nodes run with <c>--cluster-node-timeout 1000</c>: a killed master is marked failed about a second later and one
/// of its replicas is promoted shortly after. <see cref="DisposeAsync"/> kills every process and deletes every
/// directory, also when starting failed half way.
/// </remarks>
public sealed class RedisClusterSet : IAsyncDisposable
{
    /// <summary>Hash slots in a Redis Cluster.</summary>
    public const int SlotCount = 16384;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly List<RedisServer> _nodes = [];
    private readonly Dictionary<RedisServer, int> _busPorts = [];
    private bool _disposed;

    private RedisClusterSet()
    {
    }

    /// <summary>Every node started (masters and replicas, dead or alive).</summary>
    public IReadOnlyList<RedisServer> Nodes => _nodes;

    /// <summary><c>127.0.0.1:port</c> of every node.</summary>
    public IReadOnlyList<string> Endpoints => _nodes.Select(n => n.Endpoint).ToArray();

    /// <summary>A StackExchange.Redis configuration naming every node: <c>127.0.0.1:p1,...,127.0.0.1:p6,abortConnect=false</c>.</summary>
    public string ConnectionString => string.Join(',', Endpoints) + ",abortConnect=false";

    /// <summary>The cluster bus port of <paramref name="node"/>.</summary>
    public int BusPort(RedisServer node) => _busPorts[node];

    /// <summary>Starts the nodes, creates the cluster and waits until it is ready.</summary>
    /// <param name="masters">Masters (at least 3, as redis-cli requires); each gets <paramref name="replicasPerMaster"/> replicas.</param>
    /// <param name="replicasPerMaster">Replicas of each master.</param>
    /// <param name="nodeTimeout">Cluster node timeout; 1000 ms when left out.</param>
    public static async Task<RedisClusterSet> StartAsync(int masters = 3, int replicasPerMaster = 1, TimeSpan? nodeTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(masters, 3);
        ArgumentOutOfRangeException.ThrowIfNegative(replicasPerMaster);
        var timeoutMs = (long)(nodeTimeout ?? TimeSpan.FromMilliseconds(1000)).TotalMilliseconds;
        var set = new RedisClusterSet();
        try
        {
            var count = masters * (1 + replicasPerMaster);
            var starts = Enumerable.Range(0, count).Select(_ => StartNodeAsync(timeoutMs)).ToArray();
            try
            {
                await Task.WhenAll(starts).ConfigureAwait(false);
            }
            finally
            {
                foreach (var start in starts.Where(t => t.IsCompletedSuccessfully))
                {
                    set._nodes.Add(start.Result.Node);
                    set._busPorts[start.Result.Node] = start.Result.BusPort;
                }
            }

            var create = new List<string> { "--cluster", "create" };
            create.AddRange(set.Endpoints);
            create.AddRange(["--cluster-replicas", replicasPerMaster.ToString(CultureInfo.InvariantCulture), "--cluster-yes"]);
            var created = await set._nodes[0].ExecuteAsync([.. create]).ConfigureAwait(false);
            if (!created.Contains("[OK] All 16384 slots covered", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("redis-cli --cluster create did not cover every slot:\n" + created);
            }

            await set.WaitForStateOkAsync(ReadyTimeout).ConfigureAwait(false);
            return set;
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits until every running node reports <c>cluster_state:ok</c> with all slots ok and none failing, every slot
    /// is served by a running master in every node's view (so after a kill, the failover has happened everywhere),
    /// and every running replica is in sync with its master.
    /// </summary>
    /// <exception cref="TimeoutException">Not so within <paramref name="timeout"/>.</exception>
    public async Task WaitForStateOkAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        string? last = null;
        while (true)
        {
            try
            {
                last = await NotReadyReasonAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or FormatException)
            {
                last = ex.Message;
            }

            if (last is null)
            {
                return;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Cluster not ok within {timeout.TotalSeconds:0.#} s: {last}\n{await DescribeAsync().ConfigureAwait(false)}");
            }

            await Task.Delay(50).ConfigureAwait(false); // the polling step of this wait on the cluster's state
        }
    }

    /// <summary>The running master that serves <paramref name="slot"/>, as the running nodes agree.</summary>
    public async Task<RedisServer> MasterOfSlotAsync(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, SlotCount);
        foreach (var node in _nodes.Where(n => n.IsRunning))
        {
            var owner = ParseNodes(await node.QueryAsync("CLUSTER", "NODES").ConfigureAwait(false))
                .FirstOrDefault(n => n.IsMaster && n.Slots.Any(r => r.Start <= slot && slot <= r.End));
            if (owner is not null && _nodes.FirstOrDefault(n => n.Port == owner.Port) is { } server)
            {
                return server;
            }
        }

        throw new InvalidOperationException($"No node knows who serves slot {slot}.");
    }

    /// <summary>The master serving each slot (indexed by slot) in the view of the first running node; a slot that node
    /// sees served by a node it does not know, or by none, is <see langword="null"/>.</summary>
    public async Task<RedisServer?[]> SlotOwnersAsync()
    {
        var node = _nodes.First(n => n.IsRunning);
        var owners = new RedisServer?[SlotCount];
        foreach (var master in ParseNodes(await node.QueryAsync("CLUSTER", "NODES").ConfigureAwait(false)).Where(n => n.IsMaster))
        {
            var server = _nodes.FirstOrDefault(n => n.Port == master.Port);
            foreach (var (start, end) in master.Slots)
            {
                owners.AsSpan(start, end - start + 1).Fill(server);
            }
        }

        return owners;
    }

    /// <summary>Kills (SIGKILL) the master serving <paramref name="slot"/> and returns it.</summary>
    public async Task<RedisServer> KillMasterOfSlotAsync(int slot)
    {
        var master = await MasterOfSlotAsync(slot).ConfigureAwait(false);
        await master.KillAsync().ConfigureAwait(false);
        return master;
    }

    /// <summary>Kills (SIGKILL) the master serving <paramref name="key"/> and returns it.</summary>
    public Task<RedisServer> KillMasterOfKeyAsync(string key) => KillMasterOfSlotAsync(HashSlot(key));

    /// <summary>The hash slot of <paramref name="key"/>: CRC16 (XMODEM) of the key, or of its <c>{hash tag}</c>, mod 16384.</summary>
    public static int HashSlot(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = Encoding.UTF8.GetBytes(key);
        var span = bytes.AsSpan();
        var open = span.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = span[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                span = span.Slice(open + 1, close);
            }
        }

        ushort crc = 0;
        foreach (var b in span)
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % SlotCount;
    }

    /// <summary>Kills every node and deletes its directory; never throws for one that is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        List<Exception>? errors = null;
        foreach (var node in _nodes)
        {
            try
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("Some nodes of the cluster could not be stopped.", errors);
        }
    }

    public override string ToString() => "redis cluster " + string.Join(' ', Endpoints);

    /// <summary>One node: a free client port (picked by <see cref="RedisServer"/>) and a different free bus port,
    /// both new on each attempt, so an attempt that finds either taken is retried on two new ports.</summary>
    private static async Task<(RedisServer Node, int BusPort)> StartNodeAsync(long nodeTimeoutMs)
    {
        var busPort = 0;
        var node = await RedisServer.StartAsync((_, port) =>
        {
            do
            {
                busPort = RedisServer.FreePort();
            }
            while (busPort == port);

            return (Array.Empty<string>(), new[]
            {
                "--cluster-enabled", "yes",
                "--cluster-port", busPort.ToString(CultureInfo.InvariantCulture),
                "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", nodeTimeoutMs.ToString(CultureInfo.InvariantCulture),
                "--cluster-announce-ip", "127.0.0.1",
                "--repl-diskless-sync", "yes",
                "--repl-diskless-sync-delay", "0",
                "--repl-ping-replica-period", "1",
            });
        }).ConfigureAwait(false);
        return (node, busPort);
    }

    private async Task<string?> NotReadyReasonAsync()
    {
        var running = _nodes.Where(n => n.IsRunning).ToArray();
        foreach (var node in running)
        {
            var info = RedisSentinelSet.Fields(await node.QueryAsync("CLUSTER", "INFO").ConfigureAwait(false), ':');
            if (info.GetValueOrDefault("cluster_state") != "ok"
                || info.GetValueOrDefault("cluster_slots_ok") != SlotCount.ToString(CultureInfo.InvariantCulture)
                || info.GetValueOrDefault("cluster_slots_pfail") != "0"
                || info.GetValueOrDefault("cluster_slots_fail") != "0"
                || info.GetValueOrDefault("cluster_known_nodes") != _nodes.Count.ToString(CultureInfo.InvariantCulture))
            {
                return $"{node.Endpoint}: state {info.GetValueOrDefault("cluster_state")}, slots ok {info.GetValueOrDefault("cluster_slots_ok")}, " +
                       $"pfail {info.GetValueOrDefault("cluster_slots_pfail")}, fail {info.GetValueOrDefault("cluster_slots_fail")}, known nodes {info.GetValueOrDefault("cluster_known_nodes")}";
            }

            var view = ParseNodes(await node.QueryAsync("CLUSTER", "NODES").ConfigureAwait(false));
            var served = 0;
            foreach (var master in view.Where(n => n.IsMaster && n.Slots.Count > 0))
            {
                if (!running.Any(r => r.Port == master.Port))
                {
                    return $"{node.Endpoint} still sees slots on {master.Endpoint}, which is not running";
                }

                served += master.Slots.Sum(r => r.End - r.Start + 1);
            }

            if (served != SlotCount)
            {
                return $"{node.Endpoint} sees {served} slots served";
            }

            // A node that serves no slots must be a replica in sync (right after --cluster create, a replica-to-be can
            // still be a master without slots, or be in its first full sync).
            var myself = view.FirstOrDefault(n => n.Myself);
            if (myself is null || (myself.IsMaster && myself.Slots.Count == 0))
            {
                return $"{node.Endpoint} is neither a master with slots nor a replica yet";
            }

            if (!myself.IsMaster)
            {
                var replication = RedisSentinelSet.Fields(await node.QueryAsync("INFO", "replication").ConfigureAwait(false), ':');
                if (replication.GetValueOrDefault("master_link_status") != "up")
                {
                    return $"replica {node.Endpoint} is not in sync with its master";
                }
            }
        }

        return null;
    }

    private async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        foreach (var node in _nodes)
        {
            if (!node.IsRunning)
            {
                lines.Add($"--- {node.Endpoint} (bus {_busPorts.GetValueOrDefault(node)}): killed");
                continue;
            }

            try
            {
                lines.Add($"--- {node.Endpoint} (bus {_busPorts.GetValueOrDefault(node)}) CLUSTER NODES:");
                lines.Add(await node.QueryAsync("CLUSTER", "NODES").ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                lines.Add(ex.Message);
            }

            var log = node.Output;
            lines.Add("log (last 1000 chars): " + (log.Length > 1000 ? log[^1000..] : log));
        }

        return string.Join('\n', lines);
    }

    private sealed record ClusterNode(string Id, string Endpoint, int Port, bool Myself, bool IsMaster, bool Failed, IReadOnlyList<(int Start, int End)> Slots);

    /// <summary>Parses <c>CLUSTER NODES</c>: <c>id ip:port@bus[,hostname] flags master ping pong epoch link slot...</c>.</summary>
    private static List<ClusterNode> ParseNodes(string text)
    {
        var result = new List<ClusterNode>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 8)
            {
                continue;
            }

            var endpoint = parts[1].Split('@')[0];
            var port = int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            var flags = parts[2].Split(',');
            var slots = new List<(int, int)>();
            foreach (var slot in parts.Skip(8).Where(s => !s.StartsWith('[')))
            {
                var dash = slot.IndexOf('-', StringComparison.Ordinal);
                slots.Add(dash < 0
                    ? (int.Parse(slot, CultureInfo.InvariantCulture), int.Parse(slot, CultureInfo.InvariantCulture))
                    : (int.Parse(slot[..dash], CultureInfo.InvariantCulture), int.Parse(slot[(dash + 1)..], CultureInfo.InvariantCulture)));
            }

            result.Add(new ClusterNode(
                parts[0],
                endpoint,
                port,
                flags.Contains("myself"),
                flags.Contains("master"),
                flags.Contains("fail") || flags.Contains("fail?"),
                slots));
        }

        return result;
    }
}
