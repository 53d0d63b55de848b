using System.Collections.Generic;
using System.Threading.Tasks;
using CachedGen;

namespace CachedGen.AotSample;

public enum Availability
{
    InStock,
    Backorder,
}

public sealed record Price(decimal Amount, string Currency);

public sealed record Product(int Id, string Name, string Category, Price Price, Availability Availability, IReadOnlyList<string> Tags);

/// <summary>The catalog the sample caches: a product by id (invalidated by its update), and the products of a category
/// (tagged by the category, invalidated by any change to it).</summary>
public interface ICatalog
{
    [Cached("5m", "product:{id}", nameof(RenameAsync))]
    Task<Product?> GetProductAsync(int id);

    [Cached("5m", "category:{category}:products", Tags = ["category:{category}"])]
    Task<IReadOnlyList<Product>> ListAsync(string category);

    Task RenameAsync(int id, string name);

    [InvalidatesTags("category:{category}")]
    Task AddAsync(string category, Product product);
}
