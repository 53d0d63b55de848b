using System;
using System.Collections.Generic;

namespace CachedGen.WebApi.Catalog;

// What the repositories return, what CachedGen caches (MessagePack in Redis) and what goes out over HTTP: plain
// records, never EF entities (an entity's navigation properties would drag the whole graph, cycles included, along).

/// <summary>One page of a list.</summary>
public sealed record Page<T>(int Number, int Size, int Total, IReadOnlyList<T> Items);

/// <summary>A product, as <c>GET /tenants/{tenantId}/products/{id}</c> returns it.</summary>
public sealed record ProductDto(int Id, Guid TenantId, int CategoryId, string Name, string Description, decimal Price, int Revision);

/// <summary>A product in a list page, with its category's name (read through the navigation property).</summary>
public sealed record ProductSummary(int Id, string Name, decimal Price, int CategoryId, string CategoryName);

/// <summary>What a client sends to create or replace a product.</summary>
public sealed record ProductInput(string Name, string? Description, decimal Price, int CategoryId);

/// <summary>A category.</summary>
public sealed record CategoryDto(int Id, Guid TenantId, string Name);

/// <summary>A category in a list page, with the number of its products.</summary>
public sealed record CategorySummary(int Id, string Name, int ProductCount);

/// <summary>What a client sends to create or rename a category.</summary>
public sealed record CategoryInput(string Name);

/// <summary>A customer: personal data, cached encrypted under a hashed key (see <see cref="ICustomerRepository"/>).</summary>
public sealed record CustomerDto(int Id, Guid TenantId, string Name, string Email);

/// <summary>The body of <c>POST /tenants/{tenantId}/customers/lookup</c>: the e-mail stays out of URLs and access logs.</summary>
public sealed record CustomerLookup(string Email);
