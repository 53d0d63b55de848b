using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CachedGen;

/// <summary>
/// Reports the cache's Redis side: <b>Healthy</b> when Redis is connected and its circuit closed (or when CachedGen runs
/// on L1 only), <b>Degraded</b> otherwise. Never Unhealthy: with Redis down, calls still succeed from L1 and the
/// source, only slower and without a shared cache.
/// </summary>
/// <example><code>services.AddHealthChecks().AddCheck&lt;CachedGenHealthCheck&gt;("cachedgen");</code></example>
public sealed class CachedGenHealthCheck(CacheRuntime runtime) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!runtime.HasRedis)
        {
            return Task.FromResult(HealthCheckResult.Healthy("CachedGen runs on L1 only (no Redis configured)."));
        }

        var data = new Dictionary<string, object>
        {
            ["circuit"] = runtime.RedisCircuitState.ToString(),
            ["connected"] = runtime.RedisConnection?.IsConnected ?? false,
            ["enabled"] = runtime.Enabled,
        };
        return Task.FromResult(runtime.IsRedisAvailable
            ? HealthCheckResult.Healthy("Redis is connected and in use.", data)
            : HealthCheckResult.Degraded("Redis is unavailable or its circuit is open: serving from L1 and the source.", data: data));
    }
}
