using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace CachedGen.TestKit;

/// <summary>
/// A Redis Sentinel deployment of real processes on free loopback ports: one master, <c>N</c> replicas
/// (<c>--replicaof</c>) and three sentinels (<c>redis-server sentinel.conf --sentinel</c>, quorum 2), each in its own
/// temporary directory. <see cref="StartAsync"/> returns once the replicas are in sync and every sentinel knows the
/// replicas and the other two sentinels, so a failover can happen.
/// </summary>
/// <remarks>
/// Sentinels mark the master down after <c>down-after-milliseconds</c> (default 1000 ms here) and then elect a leader
/// that promotes a replica: expect a few seconds from <see cref="KillMasterAsync"/> to a new master.
/// <see cref="DisposeAsync"/> kills every process and deletes every directory, also when starting failed half way.
/// </remarks>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private readonly List<RedisServer> _servers = [];
    private readonly List<RedisServer> _sentinels = [];
    private RedisServer? _master;
    private bool _disposed;

    private RedisSentinelSet(string serviceName)
    {
        ServiceName = serviceName;
    }

    /// <summary>The name the sentinels monitor the master under (<c>serviceName=</c> for StackExchange.Redis).</summary>
    public string ServiceName { get; }

    /// <summary>The data node that is master now (the promoted replica after <see cref="WaitForFailoverAsync"/>).</summary>
    public RedisServer Master => _master ?? throw new InvalidOperationException("The sentinel set has no master.");

    /// <summary>The data nodes other than <see cref="Master"/> that are running.</summary>
    public IReadOnlyList<RedisServer> Replicas => _servers.Where(s => s != _master && s.IsRunning).ToArray();

    /// <summary>Every data node started, master and replicas, dead or alive.</summary>
    public IReadOnlyList<RedisServer> Servers => _servers;

    /// <summary>The three sentinel processes.</summary>
    public IReadOnlyList<RedisServer> Sentinels => _sentinels;

    /// <summary><c>127.0.0.1:port</c> of each sentinel.</summary>
    public IReadOnlyList<string> SentinelEndpoints => _sentinels.Select(s => s.Endpoint).ToArray();

    /// <summary>A StackExchange.Redis configuration that finds the master through the sentinels:
    /// <c>127.0.0.1:s1,127.0.0.1:s2,127.0.0.1:s3,serviceName=NAME,abortConnect=false</c>.</summary>
    public string ConnectionString => string.Join(',', SentinelEndpoints) + ",serviceName=" + ServiceName + ",abortConnect=false";

    /// <summary>
    /// Starts the master, <paramref name="replicas"/> replicas and three sentinels, and waits until the replicas are in
    /// sync and the sentinels see them and each other.
    /// </summary>
    /// <param name="replicas">Replicas of the master (at least 1, so a failover has a candidate).</param>
    /// <param name="serviceName">The monitored name.</param>
    /// <param name="downAfter">Sentinel <c>down-after-milliseconds</c>; 1000 ms when left out.</param>
    /// <param name="failoverTimeout">Sentinel <c>failover-timeout</c>; 3 s when left out. A leader election that fails (a split
    /// vote) is retried after twice this, and the election itself waits at most this long.</param>
    public static async Task<RedisSentinelSet> StartAsync(int replicas = 1, string serviceName = "cachedgen", TimeSpan? downAfter = null, TimeSpan? failoverTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        if (RedisServer.FindOnPath("redis-sentinel") is null)
        {
            throw RedisServer.NotInstalled("redis-sentinel"); // Sentinels run as redis-server --sentinel, as redis-sentinel does.
        }

        var downAfterMs = (long)(downAfter ?? TimeSpan.FromMilliseconds(1000)).TotalMilliseconds;
        var failoverMs = (long)(failoverTimeout ?? TimeSpan.FromSeconds(3)).TotalMilliseconds;
        var set = new RedisSentinelSet(serviceName);
        try
        {
            // Fast full syncs: no RDB file, no diskless delay (5 s by default).
            const string DataArgs = "--repl-diskless-sync yes --repl-diskless-sync-delay 0 --repl-ping-replica-period 1";
            var master = await RedisServer.StartAsync(DataArgs).ConfigureAwait(false);
            set._servers.Add(master);
            set._master = master;
            for (var i = 0; i < replicas; i++)
            {
                set._servers.Add(await RedisServer.StartAsync($"{DataArgs} --replicaof 127.0.0.1 {master.Port}").ConfigureAwait(false));
            }

            // Replicas first: a sentinel learns replicas from the master's INFO, which it reads at once on connecting
            // and then only every 10 s.
            await WaitUntilAsync(
                async () => await set.ReplicasInSyncAsync(master).ConfigureAwait(false),
                "replicas in sync with the master",
                set).ConfigureAwait(false);

            var sentinelTasks = Enumerable.Range(0, 3).Select(_ => RedisServer.StartAsync((directory, port) =>
            {
                var config = Path.Combine(directory, "sentinel.conf");
                File.WriteAllText(config, string.Join('\n', [
                    "port " + port.ToString(CultureInfo.InvariantCulture),
                    "sentinel resolve-hostnames no",
                    "sentinel announce-hostnames no",
                    "sentinel announce-ip 127.0.0.1",
                    FormattableString.Invariant($"sentinel monitor {serviceName} 127.0.0.1 {master.Port} 2"),
                    FormattableString.Invariant($"sentinel down-after-milliseconds {serviceName} {downAfterMs}"),
                    FormattableString.Invariant($"sentinel failover-timeout {serviceName} {failoverMs}"),
                    FormattableString.Invariant($"sentinel parallel-syncs {serviceName} 1"),
                    "",
                ]));
                return (new[] { config }, new[] { "--sentinel" });
            })).ToArray();
            try
            {
                await Task.WhenAll(sentinelTasks).ConfigureAwait(false);
            }
            finally
            {
                foreach (var task in sentinelTasks.Where(t => t.IsCompletedSuccessfully))
                {
                    set._sentinels.Add(task.Result);
                }
            }

            await WaitUntilAsync(
                async () =>
                {
                    foreach (var sentinel in set._sentinels)
                    {
                        var state = Fields(await sentinel.QueryAsync("SENTINEL", "MASTER", serviceName).ConfigureAwait(false));
                        if (!state.TryGetValue("num-slaves", out var slaves) || int.Parse(slaves, CultureInfo.InvariantCulture) < replicas
                            || !state.TryGetValue("num-other-sentinels", out var others) || others != "2"
                            || state.GetValueOrDefault("flags") != "master")
                        {
                            return false;
                        }
                    }

                    return true;
                },
                "every sentinel sees the master, the replicas and the other sentinels",
                set).ConfigureAwait(false);
            return set;
        }
        catch
        {
            await set.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills the current master with SIGKILL and returns its endpoint.</summary>
    public async Task<string> KillMasterAsync()
    {
        var master = Master;
        await master.KillAsync().ConfigureAwait(false);
        return master.Endpoint;
    }

    /// <summary>
    /// Waits until a sentinel names a running replica as the master (the leader does so as soon as it has promoted
    /// it; the others follow within a couple of seconds) and that node reports <c>role:master</c>;
    /// <see cref="Master"/> then is that node. Returns its endpoint.
    /// </summary>
    /// <exception cref="TimeoutException">No failover within <paramref name="timeout"/>.</exception>
    public async Task<string> WaitForFailoverAsync(TimeSpan timeout)
    {
        var previous = Master;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var named = new HashSet<int>();
            foreach (var sentinel in _sentinels.Where(s => s.IsRunning))
            {
                try
                {
                    var address = (await sentinel.QueryAsync("SENTINEL", "GET-MASTER-ADDR-BY-NAME", ServiceName).ConfigureAwait(false)).Split('\n');
                    if (address.Length == 2 && int.TryParse(address[1], CultureInfo.InvariantCulture, out var port) && port != previous.Port)
                    {
                        named.Add(port);
                    }
                }
                catch (Exception ex) when (ex is IOException or TimeoutException)
                {
                    // Count it as no vote.
                }
            }

            foreach (var port in named)
            {
                if (_servers.FirstOrDefault(s => s.Port == port && s.IsRunning) is { } candidate
                    && await RoleAsync(candidate).ConfigureAwait(false) == "master")
                {
                    _master = candidate;
                    return candidate.Endpoint;
                }
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"No failover away from {previous.Endpoint} within {timeout.TotalSeconds:0.#} s.\n{await DescribeAsync().ConfigureAwait(false)}");
            }

            await Task.Delay(50).ConfigureAwait(false); // the polling step of this wait on the sentinels' state
        }
    }

    /// <summary>Kills the sentinels, then the data nodes, and deletes their directories; never throws for one that is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        List<Exception>? errors = null;
        foreach (var server in _sentinels.Concat(_servers))
        {
            try
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                (errors ??= []).Add(ex);
            }
        }

        if (errors is not null)
        {
            throw new AggregateException("Some Redis processes of the sentinel set could not be stopped.", errors);
        }
    }

    public override string ToString() => $"sentinel set {ServiceName}: master {_master?.Endpoint}, sentinels {string.Join(' ', SentinelEndpoints)}";

    private async Task<bool> ReplicasInSyncAsync(RedisServer master)
    {
        foreach (var replica in _servers.Where(s => s != master))
        {
            var info = Fields(await replica.QueryAsync("INFO", "replication").ConfigureAwait(false), ':');
            if (info.GetValueOrDefault("master_link_status") != "up")
            {
                return false;
            }
        }

        var masterInfo = Fields(await master.QueryAsync("INFO", "replication").ConfigureAwait(false), ':');
        return masterInfo.GetValueOrDefault("connected_slaves") == (_servers.Count - 1).ToString(CultureInfo.InvariantCulture);
    }

    private static async Task<string?> RoleAsync(RedisServer server)
    {
        try
        {
            return Fields(await server.QueryAsync("INFO", "replication").ConfigureAwait(false), ':').GetValueOrDefault("role");
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            return null;
        }
    }

    private async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        foreach (var sentinel in _sentinels)
        {
            try
            {
                var state = Fields(await sentinel.QueryAsync("SENTINEL", "MASTER", ServiceName).ConfigureAwait(false));
                lines.Add($"sentinel {sentinel.Endpoint}: master {state.GetValueOrDefault("ip")}:{state.GetValueOrDefault("port")} flags={state.GetValueOrDefault("flags")} " +
                          $"replicas={state.GetValueOrDefault("num-slaves")} sentinels={state.GetValueOrDefault("num-other-sentinels")}");
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
                lines.Add($"sentinel {sentinel.Endpoint}: {ex.Message}");
            }
        }

        foreach (var sentinel in _sentinels)
        {
            var log = sentinel.Output;
            lines.Add($"--- log of sentinel {sentinel.Endpoint} (last 2000 chars) ---");
            lines.Add(log.Length > 2000 ? log[^2000..] : log);
        }

        return string.Join('\n', lines);
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms (connection errors count as false) until it holds.</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, RedisSentinelSet set)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (watch.Elapsed < ReadyTimeout)
        {
            try
            {
                if (await condition().ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or TimeoutException or FormatException)
            {
                last = ex;
            }

            await Task.Delay(50).ConfigureAwait(false); // the polling step of this wait on the sentinels' state
        }

        throw new TimeoutException($"Sentinel set not ready within {ReadyTimeout.TotalSeconds:0} s: waiting for {what}. {last?.Message}\n{await set.DescribeAsync().ConfigureAwait(false)}");
    }

    /// <summary>Alternating name and value lines (SENTINEL MASTER), or <c>name:value</c> lines (INFO) with <paramref name="separator"/>.</summary>
    internal static Dictionary<string, string> Fields(string reply, char? separator = null)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = reply.Split('\n', StringSplitOptions.TrimEntries);
        if (separator is { } c)
        {
            foreach (var line in lines)
            {
                var index = line.IndexOf(c, StringComparison.Ordinal);
                if (index > 0 && !line.StartsWith('#'))
                {
                    result[line[..index]] = line[(index + 1)..];
                }
            }
        }
        else
        {
            for (var i = 0; i + 1 < lines.Length; i += 2)
            {
                result[lines[i]] = lines[i + 1];
            }
        }

        return result;
    }
}
