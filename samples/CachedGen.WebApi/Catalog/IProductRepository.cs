using System;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.WebApi.Catalog;

/// <summary>Products: the generic base's methods plus a search. CachedGen generates <c>CachedProductRepository</c>.</summary>
public interface IProductRepository : IRepository<ProductDto, ProductSummary, ProductInput>
{
    /// <summary>Products of the tenant whose name contains <paramref name="query"/>. Short-lived (1 minute, 30 s in
    /// appsettings.json) and tagged like the list pages, so any write of the tenant's catalog drops it.</summary>
    [Cached("1m", "tenant:{tenantId}:search:{query}:{page}", Tags = ["tenant:{tenantId}:lists"])]
    Task<Page<ProductSummary>> SearchAsync(Guid tenantId, string query, int page, CancellationToken ct = default);
}
