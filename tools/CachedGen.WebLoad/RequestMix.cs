using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Threading.Tasks;

namespace CachedGen.WebLoad;

/// <summary>
/// What a client of the catalog does: mostly product pages, some list pages and searches, and a few edits. Per request:
/// 85 % GET a product (uniform over both tenants' products), 10 % GET a list page (pages 1–3 of 20), 4 % a search
/// (10 distinct texts), 1 % PUT a product (a rename, which drops that product and its tenant's list pages and searches).
/// </summary>
public sealed class RequestMix
{
    private static readonly Guid[] Tenants = [Guid.Parse("11111111-1111-1111-1111-111111111111"), Guid.Parse("22222222-2222-2222-2222-222222222222")];
    private static readonly string[] Searches = ["item 00", "item 01", "item 02", "item 03", "item 04", "Books", "Garden", "Kitchen", "item 1", "item 5"];

    private readonly IReadOnlyList<(Guid Tenant, Product Product)> _products;

    private RequestMix(IReadOnlyList<(Guid Tenant, Product Product)> products) => _products = products;

    /// <summary>Reads the product ids of both seeded tenants from the app.</summary>
    public static async Task<RequestMix> DiscoverAsync(HttpClient http, Uri app)
    {
        var products = new List<(Guid, Product)>();
        foreach (var tenant in Tenants)
        {
            var page = await http.GetFromJsonAsync<ProductPage>(new Uri(app, $"/tenants/{tenant}/products?page=1&pageSize=100"));
            products.AddRange(page!.Items.Select(p => (tenant, p)));
        }

        return new RequestMix(products);
    }

    /// <summary>Sends one request of the mix; <see langword="true"/> when it succeeded.</summary>
    public async Task<bool> SendAsync(HttpClient http, Uri app, Random random, int sequence)
    {
        var roll = random.Next(100);
        var (tenant, product) = _products[random.Next(_products.Count)];
        HttpResponseMessage response;
        if (roll < 85)
        {
            response = await http.GetAsync(new Uri(app, $"/tenants/{tenant}/products/{product.Id}"));
        }
        else if (roll < 95)
        {
            response = await http.GetAsync(new Uri(app, $"/tenants/{tenant}/products?page={1 + random.Next(3)}&pageSize=20"));
        }
        else if (roll < 99)
        {
            response = await http.GetAsync(new Uri(app, $"/tenants/{tenant}/products/search?q={Uri.EscapeDataString(Searches[random.Next(Searches.Length)])}"));
        }
        else
        {
            var name = product.Name.Split(" #", 2)[0] + " #" + sequence.ToString(CultureInfo.InvariantCulture);
            response = await http.PutAsJsonAsync(new Uri(app, $"/tenants/{tenant}/products/{product.Id}"), new { name, description = "Edited by the load run.", price = product.Price, categoryId = product.CategoryId });
        }

        using (response)
        {
            await response.Content.LoadIntoBufferAsync();
            return response.IsSuccessStatusCode;
        }
    }

    public sealed record Product(int Id, string Name, decimal Price, int CategoryId);

    public sealed record ProductPage(IReadOnlyList<Product> Items);
}
