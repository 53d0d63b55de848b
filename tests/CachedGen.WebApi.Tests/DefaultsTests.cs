using System;
using System.IO;
using System.Net.Http.Json;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using Xunit;

namespace CachedGen.WebApi.Tests;

/// <summary>The sample on its defaults: L1 only, no Redis, no secrets.</summary>
public sealed class DefaultsTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cachedgen-webapi-tests", Guid.NewGuid().ToString("N"));

    private string Database => Path.Combine(_directory, "catalog.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection: the temp directory is cleaned up by the OS.
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Without_Redis_or_secrets_it_answers_health_and_caches_on_L1()
    {
        await using var node = WithoutSecrets(new CatalogNode(Database, redisEndpoint: null, "defaults:"));
        using var client = await node.StartAsync();

        Assert.Equal("Healthy", await client.HealthAsync());
        Assert.False(node.Runtime.HasRedis);

        // appsettings.json's CachedGen section, read by AddCachedGen(section): the per-method TTL written as in [Cached].
        var search = Assert.Single(node.Runtime.CurrentOptions.Methods, m => m.Key.EndsWith("IProductRepository.SearchAsync", StringComparison.Ordinal));
        Assert.Equal(TimeSpan.FromSeconds(30), search.Value.Ttl);
        Assert.Equal("defaults:", node.Runtime.CurrentOptions.KeyPrefix);

        var url = Http.Product(Http.Demo, 2);
        await client.GetAsync<ProductDto>(url);
        var afterFirst = node.Sql.Count;
        await client.GetAsync<ProductDto>(url);
        Assert.Equal(afterFirst, node.Sql.Count);

        // The customer lookup hashes the e-mail and is Sensitive: on L1 only nothing leaves the process, so it needs
        // neither secret.
        using var response = await client.PostAsJsonAsync($"/tenants/{Http.Demo}/customers/lookup", new CustomerLookup("ada@example.com"));
        Assert.Equal("Ada Lovelace", (await response.Content.ReadFromJsonAsync<CustomerDto>())!.Name);
    }

    [Fact]
    public async Task With_Redis_but_no_secrets_it_refuses_to_start()
    {
        // No Redis listens there: the check comes before any connection.
        await using var node = WithoutSecrets(new CatalogNode(Database, redisEndpoint: "127.0.0.1:1", "defaults:"));

        var error = Assert.Throws<InvalidOperationException>(() => node.CreateClient());
        Assert.Contains("CachedGen:KeyHashSecret", error.Message, StringComparison.Ordinal);
    }

    private static CatalogNode WithoutSecrets(CatalogNode node)
    {
        node.Settings["CachedGen:KeyHashSecret"] = "";
        node.Settings["CachedGen:ValueEncryptionKey"] = "";
        return node;
    }
}
