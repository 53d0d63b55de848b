using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Reads in a generic base interface, writes in the generic repository that inherits it, named with C# 14's
/// <c>nameof(IRepository&lt;&gt;)</c>: the write invalidates the entry in the repository's decorator, for an open generic
/// registration, as a user registers one. L1 only: which decorator invalidates what does not depend on Redis.</summary>
public sealed class InheritedWriteTests
{
    [Fact]
    public async Task A_write_of_the_generic_repository_invalidates_the_read_it_inherits()
    {
        var services = new ServiceCollection();
        services.AddSingleton<StockCounter>();
        services.AddScoped(typeof(IStockRepository<>), typeof(StockRepository<>));
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();
        var counter = provider.GetRequiredService<StockCounter>();

        using (var scope = provider.CreateScope())
        {
            var repository = scope.ServiceProvider.GetRequiredService<IStockRepository<Pallet>>();
            Assert.IsType<CachedStockRepository<Pallet>>(repository);
            Assert.Equal(0, await repository.GetLevelAsync(7));
            Assert.Equal(0, await repository.GetLevelAsync(7));
            Assert.Equal(1, counter.Reads); // the second read was a hit

            await repository.SetLevelAsync(7, 12);
        }

        using (var scope = provider.CreateScope())
        {
            Assert.Equal(12, await scope.ServiceProvider.GetRequiredService<IStockRepository<Pallet>>().GetLevelAsync(7));
        }

        Assert.Equal(2, counter.Reads);
    }

    /// <summary>The read-only interface registered beside the repository (both open, one implementation): its decorator
    /// and the repository's are one cached method, so a write through the repository leaves no stale copy in the L1 the
    /// read-only decorator serves from.</summary>
    [Fact]
    public async Task A_write_through_the_repository_is_seen_through_the_read_only_interface_of_the_same_process()
    {
        var services = new ServiceCollection();
        services.AddSingleton<StockCounter>();
        services.AddScoped(typeof(IStockReads<>), typeof(StockRepository<>));
        services.AddScoped(typeof(IStockRepository<>), typeof(StockRepository<>));
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();
        var counter = provider.GetRequiredService<StockCounter>();

        using var scope = provider.CreateScope();
        var reads = scope.ServiceProvider.GetRequiredService<IStockReads<Pallet>>();
        var repository = scope.ServiceProvider.GetRequiredService<IStockRepository<Pallet>>();
        Assert.IsType<CachedStockReads<Pallet>>(reads);
        Assert.Equal(0, await reads.GetLevelAsync(3));
        Assert.Equal(0, await repository.GetLevelAsync(3)); // the same entry: served from the read-only decorator's fill
        Assert.Equal(1, counter.Reads);

        await repository.SetLevelAsync(3, 40);

        Assert.Equal(40, await reads.GetLevelAsync(3));
        Assert.Equal(2, counter.Reads);
    }
}

/// <summary>[Cached] on a generic class's method (the interfaces come from another library), naming the repository
/// interface's write with C# 14's <c>nameof(IRepository&lt;&gt;)</c>.</summary>
public sealed class ClassLevelInheritedWriteTests
{
    [Fact]
    public async Task A_write_of_the_repository_invalidates_the_class_s_cached_read()
    {
        var services = new ServiceCollection();
        services.AddSingleton<StockCounter>();
        services.AddScoped(typeof(IShelfRepository<>), typeof(ShelfStore<>));
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();
        var counter = provider.GetRequiredService<StockCounter>();
        using var scope = provider.CreateScope();
        var repository = scope.ServiceProvider.GetRequiredService<IShelfRepository<Pallet>>();

        Assert.Equal(0, await repository.CountAsync());
        Assert.Equal(0, await repository.CountAsync());
        Assert.Equal(1, counter.Reads);

        await repository.AddAsync(new Pallet(1));

        Assert.Equal(1, await repository.CountAsync());
        Assert.Equal(2, counter.Reads);
    }
}

public interface IShelfReads<T> where T : class
{
    Task<int> CountAsync(CancellationToken ct = default);
}

public interface IShelfRepository<T> : IShelfReads<T> where T : class
{
    Task AddAsync(T item, CancellationToken ct = default);
}

public sealed class ShelfStore<T>(StockCounter counter) : IShelfRepository<T> where T : class
{
    [Cached("5m", "inherited-write-shelf:{T}:count", $"{nameof(IShelfRepository<>)}.{nameof(IShelfRepository<>.AddAsync)}")]
    public Task<int> CountAsync(CancellationToken ct = default)
    {
        counter.Read();
        return Task.FromResult(counter.Levels.Count);
    }

    public Task AddAsync(T item, CancellationToken ct = default)
    {
        counter.Levels[counter.Levels.Count] = 1;
        return Task.CompletedTask;
    }
}

public sealed record Pallet(int Id);

public sealed class StockCounter
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public System.Collections.Concurrent.ConcurrentDictionary<int, int> Levels { get; } = new();

    public void Read() => Interlocked.Increment(ref _reads);
}

public interface IStockReads<T> where T : class
{
    [Cached("5m", "inherited-write-stock:{T}:{id}", $"{nameof(IStockRepository<>)}.{nameof(IStockRepository<>.SetLevelAsync)}")]
    Task<int> GetLevelAsync(int id, CancellationToken ct = default);
}

public interface IStockRepository<T> : IStockReads<T> where T : class
{
    Task SetLevelAsync(int id, int level, CancellationToken ct = default);
}

public sealed class StockRepository<T>(StockCounter counter) : IStockRepository<T> where T : class
{
    public Task<int> GetLevelAsync(int id, CancellationToken ct = default)
    {
        counter.Read();
        return Task.FromResult(counter.Levels.TryGetValue(id, out var level) ? level : 0);
    }

    public Task SetLevelAsync(int id, int level, CancellationToken ct = default)
    {
        counter.Levels[id] = level;
        return Task.CompletedTask;
    }
}
