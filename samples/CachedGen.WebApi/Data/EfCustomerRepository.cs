using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using Microsoft.EntityFrameworkCore;

namespace CachedGen.WebApi.Data;

public sealed class EfCustomerRepository(CatalogDbContext db) : ICustomerRepository
{
    public Task<CustomerDto?> FindByEmailAsync(Guid tenantId, string email, CancellationToken ct = default)
        => db.Customers.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Email == email)
            .Select(c => new CustomerDto(c.Id, c.TenantId, c.Name, c.Email))
            .FirstOrDefaultAsync(ct);
}
