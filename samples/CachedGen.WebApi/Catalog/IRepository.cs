using System;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.WebApi.Catalog;

/// <summary>
/// The generic base every catalog repository shares: get by id, list pages per tenant, create, update, delete. CachedGen
/// generates <c>CachedRepository&lt;TDto, TSummary, TInput&gt;</c> for it, and each interface that closes it
/// (<see cref="IProductRepository"/>, <see cref="ICategoryRepository"/>) gets a decorator with these methods cached.
/// Keys of different closed types never collide: the key's version segment names the type arguments.
/// </summary>
/// <remarks>
/// Every read is scoped by tenant: the tenant is part of every key, so two tenants never share an entry. A write
/// removes the item's entry (matched by its <c>tenantId</c> and <c>id</c> parameters) and bumps the tenant's
/// <c>tenant:{tenantId}:lists</c> tag, which every list page and search result of the tenant carries: a product renamed,
/// added or deleted changes product pages and the product counts on category pages alike.
/// </remarks>
public interface IRepository<TDto, TSummary, TInput>
    where TDto : class
    where TSummary : class
    where TInput : class
{
    [Cached("10m", "tenant:{tenantId}:id:{id}", nameof(UpdateAsync), nameof(DeleteAsync))]
    Task<TDto?> GetAsync(Guid tenantId, int id, CancellationToken ct = default);

    [Cached("5m", "tenant:{tenantId}:page:{page}:{pageSize}", Tags = ["tenant:{tenantId}:lists"])]
    Task<Page<TSummary>> ListAsync(Guid tenantId, int page, int pageSize, CancellationToken ct = default);

    [InvalidatesTags("tenant:{tenantId}:lists")]
    Task<TDto> CreateAsync(Guid tenantId, TInput input, CancellationToken ct = default);

    /// <summary>Replaces the item; <see langword="null"/> when the tenant has no item with this id.</summary>
    [InvalidatesTags("tenant:{tenantId}:lists")]
    Task<TDto?> UpdateAsync(Guid tenantId, int id, TInput input, CancellationToken ct = default);

    /// <summary>Deletes the item; <see langword="false"/> when the tenant has no item with this id.</summary>
    [InvalidatesTags("tenant:{tenantId}:lists")]
    Task<bool> DeleteAsync(Guid tenantId, int id, CancellationToken ct = default);
}
