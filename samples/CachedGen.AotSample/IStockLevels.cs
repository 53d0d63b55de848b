using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen;

namespace CachedGen.AotSample;

/// <summary>A strongly typed id, as EF Core codebases declare them: a key value as its one field is.</summary>
public readonly record struct Sku(Guid Value);

/// <summary>Stock levels by a strongly typed id: in a key, a tag, a batch placeholder and the tag a write invalidates.
/// Under Native AOT its one field is read through metadata the generated decorator asks to be kept.</summary>
public interface IStockLevels
{
    [Cached("5m", "stock:{sku}", Tags = ["sku:{sku}"])]
    Task<int> GetLevelAsync(Sku sku);

    [Cached("5m", "stock:{skus[]}")]
    Task<IReadOnlyDictionary<Sku, int>> GetLevelsAsync(IEnumerable<Sku> skus);

    [InvalidatesTags("sku:{sku}")]
    Task SetLevelAsync(Sku sku, int level);
}

/// <summary>The source: levels in a dictionary, reads counted.</summary>
public sealed class InMemoryStock : IStockLevels
{
    private readonly Dictionary<Sku, int> _levels = [];
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<int> GetLevelAsync(Sku sku)
    {
        Interlocked.Increment(ref _reads);
        lock (_levels)
        {
            return Task.FromResult(_levels.GetValueOrDefault(sku));
        }
    }

    public Task<IReadOnlyDictionary<Sku, int>> GetLevelsAsync(IEnumerable<Sku> skus)
    {
        Interlocked.Increment(ref _reads);
        lock (_levels)
        {
            return Task.FromResult<IReadOnlyDictionary<Sku, int>>(skus.ToDictionary(s => s, s => _levels.GetValueOrDefault(s)));
        }
    }

    public Task SetLevelAsync(Sku sku, int level)
    {
        lock (_levels)
        {
            _levels[sku] = level;
        }

        return Task.CompletedTask;
    }
}
