using System;
using System.Linq;
using System.Linq.Expressions;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using Microsoft.EntityFrameworkCore;

namespace CachedGen.WebApi.Data;

/// <summary>
/// The generic EF Core repository the specific ones derive from. It knows nothing of caching: CachedGen's generated
/// decorators (<c>CachedProductRepository</c>, <c>CachedCategoryRepository</c>) wrap the registered repositories.
/// Reads project entities to records in SQL (no tracking, no entity leaves this class).
/// </summary>
public abstract class EfRepository<TEntity, TDto, TSummary, TInput>(CatalogDbContext db) : IRepository<TDto, TSummary, TInput>
    where TEntity : class, ITenantEntity
    where TDto : class
    where TSummary : class
    where TInput : class
{
    /// <summary>Largest page a list returns.</summary>
    public const int MaxPageSize = 100;

    protected CatalogDbContext Db { get; } = db;

    protected DbSet<TEntity> Set => Db.Set<TEntity>();

    /// <summary>The entity as the record <see cref="GetAsync"/> returns, translated to SQL.</summary>
    protected abstract Expression<Func<TEntity, TDto>> ToDto { get; }

    /// <summary>The entity as a list row, translated to SQL (navigation properties become joins).</summary>
    protected abstract Expression<Func<TEntity, TSummary>> ToSummary { get; }

    /// <summary>Order of list pages.</summary>
    protected abstract Expression<Func<TEntity, string>> SortKey { get; }

    protected abstract TEntity Create(Guid tenantId, TInput input);

    protected abstract void Apply(TEntity entity, TInput input);

    public Task<TDto?> GetAsync(Guid tenantId, int id, CancellationToken ct = default)
        => Set.AsNoTracking().Where(e => e.TenantId == tenantId && e.Id == id).Select(ToDto).FirstOrDefaultAsync(ct);

    public Task<Page<TSummary>> ListAsync(Guid tenantId, int page, int pageSize, CancellationToken ct = default)
        => PageAsync(Set.AsNoTracking().Where(e => e.TenantId == tenantId), page, pageSize, ct);

    public async Task<TDto> CreateAsync(Guid tenantId, TInput input, CancellationToken ct = default)
    {
        var entity = Create(tenantId, input);
        Set.Add(entity);
        await Db.SaveChangesAsync(ct);
        return (await GetAsync(tenantId, entity.Id, ct))!;
    }

    public async Task<TDto?> UpdateAsync(Guid tenantId, int id, TInput input, CancellationToken ct = default)
    {
        var entity = await Set.FirstOrDefaultAsync(e => e.TenantId == tenantId && e.Id == id, ct);
        if (entity is null)
        {
            return null;
        }

        Apply(entity, input);
        await Db.SaveChangesAsync(ct);
        return await GetAsync(tenantId, id, ct);
    }

    public async Task<bool> DeleteAsync(Guid tenantId, int id, CancellationToken ct = default)
        => await Set.Where(e => e.TenantId == tenantId && e.Id == id).ExecuteDeleteAsync(ct) > 0;

    /// <summary>One page of <paramref name="query"/>, sorted, with the total count.</summary>
    protected async Task<Page<TSummary>> PageAsync(IQueryable<TEntity> query, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(page, 1);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(SortKey).ThenBy(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize).Select(ToSummary).ToListAsync(ct);
        return new Page<TSummary>(page, pageSize, total, items);
    }
}
