using System;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.WebApi.Tests;

/// <summary>
/// Two nodes of the web sample (two <see cref="CatalogNode"/>s) over one SQLite file and one real redis-server, for a
/// test class: a write through node A is in the database node B reads, and in the Redis and backplane both use.
/// </summary>
public class CatalogCluster : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cachedgen-webapi-tests", Guid.NewGuid().ToString("N"));

    public RedisServer Redis { get; private set; } = null!;

    public CatalogNode NodeA { get; private set; } = null!;

    public CatalogNode NodeB { get; private set; } = null!;

    public HttpClient A { get; private set; } = null!;

    public HttpClient B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var database = Path.Combine(_directory, "catalog.db");
        var prefix = "web-" + Guid.NewGuid().ToString("N")[..8] + ":";
        Redis = await RedisServer.StartAsync();
        NodeA = new CatalogNode(database, Redis.Endpoint, prefix);
        NodeB = new CatalogNode(database, Redis.Endpoint, prefix);

        // One after the other: the first creates and seeds the database.
        A = await NodeA.StartAsync();
        B = await NodeB.StartAsync();
    }

    public async Task DisposeAsync()
    {
        A.Dispose();
        B.Dispose();
        await NodeA.DisposeAsync();
        await NodeB.DisposeAsync();
        await Redis.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a pooled connection: the temp directory is cleaned up by the OS.
        }
    }
}
