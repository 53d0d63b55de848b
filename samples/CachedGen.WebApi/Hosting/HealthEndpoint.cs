using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CachedGen.WebApi.Hosting;

/// <summary>
/// <c>/health</c>: CachedGen's health check. Healthy on L1 only or with Redis connected; Degraded (still HTTP 200:
/// requests are served from L1 and the database) while Redis is down or its circuit is open.
/// </summary>
public static class HealthEndpoint
{
    public static IServiceCollection AddCatalogHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<CachedGenHealthCheck>("cachedgen");
        return services;
    }

    public static WebApplication MapCatalogHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return app;
    }

    // {"status":"Degraded","checks":{"cachedgen":{"status":"Degraded","description":"...","data":{"circuit":"Open",...}}}}
    private static Task WriteAsync(HttpContext context, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report)
    {
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        };
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
