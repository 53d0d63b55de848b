using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests.Generic;

public interface IEntity
{
    int Id { get; }
}

public sealed record Order(int Id, string Customer, decimal Total) : IEntity;

public sealed record Customer(int Id, string Name) : IEntity;

/// <summary>An EF Core / DDD entity: a private constructor, private setters, a get-only auto-property. MessagePack's
/// contractless resolver cannot create it; the formatter the generator writes for <c>IRepository&lt;Invoice&gt;</c>
/// (named in a registration below) can.</summary>
public sealed class Invoice : IEntity
{
    private Invoice()
    {
        Number = "";
    }

    public int Id { get; private set; }

    public string Number { get; private set; }

    public decimal Amount { get; }

    public static Invoice Issue(int id, string number, decimal amount) => new(amount) { Id = id, Number = number };

    private Invoice(decimal amount)
        : this()
        => Amount = amount;
}

/// <summary>An entity with private setters that no registration names closed: no formatter is generated for it, and
/// the run-time resolver CachedGen falls back to under the JIT reads and writes its non-public members.</summary>
public sealed class Payment : IEntity
{
    private Payment()
    {
    }

    public int Id { get; private set; }

    public string Reference { get; private set; } = "";

    public static Payment Of(int id, string reference) => new() { Id = id, Reference = reference };
}

/// <summary>An entity whose sorted set has its own order, which no serializer carries: read back, it would be in the
/// default order.</summary>
public sealed class Leaderboard : IEntity
{
    public int Id { get; set; }

    public System.Collections.Generic.SortedSet<int> Scores { get; set; } = new(System.Collections.Generic.Comparer<int>.Create((a, b) => b.CompareTo(a)));
}

/// <summary>The most common repository shape: one generic interface for every entity.</summary>
public interface IRepository<TEntity>
    where TEntity : class, IEntity
{
    [Cached("10m", "entity:{id}", nameof(SaveAsync))]
    Task<TEntity?> GetAsync(int id, CancellationToken ct = default);

    [Cached("10m", "{TEntity}:count")]
    Task<int> CountAsync();

    /// <summary>Keyed by the default template: the declaring interface's, in every decorator that exposes it.</summary>
    [Cached("10m")]
    Task<TEntity?> FindAsync(int id);

    Task SaveAsync(int id, TEntity entity);
}

/// <summary>An interface that closes the generic one: decorated at compile time, with the base's [Cached] methods.</summary>
public interface IOrderRepository : IRepository<Order>
{
}

public sealed class OrderRepository(Table<Order> table) : IOrderRepository
{
    private readonly EfRepository<Order> _rows = new(table);

    public Task<Order?> GetAsync(int id, CancellationToken ct = default) => _rows.GetAsync(id, ct);

    public Task<int> CountAsync() => _rows.CountAsync();

    public Task<Order?> FindAsync(int id) => _rows.GetAsync(id);

    public Task SaveAsync(int id, Order entity) => _rows.SaveAsync(id, entity);
}

/// <summary>Two type parameters, the key's value typed by the second.</summary>
public interface IKeyedRepository<TEntity, TKey>
    where TEntity : class
    where TKey : notnull
{
    [Cached("10m", "{TEntity}:{id}")]
    Task<TEntity?> GetAsync(TKey id);
}

public sealed class KeyedRepository<TEntity, TKey>(Func<TKey, TEntity?> load) : IKeyedRepository<TEntity, TKey>
    where TEntity : class
    where TKey : notnull
{
    public Task<TEntity?> GetAsync(TKey id) => Task.FromResult(load(id));
}

/// <summary>The rows of one entity type, shared by every node of a test (the database), counting reads.</summary>
public sealed class Table<TEntity>
    where TEntity : class, IEntity
{
    private int _reads;

    public ConcurrentDictionary<int, TEntity> Rows { get; } = new();

    public int Reads => Volatile.Read(ref _reads);

    public void CountRead() => Interlocked.Increment(ref _reads);
}

/// <summary>An implementation generic over the entity, as EF Core repositories are.</summary>
public sealed class EfRepository<TEntity>(Table<TEntity> table) : IRepository<TEntity>
    where TEntity : class, IEntity
{
    public Task<TEntity?> GetAsync(int id, CancellationToken ct = default)
    {
        table.CountRead();
        return Task.FromResult(table.Rows.TryGetValue(id, out var row) ? row : null);
    }

    public Task<int> CountAsync()
    {
        table.CountRead();
        return Task.FromResult(table.Rows.Count);
    }

    public Task<TEntity?> FindAsync(int id) => GetAsync(id);

    public Task SaveAsync(int id, TEntity entity)
    {
        table.Rows[id] = entity;
        return Task.CompletedTask;
    }
}

/// <summary>Generic repositories decorated through dependency injection, on two nodes (two service providers, each
/// with its own runtime, L1 and multiplexer) over one redis-server and one set of tables.</summary>
public sealed class GenericRepositoryTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "it-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly Table<Order> _orders = new();
    private readonly Table<Customer> _customers = new();
    private readonly Table<Invoice> _invoices = new();
    private readonly Table<Payment> _payments = new();
    private readonly Table<Leaderboard> _boards = new();
    private readonly System.Collections.Generic.List<IAsyncDisposable> _disposables = [];

    private RedisServer Server => redis.Server;

    public Task InitializeAsync()
    {
        _orders.Rows[1] = new Order(1, "ada", 12.5m);
        _customers.Rows[1] = new Customer(1, "Grace");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>A node: the repositories registered as <paramref name="register"/> says, then <c>AddCachedGen</c>.</summary>
    private Task<ServiceProvider> NodeAsync(Action<IServiceCollection> register)
        => DependencyInjectionNode.StartAsync(Server, _prefix, _disposables, services =>
        {
            services.AddSingleton(_orders);
            services.AddSingleton(_customers);
            services.AddSingleton(_invoices);
            services.AddSingleton(_payments);
            services.AddSingleton(_boards);
            register(services);
        });

    private static void Closed(IServiceCollection services)
    {
        services.AddScoped<IRepository<Order>, EfRepository<Order>>();
        services.AddScoped<IRepository<Customer>, EfRepository<Customer>>();
    }

    private static void Open(IServiceCollection services) => services.AddScoped(typeof(IRepository<>), typeof(EfRepository<>));

    private static IRepository<T> Resolve<T>(ServiceProvider provider)
        where T : class, IEntity
        => provider.CreateScope().ServiceProvider.GetRequiredService<IRepository<T>>();

    private static string OrderKey(ServiceProvider provider, int id)
        => provider.GetRequiredService<CacheRuntime>().GetMethod(CachedRepository<Order>.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(id));

    private static string CustomerKey(ServiceProvider provider, int id)
        => provider.GetRequiredService<CacheRuntime>().GetMethod(CachedRepository<Customer>.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(id));

    private async Task<bool> ExistsAsync(string key) => await Server.ExecuteAsync("EXISTS", key) == "1";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_miss_on_node_A_is_an_L2_hit_on_node_B(bool open)
    {
        Action<IServiceCollection> register = open ? Open : Closed;
        var nodeA = await NodeAsync(register);
        var nodeB = await NodeAsync(register);
        var repositoryA = Resolve<Order>(nodeA);
        var repositoryB = Resolve<Order>(nodeB);
        Assert.IsType<CachedRepository<Order>>(repositoryA);
        Assert.IsType<CachedRepository<Order>>(repositoryB);

        var fromA = await repositoryA.GetAsync(1);
        Assert.Equal(1, _orders.Reads);
        await BackgroundFills.LandedAsync(nodeA); // the miss was answered before its fill landed
        Assert.True(await ExistsAsync(OrderKey(nodeA, 1)));
        var fromB = await repositoryB.GetAsync(1);

        Assert.Equal(new Order(1, "ada", 12.5m), fromA);
        Assert.Equal(fromA, fromB);
        Assert.Equal(1, _orders.Reads); // node B read Redis, not the table
        Assert.Equal(OrderKey(nodeA, 1), OrderKey(nodeB, 1));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Lifetimes_are_kept(bool open)
    {
        var node = await NodeAsync(open ? Open : Closed);

        using var first = node.CreateScope();
        using var second = node.CreateScope();
        var a = first.ServiceProvider.GetRequiredService<IRepository<Customer>>();

        Assert.IsType<CachedRepository<Customer>>(a);
        Assert.Same(a, first.ServiceProvider.GetRequiredService<IRepository<Customer>>());
        Assert.NotSame(a, second.ServiceProvider.GetRequiredService<IRepository<Customer>>());
    }

    /// <summary>The generic decorator closed at run time over <c>Invoice</c> writes and reads it with the formatter the
    /// generator wrote because the registration names <c>IRepository&lt;Invoice&gt;</c>: every member, private setters
    /// and a get-only auto-property included, reaches the other node through Redis.</summary>
    [Fact]
    public async Task A_closed_registration_named_in_the_source_round_trips_an_entity_with_private_setters_through_redis()
    {
        _invoices.Rows[4] = Invoice.Issue(4, "INV-0004", 99.5m);
        static void Register(IServiceCollection services) => services.AddScoped<IRepository<Invoice>, EfRepository<Invoice>>();
        var nodeA = await NodeAsync(Register);
        var nodeB = await NodeAsync(Register);
        var fromA = await Resolve<Invoice>(nodeA).GetAsync(4);
        var fromB = await Resolve<Invoice>(nodeB).GetAsync(4);

        Assert.IsType<CachedRepository<Invoice>>(Resolve<Invoice>(nodeB));
        Assert.Equal(1, _invoices.Reads); // node B read Redis, not the table
        Assert.NotNull(fromB);
        Assert.NotSame(fromA, fromB);
        Assert.Equal((4, "INV-0004", 99.5m), (fromB.Id, fromB.Number, fromB.Amount));
    }

    /// <summary>Closed at run time over an entity with private setters that no registration names (no formatter is
    /// generated for it), the decorator still shares it through Redis whole.</summary>
    [Fact]
    public async Task An_entity_with_private_setters_closed_at_run_time_round_trips_through_redis()
    {
        _payments.Rows[3] = Payment.Of(3, "PAY-3");
        var nodeA = await NodeAsync(Open);
        var nodeB = await NodeAsync(Open);

        _ = await Resolve<Payment>(nodeA).GetAsync(3);
        await BackgroundFills.LandedAsync(nodeA);
        var fromB = await Resolve<Payment>(nodeB).GetAsync(3);

        Assert.Equal((3, "PAY-3"), (fromB!.Id, fromB.Reference));
        Assert.Equal(1, _payments.Reads); // node B read Redis
    }

    /// <summary>A value the run-time resolver does not read back as written is not written to Redis: each node serves it
    /// from the source (and its own L1), never a copy that differs from it.</summary>
    [Fact]
    public async Task A_value_that_does_not_read_back_as_written_is_kept_out_of_redis()
    {
        var board = new Leaderboard { Id = 8 };
        board.Scores.UnionWith([10, 30, 20]);
        _boards.Rows[8] = board;
        var nodeA = await NodeAsync(Open);
        var nodeB = await NodeAsync(Open);
        var key = nodeA.GetRequiredService<CacheRuntime>().GetMethod(CachedRepository<Leaderboard>.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(8));

        var fromA = await Resolve<Leaderboard>(nodeA).GetAsync(8);
        await BackgroundFills.LandedAsync(nodeA);
        var fromB = await Resolve<Leaderboard>(nodeB).GetAsync(8);

        Assert.Equal([30, 20, 10], fromA!.Scores);
        Assert.Equal([30, 20, 10], fromB!.Scores);
        Assert.False(await ExistsAsync(key));
        Assert.Equal(2, _boards.Reads); // node B called the source: nothing was in Redis
        Assert.Same(fromA, await Resolve<Leaderboard>(nodeA).GetAsync(8)); // an L1 hit on node A
    }

    [Fact]
    public async Task Entries_of_different_type_arguments_never_share_a_key()
    {
        var nodeA = await NodeAsync(Open);
        var nodeB = await NodeAsync(Open);

        var order = await Resolve<Order>(nodeA).GetAsync(1);
        var customer = await Resolve<Customer>(nodeA).GetAsync(1);
        var orderKey = OrderKey(nodeA, 1);
        var customerKey = CustomerKey(nodeA, 1);

        // Same template (entity:{id}), same id: the version segment names the type argument.
        Assert.NotEqual(orderKey, customerKey);
        Assert.EndsWith("(CachedGen.IntegrationTests.Generic.Order)", orderKey, StringComparison.Ordinal);
        Assert.EndsWith("(CachedGen.IntegrationTests.Generic.Customer)", customerKey, StringComparison.Ordinal);
        Assert.StartsWith(_prefix + "{entity:1}#v1.", orderKey, StringComparison.Ordinal);
        await BackgroundFills.LandedAsync(nodeA); // the misses were answered before their fills landed
        Assert.True(await ExistsAsync(orderKey));
        Assert.True(await ExistsAsync(customerKey));

        // Node B reads each from Redis as its own type and value.
        Assert.Equal(new Order(1, "ada", 12.5m), order);
        Assert.Equal(new Customer(1, "Grace"), customer);
        Assert.Equal(order, await Resolve<Order>(nodeB).GetAsync(1));
        Assert.Equal(customer, await Resolve<Customer>(nodeB).GetAsync(1));
        Assert.Equal((1, 1), (_orders.Reads, _customers.Reads));

        // {TEntity} in a template renders the type argument's name.
        Assert.Equal(1, await Resolve<Order>(nodeA).CountAsync());
        var countKey = nodeA.GetRequiredService<CacheRuntime>().GetMethod(CachedRepository<Order>.CountAsyncDescriptor).RenderKey(default);
        Assert.StartsWith(_prefix + "{CachedGen.IntegrationTests.Generic.Order:count}#v1.", countKey, StringComparison.Ordinal);
        await BackgroundFills.LandedAsync(nodeA);
        Assert.True(await ExistsAsync(countKey));
        Assert.Equal("CachedGen.IntegrationTests.Generic.IRepository<CachedGen.IntegrationTests.Generic.Order>.GetAsync", CachedRepository<Order>.GetAsyncDescriptor.MethodId);
    }

    [Fact]
    public async Task A_generic_write_invalidates_the_entry_on_both_nodes()
    {
        var nodeA = await NodeAsync(Open);
        var nodeB = await NodeAsync(Closed);
        var orderA = Resolve<Order>(nodeA);
        var orderB = Resolve<Order>(nodeB);
        await orderA.GetAsync(1);
        await orderB.GetAsync(1); // now in both nodes' L1
        await Resolve<Customer>(nodeB).GetAsync(1);
        Assert.Equal((1, 1), (_orders.Reads, _customers.Reads));

        var changed = new Order(1, "ada", 99m);
        await orderB.SaveAsync(1, changed);

        Assert.False(await ExistsAsync(OrderKey(nodeA, 1)));
        Assert.Equal(changed, await orderB.GetAsync(1));
        var seenByA = await Eventually.ReadAsync(() => orderA.GetAsync(1), o => o == changed, TimeSpan.FromSeconds(10));
        Assert.Equal(changed, seenByA);

        // The customer with the same id is another entry: still cached.
        Assert.Equal(new Customer(1, "Grace"), await Resolve<Customer>(nodeA).GetAsync(1));
        Assert.Equal(1, _customers.Reads);
    }

    [Fact]
    public async Task An_interface_closing_the_generic_one_reads_the_entries_of_its_generic_decorator()
    {
        // The closed decorator is written at compile time, the generic one closed at run time: same template, same
        // type-argument segment, same fingerprint, hence the same key.
        var nodeA = await NodeAsync(Open);
        var nodeB = await NodeAsync(services => services.AddScoped<IOrderRepository, OrderRepository>());
        var derived = nodeB.CreateScope().ServiceProvider.GetRequiredService<IOrderRepository>();
        Assert.IsType<CachedOrderRepository>(derived);

        var fromA = await Resolve<Order>(nodeA).GetAsync(1);
        var fromB = await derived.GetAsync(1);

        Assert.Equal(new Order(1, "ada", 12.5m), fromB);
        Assert.Equal(fromA, fromB);
        Assert.Equal(1, _orders.Reads);
        Assert.Equal(CachedRepository<Order>.GetAsyncDescriptor.KeySuffix, CachedOrderRepository.GetAsyncDescriptor.KeySuffix);
        Assert.Equal(CachedRepository<Order>.GetAsyncDescriptor.ShapeFingerprint, CachedOrderRepository.GetAsyncDescriptor.ShapeFingerprint);

        // Its write removes the shared entry from Redis.
        await derived.SaveAsync(1, new Order(1, "ada", 1m));
        Assert.False(await ExistsAsync(OrderKey(nodeA, 1)));
    }

    [Fact]
    public async Task Without_a_template_the_closing_interface_and_the_generic_decorator_share_the_entry_too()
    {
        // The default key names the interface that declares the method (IRepository<TEntity>), in the generic decorator
        // closed at run time and in the one written for IOrderRepository alike.
        var nodeA = await NodeAsync(Open);
        var nodeB = await NodeAsync(services => services.AddScoped<IOrderRepository, OrderRepository>());
        var derived = nodeB.CreateScope().ServiceProvider.GetRequiredService<IOrderRepository>();
        Assert.IsType<CachedOrderRepository>(derived);

        var fromA = await Resolve<Order>(nodeA).FindAsync(1);
        await BackgroundFills.LandedAsync(nodeA);
        var fromB = await derived.FindAsync(1);

        Assert.Equal(new Order(1, "ada", 12.5m), fromB);
        Assert.Equal(fromA, fromB);
        Assert.Equal(1, _orders.Reads); // node B read node A's entry from Redis
        Assert.Equal(CachedRepository<Order>.FindAsyncDescriptor.MethodId, CachedOrderRepository.FindAsyncDescriptor.MethodId);
        Assert.Equal(
            nodeA.GetRequiredService<CacheRuntime>().GetMethod(CachedRepository<Order>.FindAsyncDescriptor).RenderKey(new ValueTuple<int>(1)),
            nodeB.GetRequiredService<CacheRuntime>().GetMethod(CachedOrderRepository.FindAsyncDescriptor).RenderKey(new ValueTuple<int>(1)));
    }

    [Fact]
    public async Task A_write_through_the_closing_interface_evicts_the_generic_decorators_L1_on_another_node()
    {
        // CachedOrderRepository and CachedRepository<Order> share the entry, so they share its method id: the
        // backplane's eviction, which names the method, reaches the other decorator's L1.
        var nodeA = await NodeAsync(services => services.AddScoped<IOrderRepository, OrderRepository>());
        var nodeB = await NodeAsync(Open);
        var derived = nodeA.CreateScope().ServiceProvider.GetRequiredService<IOrderRepository>();
        var generic = Resolve<Order>(nodeB);
        Assert.Equal(CachedRepository<Order>.GetAsyncDescriptor.MethodId, CachedOrderRepository.GetAsyncDescriptor.MethodId);

        Assert.Equal(new Order(1, "ada", 12.5m), await generic.GetAsync(1)); // now in node B's L1
        Assert.Equal(1, _orders.Reads);

        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        nodeB.GetRequiredService<CacheRuntime>().Backplane!.Applied += () => applied.TrySetResult();
        var changed = new Order(1, "ada", 99m);
        await derived.SaveAsync(1, changed);
        await applied.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(changed, await generic.GetAsync(1));
        Assert.Equal(2, _orders.Reads);
    }

    [Fact]
    public async Task Per_method_settings_find_a_closed_type_by_its_short_method_id()
    {
        var services = new ServiceCollection();
        services.AddSingleton(_orders);
        services.AddSingleton(_customers);
        Open(services);
        services.AddCachedGen(o => o.Methods["IRepository<CachedGen.IntegrationTests.Generic.Order>.GetAsync"] = new CachedMethodOptions { Enabled = false });
        await using var provider = services.BuildServiceProvider();

        await Resolve<Order>(provider).GetAsync(1);
        await Resolve<Order>(provider).GetAsync(1);
        await Resolve<Customer>(provider).GetAsync(1);
        await Resolve<Customer>(provider).GetAsync(1);

        Assert.Equal(2, _orders.Reads); // off for IRepository<Order> only
        Assert.Equal(1, _customers.Reads);
    }

    [Fact]
    public async Task A_key_value_typed_by_a_type_parameter_is_encoded_by_its_type()
    {
        var loads = 0;
        var node = await NodeAsync(services =>
        {
            services.AddSingleton<IKeyedRepository<Order, int>>(new KeyedRepository<Order, int>(id => { Interlocked.Increment(ref loads); return new Order(id, "by-int", 1m); }));
            services.AddSingleton<IKeyedRepository<Order, string>>(new KeyedRepository<Order, string>(id => { Interlocked.Increment(ref loads); return new Order(0, "by-" + id, 2m); }));
            services.AddSingleton<IKeyedRepository<Order, Customer>>(new KeyedRepository<Order, Customer>(_ => null));
        });
        var runtime = node.GetRequiredService<CacheRuntime>();

        var byInt = await node.GetRequiredService<IKeyedRepository<Order, int>>().GetAsync(7);
        var byString = await node.GetRequiredService<IKeyedRepository<Order, string>>().GetAsync("7");

        Assert.Equal("by-int", byInt!.Customer);
        Assert.Equal("by-7", byString!.Customer);
        var intKey = runtime.GetMethod(CachedKeyedRepository<Order, int>.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(7));
        var stringKey = runtime.GetMethod(CachedKeyedRepository<Order, string>.GetAsyncDescriptor).RenderKey(new ValueTuple<string>("7"));
        Assert.StartsWith(_prefix + "{CachedGen.IntegrationTests.Generic.Order:7}#v1.", intKey, StringComparison.Ordinal);
        Assert.EndsWith("(CachedGen.IntegrationTests.Generic.Order,System.Int32)", intKey, StringComparison.Ordinal);
        Assert.EndsWith("(CachedGen.IntegrationTests.Generic.Order,System.String)", stringKey, StringComparison.Ordinal);
        await runtime.PendingFills.WhenIdleAsync(); // the misses were answered before their fills landed
        Assert.True(await ExistsAsync(intKey));
        Assert.True(await ExistsAsync(stringKey));
        Assert.Equal(2, loads);

        // A type argument with no key encoding is refused when the closed decorator is first used.
        var error = Assert.Throws<TypeInitializationException>(() => node.GetRequiredService<IKeyedRepository<Order, Customer>>());
        Assert.IsType<NotSupportedException>(error.InnerException);
    }
}
