using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen;

// The observable instruments the runtime publishes itself: hits and evictions summed over its methods, and the memory
// Redis reports, sampled in the background.
public sealed partial class CacheRuntime
{
    private System.Collections.Generic.IEnumerable<System.Diagnostics.Metrics.Measurement<long>> ObserveHits()
    {
        foreach (var method in _methods.Values)
        {
            var (id, l1, l2) = ((Runtime.ICachedMethodStatistics)method).Hits;
            yield return new(l1, Runtime.CacheMetrics.Method(id), Runtime.CacheMetrics.L1);
            yield return new(l2, Runtime.CacheMetrics.Method(id), Runtime.CacheMetrics.L2);
        }
    }

    private System.Collections.Generic.IEnumerable<System.Diagnostics.Metrics.Measurement<long>> ObserveEvictions()
    {
        foreach (var method in _methodsById.Values)
        {
            yield return new(method.Evictions, Runtime.CacheMetrics.Method(method.Hits.MethodId));
        }
    }

    private long _redisMemoryUsed = -1;
    private long _redisMemoryLimit = -1;
    private long _redisMemoryProbedAt = long.MinValue / 2; // "long ago", without overflow in now - last

    /// <summary>Reports the last sample of Redis memory and, when it is older than 10 s, takes a new one in the background
    /// (an observable instrument's callback must not wait for I/O). Nothing is sampled while nobody observes.</summary>
    private System.Collections.Generic.IEnumerable<System.Diagnostics.Metrics.Measurement<long>> ObserveRedisMemory()
    {
        var now = Clock.NowMs;
        var last = Interlocked.Read(ref _redisMemoryProbedAt);
        if (Redis?.Multiplexer is { IsConnected: true } mux && now - last > 10_000
            && Interlocked.CompareExchange(ref _redisMemoryProbedAt, now, last) == last)
        {
            _ = ProbeRedisMemoryAsync(mux);
        }

        if (Interlocked.Read(ref _redisMemoryUsed) is >= 0 and var used)
        {
            yield return new(used, new System.Collections.Generic.KeyValuePair<string, object?>("state", "used"));
            yield return new(Interlocked.Read(ref _redisMemoryLimit), new System.Collections.Generic.KeyValuePair<string, object?>("state", "limit"));
        }
    }

    /// <summary>Samples <c>INFO memory</c> on every connected primary (the Redis user needs <c>EVAL</c> and <c>INFO</c>); with a maxmemory of 0 (unlimited) anywhere, the
    /// limit is reported as 0.</summary>
    internal async Task ProbeRedisMemoryAsync(IConnectionMultiplexer mux)
    {
        try
        {
            long used = 0, limit = 0;
            var unlimited = false;
            foreach (var server in mux.GetServers())
            {
                if (!server.IsConnected || server.IsReplica)
                {
                    continue;
                }

                // INFO through EVAL: the client reserves INFO for admin-mode connections, and the application's
                // multiplexer need not be one. Lines are "name:value".
                var info = (string?)await server.ExecuteAsync("EVAL", "return redis.call('INFO', 'memory')", 0).WaitAsync(TimeSpan.FromSeconds(1), Time).ConfigureAwait(false);
                foreach (var line in (info ?? "").Split('\n'))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (colon < 0)
                    {
                        continue;
                    }

                    var name = line.AsSpan(0, colon);
                    var value = line.AsSpan(colon + 1).Trim();
                    if (name.SequenceEqual("used_memory") && long.TryParse(value, out var u))
                    {
                        used += u;
                    }
                    else if (name.SequenceEqual("maxmemory") && long.TryParse(value, out var m))
                    {
                        unlimited |= m == 0;
                        limit += m;
                    }
                }
            }

            Interlocked.Exchange(ref _redisMemoryLimit, unlimited ? 0 : limit);
            Interlocked.Exchange(ref _redisMemoryUsed, used);
        }
        catch (Exception)
        {
            // A metric sample is best effort: the next observation tries again after its interval.
        }
    }
}
