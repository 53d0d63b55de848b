using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Benchmarks;

/// <summary>The cached value: a plain record of six members, as a repository would return it.</summary>
public sealed record ItemDto
{
    public int Id { get; init; }

    public string Name { get; init; } = "";

    public decimal Price { get; init; }

    public DateTime UpdatedAt { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool Active { get; init; }
}

/// <summary>The same shape marked immutable: HybridCache then keeps the instance in L1 instead of a serialized copy
/// that it deserializes on every hit.</summary>
[ImmutableObject(true)]
public sealed record ImmutableItemDto
{
    public int Id { get; init; }

    public string Name { get; init; } = "";

    public decimal Price { get; init; }

    public DateTime UpdatedAt { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public bool Active { get; init; }
}

/// <summary>The repository interface the generator decorates (<c>CachedItemRepository</c>).</summary>
public interface IItemRepository
{
    /// <summary>L1 + L2.</summary>
    [Cached("10m", "item:{id}")]
    ValueTask<ItemDto?> GetAsync(int id, CancellationToken ct = default);

    /// <summary>L1 disabled: every call reads Redis (the L2-hit path).</summary>
    [Cached("10m", "item-l2:{id}", LocalTtl = "0s")]
    ValueTask<ItemDto?> GetL2OnlyAsync(int id, CancellationToken ct = default);
}

/// <summary>The "database": a dictionary. Counts its calls so that a benchmark can check it is never reached on a hit.</summary>
public sealed class InMemoryItemRepository : IItemRepository
{
    private readonly Dictionary<int, ItemDto> _items = new();
    private readonly Dictionary<int, ImmutableItemDto> _immutable = new();
    private long _calls;

    public InMemoryItemRepository(int count = 100)
    {
        for (var id = 1; id <= count; id++)
        {
            var item = Create(id);
            _items[id] = item;
            _immutable[id] = new ImmutableItemDto
            {
                Id = item.Id,
                Name = item.Name,
                Price = item.Price,
                UpdatedAt = item.UpdatedAt,
                Tags = item.Tags,
                Active = item.Active,
            };
        }
    }

    public long Calls => Interlocked.Read(ref _calls);

    public static ItemDto Create(int id) => new()
    {
        Id = id,
        Name = "Item number " + id.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Price = 19.99m + id,
        UpdatedAt = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddMinutes(id),
        Tags = ["alpha", "beta", "gamma"],
        Active = id % 2 == 0,
    };

    public ItemDto? Get(int id)
    {
        Interlocked.Increment(ref _calls);
        return _items.GetValueOrDefault(id);
    }

    public ImmutableItemDto? GetImmutable(int id)
    {
        Interlocked.Increment(ref _calls);
        return _immutable.GetValueOrDefault(id);
    }

    public ValueTask<ItemDto?> GetAsync(int id, CancellationToken ct = default) => new(Get(id));

    public ValueTask<ItemDto?> GetL2OnlyAsync(int id, CancellationToken ct = default) => new(Get(id));
}
