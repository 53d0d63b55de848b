using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests.Generic;

/// <summary>A second implementation of the generic repository: answers every id with the same order, counting calls.</summary>
public sealed class FallbackRepository<TEntity>(Table<TEntity> table) : IRepository<TEntity>
    where TEntity : class, IEntity
{
    public Task<TEntity?> GetAsync(int id, CancellationToken ct = default)
    {
        table.CountRead();
        return Task.FromResult(table.Rows.Values.FirstOrDefault());
    }

    public Task<int> CountAsync() => Task.FromResult(-1);

    public Task<TEntity?> FindAsync(int id) => GetAsync(id);

    public Task SaveAsync(int id, TEntity entity) => Task.CompletedTask;
}

/// <summary>Resolves the keyed repository as an application's constructor would.</summary>
public sealed class PrimaryOrders([FromKeyedServices("primary")] IRepository<Order> orders)
{
    public IRepository<Order> Orders { get; } = orders;
}

/// <summary>Registration forms real applications use for generic repositories: several implementations of one closed
/// interface, keyed registrations, factories; two nodes over one redis-server.</summary>
public sealed class GenericRegistrationTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "it-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly Table<Order> _orders = new();
    private readonly Table<Customer> _customers = new();
    private readonly System.Collections.Generic.List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync()
    {
        _orders.Rows[1] = new Order(1, "ada", 12.5m);
        _orders.Rows[2] = new Order(2, "bob", 3m);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private Task<ServiceProvider> NodeAsync(Action<IServiceCollection> register)
        => DependencyInjectionNode.StartAsync(redis.Server, _prefix, _disposables, services =>
        {
            services.AddSingleton(_orders);
            services.AddSingleton(_customers);
            register(services);
        }, validate: true);

    [Fact]
    public async Task Two_closed_registrations_of_one_interface_each_wrap_their_own_implementation()
    {
        var node = await NodeAsync(services =>
        {
            services.AddScoped<IRepository<Order>, EfRepository<Order>>();
            services.AddScoped<IRepository<Order>, FallbackRepository<Order>>();
        });
        using var scope = node.CreateScope();

        var all = scope.ServiceProvider.GetServices<IRepository<Order>>().ToList();

        Assert.Equal(2, all.Count);
        Assert.All(all, repository => Assert.IsType<CachedRepository<Order>>(repository));
        // Both decorators share the method's entries (one key space), so each is asked for an id of its own: the
        // EF repository has no order 3, the fallback answers any id.
        Assert.Null(await all[0].GetAsync(3));
        Assert.NotNull(await all[1].GetAsync(4));
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<IRepository<Order>>().GetAsync(5)); // the last wins, as without CachedGen
    }

    [Fact]
    public async Task A_keyed_closed_registration_is_decorated_and_cached_across_nodes()
    {
        Action<IServiceCollection> register = services =>
        {
            services.AddKeyedScoped<IRepository<Order>, EfRepository<Order>>("primary");
            services.AddScoped<PrimaryOrders>();
        };
        var nodeA = await NodeAsync(register);
        var nodeB = await NodeAsync(register);

        var onA = nodeA.CreateScope().ServiceProvider.GetRequiredKeyedService<IRepository<Order>>("primary");
        var onB = nodeB.CreateScope().ServiceProvider.GetRequiredService<PrimaryOrders>().Orders;
        Assert.IsType<CachedRepository<Order>>(onA);
        Assert.IsType<CachedRepository<Order>>(onB);
        Assert.Null(nodeA.GetService<IRepository<Order>>()); // still only under its key

        Assert.Equal(new Order(1, "ada", 12.5m), await onA.GetAsync(1));
        await BackgroundFills.LandedAsync(nodeA); // B reads A's entry, not A's lease (that wait has its own tests)
        Assert.Equal(new Order(1, "ada", 12.5m), await onB.GetAsync(1));
        Assert.Equal(1, _orders.Reads);
    }

    [Fact]
    public async Task A_keyed_factory_registration_is_decorated_and_receives_its_key()
    {
        object? seenKey = null;
        var node = await NodeAsync(services =>
        {
            services.AddKeyedSingleton<IRepository<Order>>("replica", (sp, key) =>
            {
                seenKey = key;
                return new EfRepository<Order>(sp.GetRequiredService<Table<Order>>());
            });
            services.AddKeyedSingleton<IWidgetRepository>("widgets", (_, _) => new WidgetSource());
        });

        var orders = node.GetRequiredKeyedService<IRepository<Order>>("replica");
        Assert.IsType<CachedRepository<Order>>(orders);
        Assert.Same(orders, node.CreateScope().ServiceProvider.GetRequiredKeyedService<IRepository<Order>>("replica"));
        await orders.GetAsync(2);
        await orders.GetAsync(2);
        Assert.Equal("replica", seenKey);
        Assert.Equal(1, _orders.Reads);
        Assert.IsType<CachedWidgetRepository>(node.GetRequiredKeyedService<IWidgetRepository>("widgets"));
    }

    [Fact]
    public async Task A_keyed_open_registration_is_left_undecorated()
    {
        // The open decorator names one inner key; a keyed open registration keeps its implementation (documented).
        var node = await NodeAsync(services => services.AddKeyedScoped(typeof(IRepository<>), "primary", typeof(EfRepository<>)));

        Assert.IsType<EfRepository<Order>>(node.CreateScope().ServiceProvider.GetRequiredKeyedService<IRepository<Order>>("primary"));
    }
}
