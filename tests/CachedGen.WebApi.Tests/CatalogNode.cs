using System;
using System.Net.Http;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace CachedGen.WebApi.Tests;

/// <summary>
/// One node of the web sample, hosted in-process: its own DI container, CachedGen runtime (L1, backplane) and EF Core
/// context, over the SQLite file and the Redis server it is given. Settings go in as host settings, exactly as
/// appsettings.json or the environment would give them.
/// </summary>
public sealed class CatalogNode(string databasePath, string? redisEndpoint, string keyPrefix) : WebApplicationFactory<Program>
{
    /// <summary>Test secrets, the same on every node (a deployment shares them through its secret store).</summary>
    public static readonly string KeyHashSecret = Convert.ToBase64String(new byte[32] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 });

    /// <inheritdoc cref="KeyHashSecret"/>
    public static readonly string ValueEncryptionKey = Convert.ToBase64String(new byte[32] { 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 });

    /// <summary>SQL commands this node sent to SQLite.</summary>
    public SqlCommandCounter Sql { get; } = new();

    /// <summary>Settings the test adds or overrides (before the node starts).</summary>
    public System.Collections.Generic.Dictionary<string, string?> Settings { get; } = [];

    public CacheRuntime Runtime => Services.GetRequiredService<CacheRuntime>();

    /// <summary>Starts the node and, with Redis, waits until its backplane is subscribed (a write on another node
    /// published before that would not reach this node's L1).</summary>
    public async Task<HttpClient> StartAsync()
    {
        var client = CreateClient();
        if (redisEndpoint is not null)
        {
            // The runtime is created with the first decorated repository; resolve it now, not on the first request.
            await Runtime.Backplane!.Subscribed.WaitAsync(Eventually.Generous);
        }

        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:catalog", $"Data Source={databasePath};Default Timeout=30");
        builder.UseSetting("ConnectionStrings:redis", redisEndpoint is null ? "" : redisEndpoint + ",connectTimeout=2000,connectRetry=0,syncTimeout=2000,asyncTimeout=2000");
        builder.UseSetting("CachedGen:KeyPrefix", keyPrefix);
        builder.UseSetting("CachedGen:KeyHashSecret", KeyHashSecret);
        builder.UseSetting("CachedGen:ValueEncryptionKey", ValueEncryptionKey);

        // Generous: these tests are about what lands where, and a cold process (JIT, first script loads) can exceed the
        // 100 ms default and leave a fill unwritten. Timeouts have their own tests in CachedGen.IntegrationTests.
        builder.UseSetting("CachedGen:RedisOperationTimeout", "00:00:02");
        builder.UseSetting("Telemetry:Metrics", "prometheus");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<IInterceptor>(Sql));
    }

}
