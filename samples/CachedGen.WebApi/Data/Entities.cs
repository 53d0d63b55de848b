using System;
using System.Collections.Generic;

namespace CachedGen.WebApi.Data;

// EF Core entities, with navigation properties both ways. They never leave the repositories: the repositories project
// them to the records in Catalog/, which is what gets cached and serialized.

/// <summary>An entity that belongs to one tenant.</summary>
public interface ITenantEntity
{
    int Id { get; }

    Guid TenantId { get; }
}

public sealed class Tenant
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public List<Category> Categories { get; } = [];

    public List<Product> Products { get; } = [];

    public List<Customer> Customers { get; } = [];
}

public sealed class Category : ITenantEntity
{
    public int Id { get; set; }

    public Guid TenantId { get; set; }

    public Tenant? Tenant { get; set; }

    public required string Name { get; set; }

    public List<Product> Products { get; } = [];
}

public sealed class Product : ITenantEntity
{
    public int Id { get; set; }

    public Guid TenantId { get; set; }

    public Tenant? Tenant { get; set; }

    public int CategoryId { get; set; }

    public Category? Category { get; set; }

    public required string Name { get; set; }

    public string Description { get; set; } = "";

    public decimal Price { get; set; }

    /// <summary>Incremented by every update: a client can tell which version it read.</summary>
    public int Revision { get; set; }
}

public sealed class Customer : ITenantEntity
{
    public int Id { get; set; }

    public Guid TenantId { get; set; }

    public Tenant? Tenant { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }
}
