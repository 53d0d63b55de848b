using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>A disposable repository is disposed as often with CachedGen as without it: once, by whoever created it. The
/// DI container disposes the services it created, so a decorator <c>AddCachedGen</c> built does not dispose its inner
/// service again; a decorator built by hand passes disposal on to the inner service it was given. L1 only: disposal
/// does not depend on Redis.</summary>
public sealed class DisposalTests
{
    [Theory]
    [InlineData(ServiceLifetime.Scoped)]
    [InlineData(ServiceLifetime.Transient)]
    [InlineData(ServiceLifetime.Singleton)]
    public async Task A_registered_disposable_repository_is_disposed_once_by_the_container(ServiceLifetime lifetime)
    {
        var counts = new DisposalCounts();
        var services = new ServiceCollection();
        services.AddSingleton(counts);
        ((IServiceCollection)services).Add(new ServiceDescriptor(typeof(IDisposableStockRepository), typeof(DisposableStockRepository), lifetime));
        services.AddCachedGen();

        await using (var provider = services.BuildServiceProvider())
        {
            using (var scope = provider.CreateScope())
            {
                var repository = scope.ServiceProvider.GetRequiredService<IDisposableStockRepository>();
                Assert.IsType<CachedDisposableStockRepository>(repository);
                Assert.Equal(1, await repository.GetStockAsync(1));
                Assert.Equal(1, await repository.GetStockAsync(1));
            }

            Assert.Equal(lifetime == ServiceLifetime.Singleton ? 0 : 1, counts.Disposed);
        }

        Assert.Equal(1, counts.Disposed);
        Assert.Equal(1, counts.Loads); // the second call was a hit
    }

    [Fact]
    public async Task A_registered_async_disposable_repository_is_disposed_once_by_the_container()
    {
        var counts = new DisposalCounts();
        var services = new ServiceCollection();
        services.AddSingleton(counts);
        services.AddScoped<IAsyncDisposableStockRepository, AsyncDisposableStockRepository>();
        services.AddCachedGen();

        await using (var provider = services.BuildServiceProvider())
        {
            await using var scope = provider.CreateAsyncScope();
            var repository = scope.ServiceProvider.GetRequiredService<IAsyncDisposableStockRepository>();
            Assert.IsType<CachedAsyncDisposableStockRepository>(repository);
            Assert.Equal(2, await repository.GetStockAsync(2));
        }

        Assert.Equal(1, counts.DisposedAsync);
    }

    [Fact]
    public async Task An_instance_given_to_the_container_is_not_disposed_by_the_decorator()
    {
        // The container does not dispose an instance it was handed: without CachedGen nobody disposes it, so with it
        // neither does the decorator.
        var counts = new DisposalCounts();
        var instance = new DisposableStockRepository(counts);
        var services = new ServiceCollection();
        services.AddSingleton<IDisposableStockRepository>(instance);
        services.AddCachedGen();

        await using (var provider = services.BuildServiceProvider())
        {
            Assert.Equal(3, await provider.GetRequiredService<IDisposableStockRepository>().GetStockAsync(3));
        }

        Assert.Equal(0, counts.Disposed);
    }

    [Fact]
    public async Task A_decorator_built_by_hand_disposes_its_inner_service()
    {
        var counts = new DisposalCounts();
        await using var runtime = new CacheRuntime(new CachedGenOptions());
        IDisposableStockRepository repository = new CachedDisposableStockRepository(new DisposableStockRepository(counts), runtime);
        IAsyncDisposableStockRepository asyncRepository = new CachedAsyncDisposableStockRepository(new AsyncDisposableStockRepository(counts), runtime);

        repository.Dispose();
        await asyncRepository.DisposeAsync();

        Assert.Equal(1, counts.Disposed);
        Assert.Equal(1, counts.DisposedAsync);
    }

    [Fact]
    public async Task An_open_generic_disposable_repository_is_disposed_once_by_the_container()
    {
        var counts = new DisposalCounts();
        var services = new ServiceCollection();
        services.AddSingleton(counts);
        services.AddScoped(typeof(IDisposableStore<>), typeof(DisposableStore<>));
        services.AddCachedGen();

        await using (var provider = services.BuildServiceProvider())
        {
            using var scope = provider.CreateScope();
            var store = scope.ServiceProvider.GetRequiredService<IDisposableStore<string>>();
            Assert.IsType<CachedDisposableStore<string>>(store);
            Assert.Equal("4", await store.FindAsync(4));
        }

        Assert.Equal(1, counts.Disposed);
    }
}

public sealed class DisposalCounts
{
    private int _disposed;
    private int _disposedAsync;
    private int _loads;

    public int Disposed => Volatile.Read(ref _disposed);

    public int DisposedAsync => Volatile.Read(ref _disposedAsync);

    public int Loads => Volatile.Read(ref _loads);

    public void Dispose() => Interlocked.Increment(ref _disposed);

    public void DisposeAsync() => Interlocked.Increment(ref _disposedAsync);

    public void Load() => Interlocked.Increment(ref _loads);
}

public interface IDisposableStockRepository : IDisposable
{
    [Cached("5m", "disposal-stock:{id}")]
    Task<int> GetStockAsync(int id, CancellationToken ct = default);
}

public sealed class DisposableStockRepository(DisposalCounts counts) : IDisposableStockRepository
{
    public Task<int> GetStockAsync(int id, CancellationToken ct = default)
    {
        counts.Load();
        return Task.FromResult(id);
    }

    public void Dispose() => counts.Dispose();
}

public interface IAsyncDisposableStockRepository : IAsyncDisposable
{
    [Cached("5m", "disposal-async-stock:{id}")]
    Task<int> GetStockAsync(int id, CancellationToken ct = default);
}

public sealed class AsyncDisposableStockRepository(DisposalCounts counts) : IAsyncDisposableStockRepository
{
    public Task<int> GetStockAsync(int id, CancellationToken ct = default) => Task.FromResult(id);

    public ValueTask DisposeAsync()
    {
        counts.DisposeAsync();
        return default;
    }
}

public interface IDisposableStore<T> : IDisposable
{
    [Cached("5m", "disposal-store:{T}:{id}")]
    Task<string?> FindAsync(int id, CancellationToken ct = default);
}

public sealed class DisposableStore<T>(DisposalCounts counts) : IDisposableStore<T>
{
    public Task<string?> FindAsync(int id, CancellationToken ct = default) => Task.FromResult<string?>(id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => counts.Dispose();
}
