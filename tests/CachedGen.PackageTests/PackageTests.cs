using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CachedGen;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace PackageConsumer;

public sealed record Item(int Id, string Name);

public interface IItemRepository
{
    [Cached("5m", "item:{id}", nameof(SaveAsync))]
    Task<Item?> GetAsync(int id, CancellationToken ct = default);

    [Cached("1m")]
    ValueTask<IReadOnlyList<Item>> ListAsync(string? filter, int page);

    Task SaveAsync(int id, string name, CancellationToken ct = default);
}

public sealed class ItemSource : IItemRepository
{
    public int Calls;

    public Task<Item?> GetAsync(int id, CancellationToken ct = default)
    {
        Interlocked.Increment(ref Calls);
        return Task.FromResult<Item?>(new Item(id, "item-" + id));
    }

    public ValueTask<IReadOnlyList<Item>> ListAsync(string? filter, int page)
    {
        Interlocked.Increment(ref Calls);
        return new ValueTask<IReadOnlyList<Item>>([new Item(page, filter ?? "")]);
    }

    public Task SaveAsync(int id, string name, CancellationToken ct = default) => Task.CompletedTask;
}

public class PackageTests
{
    [Fact]
    public async Task Generated_decorator_from_the_package_caches_and_invalidates()
    {
        var source = new ItemSource();
        IItemRepository repository = new CachedItemRepository(source, new CacheRuntime(new CachedGenOptions()));

        await repository.GetAsync(1);
        await repository.GetAsync(1);
        Assert.Equal(1, source.Calls);

        await repository.SaveAsync(1, "new");
        await repository.GetAsync(1);
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task AddCachedGen_finds_the_packaged_decorator()
    {
        var source = new ItemSource();
        var services = new ServiceCollection();
        services.AddSingleton<IItemRepository>(source);
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();

        var repository = provider.GetRequiredService<IItemRepository>();
        await repository.ListAsync("a", 1);
        await repository.ListAsync("a", 1);

        Assert.IsType<CachedItemRepository>(repository);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public void Package_ships_the_generator_as_an_analyzer()
    {
        // The decorator type exists only if the analyzer asset was loaded from the package.
        Assert.Equal("PackageConsumer.CachedItemRepository", typeof(CachedItemRepository).FullName);
    }
}
