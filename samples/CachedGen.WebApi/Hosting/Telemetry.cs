using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CachedGen.WebApi.Hosting;

/// <summary>
/// OpenTelemetry wired to CachedGen's meter and activity source (both named <c>CachedGen</c>), beside ASP.NET Core's.
/// <c>Telemetry:Metrics</c>: <c>prometheus</c> (default, scraped at <c>/metrics</c>), <c>console</c> or <c>none</c>;
/// <c>Telemetry:Traces</c>: <c>console</c> or <c>none</c> (default).
/// </summary>
public static class Telemetry
{
    /// <summary>The name of CachedGen's meter and of its activity source.</summary>
    public const string CachedGenSource = "CachedGen";

    public static IServiceCollection AddCatalogTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var metrics = Setting(configuration, "Telemetry:Metrics", "prometheus");
        var traces = Setting(configuration, "Telemetry:Traces", "none");
        var otel = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("CachedGen.WebApi"));
        if (metrics != "none")
        {
            otel.WithMetrics(m =>
            {
                // cachedgen.hits (by level), cachedgen.misses, cachedgen.source.calls, cachedgen.redis.errors, latencies...
                m.AddMeter(CachedGenSource).AddAspNetCoreInstrumentation();
                _ = metrics == "console" ? m.AddConsoleExporter() : m.AddPrometheusExporter();
            });
        }

        if (traces != "none")
        {
            // One cachedgen.get activity per cached call (level, outcome), under the request's activity.
            otel.WithTracing(t => t.AddSource(CachedGenSource).AddAspNetCoreInstrumentation().AddConsoleExporter());
        }

        return services;
    }

    /// <summary>Maps <c>/metrics</c> when metrics go to Prometheus.</summary>
    public static WebApplication MapCatalogTelemetry(this WebApplication app)
    {
        if (Setting(app.Configuration, "Telemetry:Metrics", "prometheus") == "prometheus")
        {
            app.MapPrometheusScrapingEndpoint();
        }

        return app;
    }

    private static string Setting(IConfiguration configuration, string key, string fallback)
    {
        var value = (configuration[key] ?? fallback).Trim().ToLowerInvariant();
        return value is "prometheus" or "console" or "none"
            ? value
            : throw new InvalidOperationException($"{key} is '{value}': use prometheus, console or none.");
    }
}
