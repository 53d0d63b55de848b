using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.IntegrationTests;

public sealed record Product(int Id, string Name);

/// <summary>The batch contract of docs/batch.md: <c>GetManyAsync</c> shares <c>GetAsync</c>'s entries, one per element.</summary>
public interface IProductCatalog
{
    [Cached("10m", "product:{id}", nameof(UpdateAsync))]
    Task<Product?> GetAsync(int id, CancellationToken ct = default);

    [Cached("10m", "product:{ids[]}")]
    Task<IReadOnlyDictionary<int, Product>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default);

    Task UpdateAsync(int id, string name, CancellationToken ct = default);

    /// <summary>A batch method of its own (no twin), with another placeholder and a list parameter.</summary>
    [Cached("10m", "tenant:{tenant}:price:{skus[]}", nameof(SetPricesAsync), nameof(SetPrice))]
    ValueTask<Dictionary<string, decimal>> GetPricesAsync(string tenant, List<string> skus, CancellationToken ct = default);

    /// <summary>Invalidates one price entry per element of <paramref name="skus"/>.</summary>
    Task SetPricesAsync(string tenant, IReadOnlyList<string> skus, decimal price, CancellationToken ct = default);

    /// <summary>Invalidates the entry of <paramref name="sku"/>, the element parameter of <c>skus</c>.</summary>
    void SetPrice(string tenant, string sku, decimal price);

    [Cached("10m", "catalog-maybe:{id}", CacheNull = false)]
    Task<Product?> FindAsync(int id, CancellationToken ct = default);

    [Cached("10m", "catalog-maybe:{ids[]}", CacheNull = false)]
    Task<IReadOnlyDictionary<int, Product>> FindManyAsync(int[] ids, CancellationToken ct = default);

    /// <summary>Synchronous, for the ambient <see cref="CacheContext"/>.</summary>
    [Cached("10m", "label:{id}")]
    string GetLabel(int id);
}

/// <summary>A batch method whose twin (<see cref="IProductCatalog.GetAsync"/>) is in another interface: the same Redis
/// entries, a cache of its own in each process.</summary>
public interface IProductBatchReader
{
    [Cached("10m", "product:{ids[]}")]
    Task<IReadOnlyDictionary<int, Product>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default);
}

/// <summary>The source behind every node: products 1 to 999 exist (id 1000 and above do not); it counts each element it
/// is asked for, and can hold a call until the test releases it.</summary>
public sealed class ProductSource : IProductCatalog, IProductBatchReader
{
    private readonly ConcurrentDictionary<int, string> _names = new();
    private readonly ConcurrentDictionary<int, int> _loads = new();
    private readonly ConcurrentQueue<int[]> _batches = new();
    private int _calls;

    /// <summary>When set, a call for an element in <see cref="HeldIds"/> signals <see cref="Entered"/> and waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    public HashSet<int> HeldIds { get; } = [];

    public SemaphoreSlim Entered { get; } = new(0);

    /// <summary>Ids for which the source says "do not cache" (an upstream failed), or the TTL to use.</summary>
    public HashSet<int> Incomplete { get; } = [];

    public TimeSpan? TtlFor13 { get; set; }

    /// <summary>When set, <see cref="GetManyAsync"/> answers with a dictionary of its own whose enumeration throws
    /// <see cref="AnswerFailure"/> after the first element (a lazy view over a failing upstream).</summary>
    public bool AnswerThrowsWhileRead { get; set; }

    public static readonly string AnswerFailure = "the upstream failed while its answer was read";

    public int Calls => Volatile.Read(ref _calls);

    public int Loads(int id) => _loads.TryGetValue(id, out var n) ? n : 0;

    public IReadOnlyCollection<int[]> Batches => _batches.ToArray();

    private static bool Exists(int id) => id is > 0 and < 1000;

    private string Name(int id) => _names.TryGetValue(id, out var name) ? name : "product-" + id;

    private async Task EnterAsync(IEnumerable<int> ids)
    {
        Interlocked.Increment(ref _calls);
        var list = ids.ToArray();
        foreach (var id in list)
        {
            _loads.AddOrUpdate(id, 1, static (_, n) => n + 1);
        }

        if (Gate is { } gate && list.Any(HeldIds.Contains))
        {
            Entered.Release();
            await gate.Task;
        }

        await Task.Yield();
        if (list.Any(Incomplete.Contains))
        {
            CacheContext.Current?.DoNotCache();
        }

        if (TtlFor13 is { } ttl && list.Contains(13) && CacheContext.Current is { } context)
        {
            context.Ttl = ttl;
        }
    }

    public async Task<Product?> GetAsync(int id, CancellationToken ct = default)
    {
        await EnterAsync([id]);
        return Exists(id) ? new Product(id, Name(id)) : null;
    }

    public async Task<IReadOnlyDictionary<int, Product>> GetManyAsync(IReadOnlyCollection<int> ids, CancellationToken ct = default)
    {
        _batches.Enqueue(ids.ToArray());
        await EnterAsync(ids);
        var found = ids.Where(Exists).ToDictionary(id => id, id => new Product(id, Name(id)));
        return AnswerThrowsWhileRead ? new ThrowingWhileRead(found) : found;
    }

    private sealed class ThrowingWhileRead(Dictionary<int, Product> inner) : IReadOnlyDictionary<int, Product>
    {
        public Product this[int key] => inner[key];

        public IEnumerable<int> Keys => inner.Keys;

        public IEnumerable<Product> Values => inner.Values;

        public int Count => inner.Count;

        public bool ContainsKey(int key) => inner.ContainsKey(key);

        public bool TryGetValue(int key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Product value) => inner.TryGetValue(key, out value);

        public IEnumerator<KeyValuePair<int, Product>> GetEnumerator()
        {
            yield return inner.First();
            throw new InvalidOperationException(AnswerFailure);
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public Task UpdateAsync(int id, string name, CancellationToken ct = default)
    {
        _names[id] = name;
        return Task.CompletedTask;
    }

    private readonly ConcurrentDictionary<(string, string), decimal> _prices = new();

    public async ValueTask<Dictionary<string, decimal>> GetPricesAsync(string tenant, List<string> skus, CancellationToken ct = default)
    {
        await EnterAsync(skus.Select(s => s.GetHashCode()));
        return skus.ToDictionary(s => s, s => _prices.TryGetValue((tenant, s), out var p) ? p : tenant == "eu" ? 2m : 1m);
    }

    public Task SetPricesAsync(string tenant, IReadOnlyList<string> skus, decimal price, CancellationToken ct = default)
    {
        foreach (var sku in skus)
        {
            _prices[(tenant, sku)] = price;
        }

        return Task.CompletedTask;
    }

    public void SetPrice(string tenant, string sku, decimal price) => _prices[(tenant, sku)] = price;

    public async Task<Product?> FindAsync(int id, CancellationToken ct = default) => await GetAsync(id, ct);

    public async Task<IReadOnlyDictionary<int, Product>> FindManyAsync(int[] ids, CancellationToken ct = default) => await GetManyAsync(ids, ct);

    public string GetLabel(int id)
    {
        EnterAsync([id]).GetAwaiter().GetResult();
        return "label-" + id;
    }
}
