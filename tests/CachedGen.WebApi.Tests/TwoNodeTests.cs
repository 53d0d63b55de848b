using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http.Json;
using System.Threading.Tasks;
using CachedGen.TestKit;
using CachedGen.WebApi.Catalog;
using Xunit;

namespace CachedGen.WebApi.Tests;

/// <summary>Two nodes of the web sample over HTTP, one SQLite file and one redis-server. Each test reads its own
/// products (or its own tenant), so the tests of the class do not see each other's entries.</summary>
public sealed class TwoNodeTests(CatalogCluster cluster) : IClassFixture<CatalogCluster>
{
    /// <summary>How long another node may serve the old value after a write: the backplane's delivery (30–40 ms
    /// measured on loopback, docs/consistency.md), with a margin for a loaded machine.</summary>
    private static readonly TimeSpan BackplaneWindow = TimeSpan.FromSeconds(5);

    private CatalogNode NodeA => cluster.NodeA;

    private CatalogNode NodeB => cluster.NodeB;

    [Fact]
    public async Task A_second_GET_is_served_from_the_cache_without_a_SQL_command()
    {
        var url = Http.Product(Http.Demo, 3);
        var before = NodeA.Sql.Count;
        var first = await cluster.A.GetAsync<ProductDto>(url);
        var afterFirst = NodeA.Sql.Count;

        var second = await cluster.A.GetAsync<ProductDto>(url);

        Assert.True(afterFirst > before, "the first GET read SQLite");
        Assert.Equal(afterFirst, NodeA.Sql.Count);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Node_B_reads_what_node_A_loaded_from_Redis_without_a_SQL_command()
    {
        var url = Http.Product(Http.Demo, 4);
        var loaded = await cluster.A.GetAsync<ProductDto>(url);
        var before = NodeB.Sql.Count;

        var read = await cluster.B.GetAsync<ProductDto>(url);

        Assert.Equal(loaded, read);
        Assert.Equal(before, NodeB.Sql.Count);
    }

    [Fact]
    public async Task A_PUT_on_node_A_is_seen_by_a_GET_on_node_B_within_the_backplane_window()
    {
        var url = Http.Product(Http.Demo, 7);
        var original = await cluster.B.GetAsync<ProductDto>(url);
        var cached = NodeB.Sql.Count;
        Assert.Equal(original, await cluster.B.GetAsync<ProductDto>(url));
        Assert.Equal(cached, NodeB.Sql.Count); // node B serves it from its L1

        using var put = await cluster.A.PutAsJsonAsync(url, Http.Input(original, "Renamed on node A"));
        put.EnsureSuccessStatusCode();
        var written = Stopwatch.StartNew();

        await Eventually.HoldsAsync(
            async () => (await cluster.B.GetAsync<ProductDto>(url)).Name == "Renamed on node A",
            "node B serves the product node A renamed",
            BackplaneWindow);
        var seen = await cluster.B.GetAsync<ProductDto>(url);
        Assert.Equal(original.Revision + 1, seen.Revision);
        Assert.True(written.Elapsed < BackplaneWindow, $"seen on node B {written.Elapsed.TotalMilliseconds:0} ms after the PUT returned");
    }

    [Fact]
    public async Task A_product_created_on_node_A_drops_every_cached_list_page_of_its_tenant_on_node_B()
    {
        // The other tenant: this test adds a product, which would shift the demo tenant's pages under other tests.
        var tenant = Http.Other;
        var firstPage = await cluster.B.GetAsync<Page<ProductSummary>>(Http.Products(tenant, 1, 10));
        var lastPage = await cluster.B.GetAsync<Page<ProductSummary>>(Http.Products(tenant, 6, 10));
        var categories = await cluster.B.GetAsync<Page<CategorySummary>>(Http.Categories(tenant));
        var cached = NodeB.Sql.Count;
        await cluster.B.GetAsync<Page<ProductSummary>>(Http.Products(tenant, 1, 10));
        await cluster.B.GetAsync<Page<ProductSummary>>(Http.Products(tenant, 6, 10));
        await cluster.B.GetAsync<Page<CategorySummary>>(Http.Categories(tenant));
        Assert.Equal(cached, NodeB.Sql.Count); // all three pages are cached on node B

        var category = categories.Items[0];
        using var post = await cluster.A.PostAsJsonAsync($"/tenants/{tenant}/products", new ProductInput("AAA first by name", "New.", 1m, category.Id));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);

        // One tag, tenant:{tenantId}:lists, on every page: page 1 shows the product, page 6 the new total, the
        // category page the new count.
        await Eventually.HoldsAsync(
            async () => (await cluster.B.GetAsync<Page<ProductSummary>>(Http.Products(tenant, 1, 10))).Items[0].Name == "AAA first by name",
            "page 1 on node B starts with the new product",
            BackplaneWindow);
        Assert.Equal(lastPage.Total + 1, (await cluster.B.GetAsync<Page<ProductSummary>>(Http.Products(tenant, 6, 10))).Total);
        var counted = await cluster.B.GetAsync<Page<CategorySummary>>(Http.Categories(tenant));
        Assert.Equal(category.ProductCount + 1, counted.Items.Single(c => c.Id == category.Id).ProductCount);
        Assert.Equal(firstPage.Total + 1, counted.Items.Sum(c => c.ProductCount));
    }

    [Fact]
    public async Task Scraped_metrics_show_hits_and_misses()
    {
        var url = Http.Product(Http.Demo, 11);

        // Hits are counted from a moment after the exporter's listener enabled the counter, and the exporter caches a
        // scrape briefly: call and scrape until both show up.
        await Eventually.HoldsAsync(
            async () =>
            {
                await cluster.A.GetAsync<ProductDto>(url);
                await cluster.A.GetAsync<ProductDto>(url);
                return await cluster.A.ScrapeAsync("cachedgen_hits_total", "level=\"l1\"") > 0
                    && await cluster.A.ScrapeAsync("cachedgen_misses_total") > 0;
            },
            "cachedgen_hits_total (l1) and cachedgen_misses_total in /metrics");
    }

    [Fact]
    public async Task A_customer_is_found_on_node_B_from_Redis_and_its_email_is_in_no_Redis_key()
    {
        var lookup = new CustomerLookup("ada@example.com");
        using var first = await cluster.A.PostAsJsonAsync($"/tenants/{Http.Demo}/customers/lookup", lookup);
        var customer = await first.Content.ReadFromJsonAsync<CustomerDto>();
        var before = NodeB.Sql.Count;

        using var second = await cluster.B.PostAsJsonAsync($"/tenants/{Http.Demo}/customers/lookup", lookup);

        Assert.Equal(customer, await second.Content.ReadFromJsonAsync<CustomerDto>());
        Assert.Equal(before, NodeB.Sql.Count);
        await NodeA.Runtime.PendingFills.WhenIdleAsync(); // every fill of the lookup has landed (a miss is answered first)
        await NodeB.Runtime.PendingFills.WhenIdleAsync();
        Assert.Equal("", (await cluster.Redis.ExecuteAsync("KEYS", "*ada*")).Trim());
    }

    [Fact]
    public async Task Errors_are_ProblemDetails()
    {
        using var missing = await cluster.A.GetAsync(Http.Product(Http.Demo, 999_999));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);

        using var invalid = await cluster.A.PutAsJsonAsync(Http.Product(Http.Demo, 5), new ProductInput("", null, -1m, 424_242));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        var problem = await invalid.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _));
        Assert.True(errors.TryGetProperty("price", out _));
        Assert.True(errors.TryGetProperty("categoryId", out _));

        // A tenant never sees another tenant's product, cached or not.
        await cluster.A.GetAsync<ProductDto>(Http.Product(Http.Demo, 6));
        using var foreign = await cluster.A.GetAsync(Http.Product(Http.Other, 6));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }
}
