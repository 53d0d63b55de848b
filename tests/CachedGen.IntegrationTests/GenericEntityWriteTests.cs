using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests.Generic.Writes;

public interface IKeyed<TKey>
    where TKey : IEquatable<TKey>
{
    TKey Id { get; }
}

/// <summary>An entity base class that declares Id and implements the keyed interface, as DDD bases do.</summary>
public abstract record Row(int Id) : IKeyed<int>;

public sealed record Invoice(int Id, decimal Amount) : Row(Id);

public sealed record Ticket(Guid Id, string Title) : IKeyed<Guid>;

/// <summary>A strongly typed id, as DDD code writes them: encoded in a key as its one field.</summary>
public readonly record struct ShipmentId(Guid Value);

public sealed record Shipment(ShipmentId Id, string Carrier) : IKeyed<ShipmentId>;

/// <summary>The write takes the entity: <c>{id}</c> is filled by <c>entity.Id</c>, a member of the type parameter's
/// constraint typed by the other type parameter.</summary>
public interface IEntityRepository<TEntity, TKey>
    where TEntity : class, IKeyed<TKey>
    where TKey : IEquatable<TKey>
{
    [Cached("10m", "{TEntity}:{id}", nameof(UpdateAsync))]
    Task<TEntity?> GetByIdAsync(TKey id, CancellationToken ct = default);

    Task UpdateAsync(TEntity entity, CancellationToken ct = default);
}

/// <summary>Closes the generic repository over the strongly typed id: decorated at compile time.</summary>
public interface IShipmentRepository : IEntityRepository<Shipment, ShipmentId>
{
}

public sealed class ShipmentRepository(Rows<Shipment, ShipmentId> rows) : IShipmentRepository
{
    private readonly EntityRepository<Shipment, ShipmentId> _rows = new(rows);

    public Task<Shipment?> GetByIdAsync(ShipmentId id, CancellationToken ct = default) => _rows.GetByIdAsync(id, ct);

    public Task UpdateAsync(Shipment entity, CancellationToken ct = default) => _rows.UpdateAsync(entity, ct);
}

/// <summary>The constraint is a base class whose Id also implements an interface member of the same name.</summary>
public interface IRowRepository<T>
    where T : Row
{
    [Cached("10m", "{T}:{id}", nameof(UpdateAsync))]
    Task<T?> GetByIdAsync(int id);

    Task UpdateAsync(T entity);
}

/// <summary>The rows of one entity type, shared by every node (the database), counting reads.</summary>
public sealed class Rows<TEntity, TKey>
    where TKey : notnull
{
    private int _reads;

    public ConcurrentDictionary<TKey, TEntity> Items { get; } = new();

    public int Reads => Volatile.Read(ref _reads);

    public void CountRead() => Interlocked.Increment(ref _reads);
}

public sealed class EntityRepository<TEntity, TKey>(Rows<TEntity, TKey> rows) : IEntityRepository<TEntity, TKey>
    where TEntity : class, IKeyed<TKey>
    where TKey : IEquatable<TKey>
{
    public Task<TEntity?> GetByIdAsync(TKey id, CancellationToken ct = default)
    {
        rows.CountRead();
        return Task.FromResult(rows.Items.TryGetValue(id, out var row) ? row : null);
    }

    public Task UpdateAsync(TEntity entity, CancellationToken ct = default)
    {
        rows.Items[entity.Id] = entity;
        return Task.CompletedTask;
    }
}

public sealed class RowRepository<T>(Rows<T, int> rows) : IRowRepository<T>
    where T : Row
{
    public Task<T?> GetByIdAsync(int id)
    {
        rows.CountRead();
        return Task.FromResult(rows.Items.TryGetValue(id, out var row) ? row : null);
    }

    public Task UpdateAsync(T entity)
    {
        rows.Items[entity.Id] = entity;
        return Task.CompletedTask;
    }
}

/// <summary>Writes of a generic repository that take the entity rather than its id, on two nodes over one redis-server.</summary>
public sealed class GenericEntityWriteTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly Guid TicketId = Guid.Parse("0b9e3c1a-5f55-4c3e-9a57-1d2f0c7e8a11");
    private readonly string _prefix = "it-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly Rows<Ticket, Guid> _tickets = new();
    private readonly Rows<Invoice, int> _invoices = new();
    private readonly Rows<Shipment, ShipmentId> _shipments = new();
    private readonly System.Collections.Generic.List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync()
    {
        _tickets.Items[TicketId] = new Ticket(TicketId, "first");
        _invoices.Items[1] = new Invoice(1, 10m);
        _shipments.Items[new ShipmentId(TicketId)] = new Shipment(new ShipmentId(TicketId), "DHL");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private Task<ServiceProvider> NodeAsync()
        => DependencyInjectionNode.StartAsync(redis.Server, _prefix, _disposables, services =>
        {
            services.AddSingleton(_tickets);
            services.AddSingleton(_invoices);
            services.AddSingleton(_shipments);
            services.AddScoped<IShipmentRepository, ShipmentRepository>();
            services.AddScoped(typeof(IEntityRepository<,>), typeof(EntityRepository<,>));
            services.AddScoped(typeof(IRowRepository<>), typeof(RowRepository<>));
        });

    private static T Resolve<T>(ServiceProvider provider)
        where T : notnull
        => provider.CreateScope().ServiceProvider.GetRequiredService<T>();

    private static TaskCompletionSource Applied(ServiceProvider node)
    {
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        node.GetRequiredService<CacheRuntime>().Backplane!.Applied += () => applied.TrySetResult();
        return applied;
    }

    [Fact]
    public async Task A_write_taking_the_entity_invalidates_by_its_id_declared_on_the_constraint_interface()
    {
        var nodeA = await NodeAsync();
        var nodeB = await NodeAsync();
        var onA = Resolve<IEntityRepository<Ticket, Guid>>(nodeA);
        var onB = Resolve<IEntityRepository<Ticket, Guid>>(nodeB);
        Assert.Equal("first", (await onA.GetByIdAsync(TicketId))!.Title);
        Assert.Equal("first", (await onB.GetByIdAsync(TicketId))!.Title); // from Redis: both L1s hold it now
        Assert.Equal(1, _tickets.Reads);
        var key = nodeA.GetRequiredService<CacheRuntime>().GetMethod(CachedEntityRepository<Ticket, Guid>.GetByIdAsyncDescriptor).RenderKey(new ValueTuple<Guid>(TicketId));
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key));

        var applied = Applied(nodeA);
        await onB.UpdateAsync(new Ticket(TicketId, "second"));
        await applied.Task.WaitAsync(Eventually.Generous);

        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key));
        Assert.Equal("second", (await onA.GetByIdAsync(TicketId))!.Title);
        Assert.Equal(2, _tickets.Reads);
    }

    [Fact]
    public async Task A_write_taking_the_entity_invalidates_by_its_id_declared_on_the_constraint_base_class()
    {
        var nodeA = await NodeAsync();
        var nodeB = await NodeAsync();
        var onA = Resolve<IRowRepository<Invoice>>(nodeA);
        var onB = Resolve<IRowRepository<Invoice>>(nodeB);
        Assert.Equal(10m, (await onA.GetByIdAsync(1))!.Amount);
        Assert.Equal(10m, (await onB.GetByIdAsync(1))!.Amount);
        Assert.Equal(1, _invoices.Reads);

        var applied = Applied(nodeA);
        await onB.UpdateAsync(new Invoice(1, 20m));
        await applied.Task.WaitAsync(Eventually.Generous);

        Assert.Equal(20m, (await onA.GetByIdAsync(1))!.Amount);
        Assert.Equal(20m, (await onB.GetByIdAsync(1))!.Amount);
        Assert.Equal(2, _invoices.Reads); // one after the write (node B reads what node A filled): the write reached both L1s and Redis
    }

    [Fact]
    public async Task A_strongly_typed_id_is_a_key_shared_by_the_generic_decorator_and_the_closed_one()
    {
        var nodeA = await NodeAsync();
        var nodeB = await NodeAsync();
        var generic = Resolve<IEntityRepository<Shipment, ShipmentId>>(nodeA);
        var closed = Resolve<IShipmentRepository>(nodeB);
        Assert.IsType<CachedEntityRepository<Shipment, ShipmentId>>(generic);
        Assert.IsType<CachedShipmentRepository>(closed);
        var id = new ShipmentId(TicketId);

        Assert.Equal("DHL", (await generic.GetByIdAsync(id))!.Carrier);
        Assert.Equal("DHL", (await closed.GetByIdAsync(id))!.Carrier); // from Redis: the same key
        Assert.Equal(1, _shipments.Reads);
        var key = nodeA.GetRequiredService<CacheRuntime>().GetMethod(CachedEntityRepository<Shipment, ShipmentId>.GetByIdAsyncDescriptor).RenderKey(new ValueTuple<ShipmentId>(id));
        Assert.StartsWith(_prefix + "{CachedGen.IntegrationTests.Generic.Writes.Shipment:" + TicketId.ToString("N") + "}#v1.", key, StringComparison.Ordinal);
        Assert.Equal(key, nodeB.GetRequiredService<CacheRuntime>().GetMethod(CachedShipmentRepository.GetByIdAsyncDescriptor).RenderKey(new ValueTuple<ShipmentId>(id)));

        var applied = Applied(nodeA);
        await closed.UpdateAsync(new Shipment(id, "UPS"));
        await applied.Task.WaitAsync(Eventually.Generous);

        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key));
        Assert.Equal("UPS", (await generic.GetByIdAsync(id))!.Carrier);
        Assert.Equal(2, _shipments.Reads);
    }
}
