using Microsoft.EntityFrameworkCore;

namespace CachedGen.WebApi.Data;

public sealed class CatalogDbContext(DbContextOptions<CatalogDbContext> options) : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<Category> Categories => Set<Category>();

    public DbSet<Product> Products => Set<Product>();

    public DbSet<Customer> Customers => Set<Customer>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(tenant =>
        {
            tenant.Property(t => t.Name).HasMaxLength(100);
            tenant.HasMany(t => t.Categories).WithOne(c => c.Tenant).HasForeignKey(c => c.TenantId);
            tenant.HasMany(t => t.Products).WithOne(p => p.Tenant).HasForeignKey(p => p.TenantId);
            tenant.HasMany(t => t.Customers).WithOne(c => c.Tenant).HasForeignKey(c => c.TenantId);
        });
        modelBuilder.Entity<Category>(category =>
        {
            category.Property(c => c.Name).HasMaxLength(100);
            category.HasMany(c => c.Products).WithOne(p => p.Category).HasForeignKey(p => p.CategoryId).OnDelete(DeleteBehavior.Restrict);
            category.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        });
        modelBuilder.Entity<Product>(product =>
        {
            product.Property(p => p.Name).HasMaxLength(200);
            product.Property(p => p.Description).HasMaxLength(2000);
            product.HasIndex(p => new { p.TenantId, p.Name });
        });
        modelBuilder.Entity<Customer>(customer =>
        {
            customer.Property(c => c.Email).HasMaxLength(320);
            customer.HasIndex(c => new { c.TenantId, c.Email }).IsUnique();
        });
    }
}
