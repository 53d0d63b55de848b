using System;
using System.Linq;
using System.Linq.Expressions;
using CachedGen.WebApi.Catalog;

namespace CachedGen.WebApi.Data;

public sealed class EfCategoryRepository(CatalogDbContext db)
    : EfRepository<Category, CategoryDto, CategorySummary, CategoryInput>(db), ICategoryRepository
{
    protected override Expression<Func<Category, CategoryDto>> ToDto { get; } = c => new CategoryDto(c.Id, c.TenantId, c.Name);

    protected override Expression<Func<Category, CategorySummary>> ToSummary { get; }
        = c => new CategorySummary(c.Id, c.Name, c.Products.Count);

    protected override Expression<Func<Category, string>> SortKey { get; } = c => c.Name;

    protected override Category Create(Guid tenantId, CategoryInput input) => new() { TenantId = tenantId, Name = input.Name };

    protected override void Apply(Category entity, CategoryInput input) => entity.Name = input.Name;
}
