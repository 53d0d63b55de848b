using System.Linq;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>Batch methods (<c>{ids[]}</c>, docs/batch.md): sharing the twin's cache, a cache of their own, writes that
/// fill the batch placeholder, and <c>CacheNull = false</c>.</summary>
public class BatchGeneratorTests
{
    private const string Catalog = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Shop;

        public sealed record Product(int Id, string Name);

        public interface IProductCatalog
        {
            [Cached("10m", "product:{id}", nameof(UpdateAsync))]
            Task<Product?> GetAsync(int id, CancellationToken ct = default);

            [Cached("10m", "product:{ids[]}")]
            Task<IReadOnlyDictionary<int, Product>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default);

            Task UpdateAsync(int id, string name, CancellationToken ct = default);

            [Cached("10m", "tenant:{tenant}:price:{skus[]}", nameof(SetPricesAsync), nameof(SetPrice), CacheNull = false)]
            ValueTask<Dictionary<string, decimal>> GetPricesAsync(string tenant, List<string> skus, CancellationToken ct = default);

            Task SetPricesAsync(string tenant, IReadOnlyList<string> skus, decimal price);

            void SetPrice(string tenant, string sku, decimal price);

            [Cached("1m", "stock:{ids[]:hash}")]
            IDictionary<string, int> GetStock(HashSet<string> ids);
        }
        """;

    [Fact]
    public void Batch_methods_share_the_twins_cache_or_have_their_own()
    {
        var result = GeneratorHarness.Run(Catalog);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);

        // GetManyAsync has no descriptor or field: it calls GetAsync's cache.
        Assert.DoesNotContain("GetManyAsyncDescriptor", text, System.StringComparison.Ordinal);
        Assert.Contains("=> _getAsync.GetManyTaskAsync<int, CachedProductCatalog, global::System.Collections.Generic.IReadOnlyDictionary<int, global::Shop.Product>>(ids, this, GetManyAsyncKeyOf, GetManyAsyncLoader, ct);", text, System.StringComparison.Ordinal);

        // GetPricesAsync has its own cache, entries per element, CacheNull = false, and two kinds of writes.
        Assert.Contains("GetPricesAsyncDescriptor = new(", text, System.StringComparison.Ordinal);
        Assert.Contains("CacheNull = false,", text, System.StringComparison.Ordinal);
        Assert.Contains("new global::System.Collections.Generic.List<string>(missing)", text, System.StringComparison.Ordinal);
        Assert.Contains("_getPricesAsync.InvalidateEachAsync(global::System.Linq.Enumerable.Select(skus, batchElement => ((string?, string?))(tenant, batchElement)))", text, System.StringComparison.Ordinal);
        Assert.Contains("_getPricesAsync.Invalidate((tenant, sku));", text, System.StringComparison.Ordinal);

        // The synchronous one with a hashed placeholder.
        Assert.Contains("=> _getStock.GetMany<string, CachedProductCatalog, global::System.Collections.Generic.IDictionary<string, int>>(ids, this, GetStockKeyOf, GetStockLoader);", text, System.StringComparison.Ordinal);
        Assert.Contains("HashesKey = true,", text, System.StringComparison.Ordinal);
        Snapshot.Verify(text, $"{nameof(BatchGeneratorTests)}.{nameof(Batch_methods_share_the_twins_cache_or_have_their_own)}#{hint}");
    }
}
