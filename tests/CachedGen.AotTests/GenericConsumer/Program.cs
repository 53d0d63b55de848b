using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CachedGen;
using Microsoft.Extensions.DependencyInjection;

namespace Shop;

public interface IEntity
{
    int Id { get; }
}

public sealed record Order(int Id, string Customer) : IEntity;

public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

public interface IRepository<TEntity>
    where TEntity : class, IEntity
{
    [Cached("5m", "entity:{id}")]
    Task<TEntity?> GetAsync(int id, CancellationToken ct = default);

    [Cached("1m", "{TEntity}:page:{number}")]
    Task<Page<TEntity>> PageAsync(int number);
}

public sealed class MemoryRepository<TEntity> : IRepository<TEntity>
    where TEntity : class, IEntity
{
    public Task<TEntity?> GetAsync(int id, CancellationToken ct = default) => Task.FromResult<TEntity?>(null);

    public Task<Page<TEntity>> PageAsync(int number) => Task.FromResult(new Page<TEntity>([], 0));
}

public static class Program
{
    public static async Task Main()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IRepository<Order>, MemoryRepository<Order>>();
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();
        var repository = provider.GetRequiredService<IRepository<Order>>();
        Console.WriteLine($"{repository.GetType().Name}: {(await repository.PageAsync(1)).Total}");
    }
}
