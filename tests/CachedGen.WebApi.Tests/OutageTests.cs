using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;
using CachedGen.TestKit;
using CachedGen.WebApi.Catalog;
using Xunit;

namespace CachedGen.WebApi.Tests;

/// <summary>The redis-server of two web nodes killed and restarted: the health check says so, the API does not.</summary>
public sealed class OutageTests(CatalogCluster cluster) : IClassFixture<CatalogCluster>, IAsyncLifetime
{
    private int _query;

    public Task InitializeAsync() => Task.CompletedTask;

    // Each test leaves Redis running for the next one.
    public async Task DisposeAsync()
    {
        if (!cluster.Redis.IsRunning)
        {
            await cluster.Redis.RestartAsync();
        }
    }

    [Fact]
    public async Task Health_is_Degraded_while_Redis_is_down_and_Healthy_again_after()
    {
        await Eventually.HoldsAsync(async () => await BothAsync("Healthy"), "both nodes Healthy with Redis up");

        await cluster.Redis.KillAsync();
        await Eventually.HoldsAsync(async () => await BothAsync("Degraded"), "both nodes Degraded with Redis down");

        await cluster.Redis.RestartAsync();

        // A circuit opened during the outage closes after a successful probe: keep calls that reach Redis coming
        // (searches nobody made before miss L1).
        await Eventually.HoldsAsync(
            async () =>
            {
                await cluster.A.GetAsync<Page<ProductSummary>>(Http.Search(Http.Demo, NextQuery()));
                await cluster.B.GetAsync<Page<ProductSummary>>(Http.Search(Http.Demo, NextQuery()));
                return await BothAsync("Healthy");
            },
            "both nodes Healthy again after Redis restarted");
    }

    [Fact]
    public async Task No_request_fails_while_Redis_is_killed_and_a_write_made_meanwhile_reaches_the_other_node()
    {
        var failures = new List<string>();
        await TrafficAsync(20, failures);

        await cluster.Redis.KillAsync();
        await TrafficAsync(60, failures);

        // Written on node A while Redis is down: node B cannot hear of it over the backplane now.
        var url = Http.Product(Http.Demo, 30);
        var product = await cluster.B.GetAsync<ProductDto>(url);
        using (var put = await cluster.A.PutAsJsonAsync(url, Http.Input(product, "Renamed during the outage")))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await cluster.Redis.RestartAsync();
        await TrafficAsync(20, failures);

        Assert.Empty(failures);

        // When node B's backplane subscription comes back it clears its L1 (it may have missed invalidations), so the
        // write made during the outage shows up there.
        await Eventually.HoldsAsync(
            async () => (await cluster.B.GetAsync<ProductDto>(url)).Name == "Renamed during the outage",
            "node B serves the product renamed during the outage");
    }

    /// <summary>Reads of every kind on both nodes (hits and misses, items, pages, searches); records any non-2xx.</summary>
    private async Task TrafficAsync(int rounds, List<string> failures)
    {
        for (var i = 0; i < rounds; i++)
        {
            var client = i % 2 == 0 ? cluster.A : cluster.B;
            string[] urls =
            [
                Http.Product(Http.Demo, 1 + (i % 20)),
                Http.Products(Http.Demo, 1 + (i % 3), 20),
                Http.Search(Http.Demo, NextQuery()),
                Http.Categories(Http.Demo),
            ];
            foreach (var url in urls)
            {
                await CheckAsync(client.GetAsync(url), url, failures);
            }

            await CheckAsync(client.PostAsJsonAsync($"/tenants/{Http.Demo}/customers/lookup", new CustomerLookup("alan@example.com")), "lookup", failures);
        }
    }

    private static async Task CheckAsync(Task<HttpResponseMessage> request, string what, List<string> failures)
    {
        using var response = await request;
        if (!response.IsSuccessStatusCode)
        {
            failures.Add($"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    private async Task<bool> BothAsync(string status) => await cluster.A.HealthAsync() == status && await cluster.B.HealthAsync() == status;

    private string NextQuery() => "item " + (++_query % 60).ToString("000", System.Globalization.CultureInfo.InvariantCulture) + " " + _query;
}
