using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.AotSample;

/// <summary>The source: a dictionary that counts the reads that reach it.</summary>
public sealed class InMemoryCatalog : ICatalog
{
    private readonly Dictionary<int, Product> _products = new()
    {
        [1] = new Product(1, "Kettle", "kitchen", new Price(39.90m, "EUR"), Availability.InStock, ["steel", "1.7l"]),
        [2] = new Product(2, "Toaster", "kitchen", new Price(24.50m, "EUR"), Availability.Backorder, []),
    };

    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<Product?> GetProductAsync(int id)
    {
        Interlocked.Increment(ref _reads);
        lock (_products)
        {
            return Task.FromResult(_products.GetValueOrDefault(id));
        }
    }

    public Task<IReadOnlyList<Product>> ListAsync(string category)
    {
        Interlocked.Increment(ref _reads);
        lock (_products)
        {
            return Task.FromResult<IReadOnlyList<Product>>(_products.Values.Where(p => p.Category == category).OrderBy(p => p.Id).ToList());
        }
    }

    public Task RenameAsync(int id, string name)
    {
        lock (_products)
        {
            _products[id] = _products[id] with { Name = name };
        }

        return Task.CompletedTask;
    }

    public Task AddAsync(string category, Product product)
    {
        lock (_products)
        {
            _products[product.Id] = product with { Category = category };
        }

        return Task.CompletedTask;
    }
}
