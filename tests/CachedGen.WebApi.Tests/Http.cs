using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using CachedGen.WebApi.Data;

namespace CachedGen.WebApi.Tests;

/// <summary>The sample's routes, and reading what they answer.</summary>
internal static class Http
{
    public static readonly Guid Demo = CatalogSeed.DemoTenant;

    public static readonly Guid Other = CatalogSeed.OtherTenant;

    public static string Product(Guid tenant, int id) => $"/tenants/{tenant}/products/{id}";

    public static string Products(Guid tenant, int page, int pageSize) => $"/tenants/{tenant}/products?page={page}&pageSize={pageSize}";

    public static string Categories(Guid tenant) => $"/tenants/{tenant}/categories";

    public static string Search(Guid tenant, string query) => $"/tenants/{tenant}/products/search?q={Uri.EscapeDataString(query)}";

    public static async Task<T> GetAsync<T>(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    /// <summary>The status <c>/health</c> reports: Healthy, Degraded or Unhealthy.</summary>
    public static async Task<string> HealthAsync(this HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>The sum of a counter over all its series in a Prometheus scrape of <c>/metrics</c> (0 when absent).</summary>
    public static async Task<double> ScrapeAsync(this HttpClient client, string counter, string? label = null)
    {
        var text = await client.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith(counter + "{", StringComparison.Ordinal) && (label is null || line.Contains(label, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public static ProductInput Input(ProductDto product, string name) => new(name, product.Description, product.Price, product.CategoryId);
}
