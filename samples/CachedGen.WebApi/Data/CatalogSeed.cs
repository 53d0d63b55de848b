using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.EntityFrameworkCore;

namespace CachedGen.WebApi.Data;

/// <summary>Creates the database on first start and fills it with two tenants' catalogs.</summary>
public static class CatalogSeed
{
    /// <summary>The tenant the README and docs/getting-started.md use in their <c>curl</c> lines.</summary>
    public static readonly Guid DemoTenant = Guid.Parse("11111111-1111-1111-1111-111111111111");

    /// <summary>A second tenant, so that tenant isolation can be seen.</summary>
    public static readonly Guid OtherTenant = Guid.Parse("22222222-2222-2222-2222-222222222222");

    /// <summary>Products per tenant.</summary>
    public const int ProductsPerTenant = 60;

    private static readonly string[] CategoryNames = ["Books", "Garden", "Kitchen"];

    public static async Task EnsureSeededAsync(CatalogDbContext db, CancellationToken ct = default)
    {
        await db.Database.EnsureCreatedAsync(ct);
        if (await db.Tenants.AnyAsync(ct))
        {
            return;
        }

        foreach (var (id, name) in new[] { (DemoTenant, "Demo shop"), (OtherTenant, "Other shop") })
        {
            var tenant = new Tenant { Id = id, Name = name };
            foreach (var categoryName in CategoryNames)
            {
                tenant.Categories.Add(new Category { Name = categoryName, Tenant = tenant });
            }

            for (var i = 1; i <= ProductsPerTenant; i++)
            {
                var category = tenant.Categories[i % tenant.Categories.Count];
                tenant.Products.Add(new Product
                {
                    Name = $"{category.Name} item {i:000}",
                    Description = $"Item {i} of the {category.Name.ToLowerInvariant()} range.",
                    Price = 5m + (i % 17) * 1.25m,
                    Category = category,
                    Tenant = tenant,
                });
            }

            tenant.Customers.Add(new Customer { Name = "Ada Lovelace", Email = "ada@example.com", Tenant = tenant });
            tenant.Customers.Add(new Customer { Name = "Alan Turing", Email = "alan@example.com", Tenant = tenant });
            db.Tenants.Add(tenant);
        }

        await db.SaveChangesAsync(ct);
    }
}
