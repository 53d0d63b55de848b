using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

public interface ILibraryShelf
{
    [Cached("10m", "library-shelf:{id}", nameof(RenameAsync))]
    Task<string> GetAsync(int id);

    Task RenameAsync(int id);
}

/// <summary>One source of shelves, named: its answers say which source gave them, and it counts its reads.</summary>
public class NamedShelf(string name) : ILibraryShelf
{
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<string> GetAsync(int id)
    {
        Interlocked.Increment(ref _reads);
        return Task.FromResult($"{name}:{id}");
    }

    public Task RenameAsync(int id) => Task.CompletedTask;
}

public sealed class MainShelf() : NamedShelf("main");

public sealed class ArchiveShelf() : NamedShelf("archive");

/// <summary>Several decorated registrations of one interface (keyed ones, or two implementations) are different
/// sources: each keeps its entries apart, in L1 and in Redis, so one's answer is never served for another's; a service
/// type registered once keeps the method's own entries.</summary>
public sealed class RegistrationPartitionTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "part-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private IConnectionMultiplexer _mux = null!;

    public async Task InitializeAsync() => _mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);

    public async Task DisposeAsync() => await _mux.DisposeAsync();

    private ServiceProvider Node(MainShelf main, ArchiveShelf archive, bool keyed, bool withRedis = true)
    {
        var services = new ServiceCollection();
        if (keyed)
        {
            services.AddKeyedSingleton<ILibraryShelf>("main", main);
            services.AddKeyedSingleton<ILibraryShelf>("archive", archive);
        }
        else
        {
            services.AddSingleton<ILibraryShelf>(main);
            services.AddSingleton<ILibraryShelf>(archive);
        }

        // A generous budget: on a loaded machine a first script call can take longer than the default 100 ms, and a fill
        // that times out leaves the other node a miss, which is not what this test is about.
        var builder = services.AddCachedGen(o =>
        {
            o.KeyPrefix = _prefix;
            o.RedisOperationTimeout = TimeSpan.FromSeconds(5);
        });
        if (withRedis)
        {
            builder.UseRedis(_mux);
        }

        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Two_implementations_of_one_interface_each_answer_from_their_own_entries()
    {
        var (main, archive) = (new MainShelf(), new ArchiveShelf());
        await using var provider = Node(main, archive, keyed: false, withRedis: false);
        var shelves = provider.GetServices<ILibraryShelf>().ToList();
        Assert.All(shelves, s => Assert.IsType<CachedLibraryShelf>(s));

        Assert.Equal("main:1", await shelves[0].GetAsync(1));
        Assert.Equal("archive:1", await shelves[1].GetAsync(1));
        Assert.Equal("main:1", await shelves[0].GetAsync(1));
        Assert.Equal("archive:1", await shelves[1].GetAsync(1));
        Assert.Equal((1, 1), (main.Reads, archive.Reads)); // each cached, apart

        // The last registration, the one GetService returns, keeps the method's own entries: the generated helper reaches them.
        Assert.Equal("archive:1", await provider.GetRequiredService<ILibraryShelf>().GetAsync(1));
        await CachedLibraryShelf.InvalidateGetAsync(provider.GetRequiredService<ICacheInvalidator>(), 1);
        Assert.Equal("archive:1", await shelves[1].GetAsync(1));
        Assert.Equal("main:1", await shelves[0].GetAsync(1));
        Assert.Equal((1, 2), (main.Reads, archive.Reads));
    }

    [Fact]
    public async Task Keyed_registrations_keep_their_entries_apart_across_nodes_and_a_write_invalidates_its_own()
    {
        var (main, archive) = (new MainShelf(), new ArchiveShelf());
        await using var nodeA = Node(main, archive, keyed: true);
        await using var nodeB = Node(main, archive, keyed: true);

        Assert.Equal("main:1", await nodeA.GetRequiredKeyedService<ILibraryShelf>("main").GetAsync(1));
        await nodeA.GetRequiredService<CacheRuntime>().PendingFills.WhenIdleAsync(); // A's fill (after its answer) has landed
        Assert.Equal("archive:1", await nodeB.GetRequiredKeyedService<ILibraryShelf>("archive").GetAsync(1)); // not main's Redis entry
        await nodeB.GetRequiredService<CacheRuntime>().PendingFills.WhenIdleAsync();
        Assert.Equal("main:1", await nodeB.GetRequiredKeyedService<ILibraryShelf>("main").GetAsync(1)); // main's entry, from Redis
        Assert.Equal((1, 1), (main.Reads, archive.Reads));

        // A write through the main registration invalidates main's entry, on every node, and leaves archive's.
        await nodeA.GetRequiredKeyedService<ILibraryShelf>("main").RenameAsync(1);
        await Eventually.ReadAsync(async () => { await nodeB.GetRequiredKeyedService<ILibraryShelf>("main").GetAsync(1); return main.Reads; }, reads => reads == 2, Eventually.Generous);
        Assert.Equal("archive:1", await nodeA.GetRequiredKeyedService<ILibraryShelf>("archive").GetAsync(1));
        Assert.Equal(1, archive.Reads);
    }

    /// <summary>A partition's settings are the method's (CachedGenOptions.Methods by its id), unless set for the
    /// partition's own id (<c>ILibraryShelf.GetAsync@archive</c>).</summary>
    [Fact]
    public async Task Partitions_take_the_methods_settings_unless_they_have_their_own()
    {
        var (main, archive) = (new MainShelf(), new ArchiveShelf());
        var services = new ServiceCollection();
        services.AddKeyedSingleton<ILibraryShelf>("main", main);
        services.AddKeyedSingleton<ILibraryShelf>("archive", archive);
        services.AddCachedGen(o =>
        {
            o.Methods["ILibraryShelf.GetAsync"] = new CachedMethodOptions { Enabled = false };
            o.Methods["ILibraryShelf.GetAsync@archive"] = new CachedMethodOptions { Enabled = true };
        });
        await using var provider = services.BuildServiceProvider();
        for (var i = 0; i < 2; i++)
        {
            await provider.GetRequiredKeyedService<ILibraryShelf>("main").GetAsync(1);
            await provider.GetRequiredKeyedService<ILibraryShelf>("archive").GetAsync(1);
        }

        Assert.Equal((2, 1), (main.Reads, archive.Reads)); // main switched off with the method, archive on by its own id
    }

    /// <summary>A second <c>AddCachedGen</c> call decorates what was registered since the first: a registration of an
    /// interface the first call decorated already keeps its entries apart from that one.</summary>
    [Fact]
    public async Task A_registration_decorated_by_a_second_AddCachedGen_keeps_its_entries_apart_from_the_first()
    {
        var (main, archive) = (new MainShelf(), new ArchiveShelf());
        var services = new ServiceCollection();
        services.AddSingleton<ILibraryShelf>(main);
        services.AddCachedGen(o => o.KeyPrefix = _prefix);
        services.AddSingleton<ILibraryShelf>(archive);
        services.AddCachedGen();
        await using var provider = services.BuildServiceProvider();
        var shelves = provider.GetServices<ILibraryShelf>().ToList();
        Assert.All(shelves, s => Assert.IsType<CachedLibraryShelf>(s));

        Assert.Equal("main:1", await shelves[0].GetAsync(1));
        Assert.Equal("archive:1", await shelves[1].GetAsync(1));
        Assert.Equal((1, 1), (main.Reads, archive.Reads));
    }

    [Fact]
    public async Task A_service_type_registered_once_keyed_keeps_the_methods_own_entries()
    {
        var main = new MainShelf();
        var services = new ServiceCollection();
        services.AddKeyedSingleton<ILibraryShelf>("main", main);
        services.AddCachedGen(o => o.KeyPrefix = _prefix);
        await using var provider = services.BuildServiceProvider();
        var shelf = provider.GetRequiredKeyedService<ILibraryShelf>("main");

        Assert.Equal("main:1", await shelf.GetAsync(1));
        await CachedLibraryShelf.InvalidateGetAsync(provider.GetRequiredService<ICacheInvalidator>(), 1);
        Assert.Equal("main:1", await shelf.GetAsync(1));
        Assert.Equal(2, main.Reads);
    }
}
