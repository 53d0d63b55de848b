using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

// A DDD codebase's generic repositories, built from the package with warnings as errors: generic methods inherited
// from a closed generic base, strongly typed ids, nullable struct keys, writes that take the entity.
namespace PackageConsumer.GenericRepositories
{
    public interface IEntity<TKey>
        where TKey : IEquatable<TKey>
    {
        TKey Id { get; }
    }

    public readonly record struct OrderId(Guid Value);

    public sealed record Order(OrderId Id, string Customer) : IEntity<OrderId>;

    public interface IRepository<TEntity, TKey>
        where TEntity : class, IEntity<TKey>
        where TKey : IEquatable<TKey>
    {
        [Cached("5m", "{TEntity}:{id}", nameof(UpdateAsync))]
        Task<TEntity?> GetByIdAsync(TKey id, CancellationToken ct = default);

        Task<TResult?> GetAsync<TResult>(TKey id) where TResult : class;

        IQueryable<TEntity> Query();

        Task UpdateAsync(TEntity entity, CancellationToken ct = default);
    }

    public interface IOrderRepository : IRepository<Order, OrderId>
    {
    }

    public interface IStructKeyRepository<TEntity, TKey>
        where TEntity : class
        where TKey : struct
    {
        [Cached("5m", "{TEntity}:{id}")]
        Task<TEntity?> FindAsync(TKey? id);
    }

    public sealed class OrderSource : IOrderRepository
    {
        private readonly ConcurrentDictionary<OrderId, Order> _rows = new();
        private int _loads;

        public int Loads => Volatile.Read(ref _loads);

        public Task<Order?> GetByIdAsync(OrderId id, CancellationToken ct = default)
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult(_rows.TryGetValue(id, out var row) ? row : null);
        }

        public Task<TResult?> GetAsync<TResult>(OrderId id) where TResult : class => Task.FromResult(_rows.GetValueOrDefault(id) as TResult);

        public IQueryable<Order> Query() => _rows.Values.AsQueryable();

        public Task UpdateAsync(Order entity, CancellationToken ct = default)
        {
            _rows[entity.Id] = entity;
            return Task.CompletedTask;
        }
    }

    public class GenericRepositoryShapeTests
    {
        [Fact]
        public async Task A_closed_generic_repository_keyed_by_a_strongly_typed_id_caches_and_its_entity_write_invalidates()
        {
            var services = new ServiceCollection();
            var source = new OrderSource();
            services.AddSingleton<IOrderRepository>(source);
            services.AddCachedGen();
            await using var provider = services.BuildServiceProvider();
            var repository = provider.GetRequiredService<IOrderRepository>();
            Assert.IsType<CachedOrderRepository>(repository);
            var id = new OrderId(Guid.NewGuid());
            await repository.UpdateAsync(new Order(id, "ada"));

            Assert.Equal("ada", (await repository.GetByIdAsync(id))!.Customer);
            Assert.Equal("ada", (await repository.GetByIdAsync(id))!.Customer);
            Assert.Equal(1, source.Loads);
            Assert.Equal("ada", (await repository.GetAsync<Order>(id))!.Customer);

            await repository.UpdateAsync(new Order(id, "bob"));
            Assert.Equal("bob", (await repository.GetByIdAsync(id))!.Customer);
            Assert.Equal(2, source.Loads);
        }
    }
}
