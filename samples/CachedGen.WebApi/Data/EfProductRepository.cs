using System;
using System.Linq;
using System.Linq.Expressions;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;

namespace CachedGen.WebApi.Data;

public sealed class EfProductRepository(CatalogDbContext db)
    : EfRepository<Product, ProductDto, ProductSummary, ProductInput>(db), IProductRepository
{
    /// <summary>Rows per search page.</summary>
    public const int SearchPageSize = 20;

    protected override Expression<Func<Product, ProductDto>> ToDto { get; }
        = p => new ProductDto(p.Id, p.TenantId, p.CategoryId, p.Name, p.Description, p.Price, p.Revision);

    protected override Expression<Func<Product, ProductSummary>> ToSummary { get; }
        = p => new ProductSummary(p.Id, p.Name, p.Price, p.CategoryId, p.Category!.Name);

    protected override Expression<Func<Product, string>> SortKey { get; } = p => p.Name;

    public Task<Page<ProductSummary>> SearchAsync(Guid tenantId, string query, int page, CancellationToken ct = default)
        => PageAsync(Set.Where(p => p.TenantId == tenantId && p.Name.Contains(query)), page, SearchPageSize, ct);

    protected override Product Create(Guid tenantId, ProductInput input)
        => new() { TenantId = tenantId, Name = input.Name, Description = input.Description ?? "", Price = input.Price, CategoryId = input.CategoryId };

    protected override void Apply(Product entity, ProductInput input)
    {
        entity.Name = input.Name;
        entity.Description = input.Description ?? "";
        entity.Price = input.Price;
        entity.CategoryId = input.CategoryId;
        entity.Revision++;
    }
}
