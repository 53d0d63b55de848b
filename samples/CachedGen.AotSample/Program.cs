using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CachedGen.AotSample;

/// <summary>
/// Usage: <c>CachedGen.AotSample host:port</c>. Two nodes (each its own service provider, CacheRuntime and Redis
/// connection) share one source and one Redis. Prints one line per check and the time of each first call; exits 0 when
/// every check passed, 1 otherwise.
/// </summary>
internal static class Program
{
    private static int s_failures;

    private static async Task<int> Main(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: CachedGen.AotSample host:port");
            return 2;
        }

        var started = Stopwatch.GetTimestamp();
        Console.WriteLine($"mode: {(RuntimeFeature.IsDynamicCodeSupported ? "jit" : "native-aot")}");
        var prefix = "aot-sample-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var source = new InMemoryCatalog();
        var customers = new InMemoryCustomers();
        var stock = new InMemoryStock();
        await using var first = Node(args[0], prefix, source, customers, stock);
        await using var second = Node(args[0], prefix, source, customers, stock, fromConfiguration: true);
        var a = first.GetRequiredService<ICatalog>();
        var b = second.GetRequiredService<ICatalog>();
        Check("decorated", a.GetType().Name == "CachedCatalog" && b.GetType().Name == "CachedCatalog", a.GetType().Name);
        Check("redis connected", await Eventually(() => Task.FromResult(first.GetRequiredService<CacheRuntime>().IsRedisAvailable && second.GetRequiredService<CacheRuntime>().IsRedisAvailable)), "");
        Console.WriteLine($"time: startup {Elapsed(started)} us");

        // The second node's options come from configuration, read without the configuration binder (whose source generator
        // a PublishAot application runs): durations in the attribute's syntax, per-method settings too.
        var configured = second.GetRequiredService<CacheRuntime>();
        var options = second.GetRequiredService<IOptions<CachedGenOptions>>().Value;
        Check(
            "options from configuration",
            options.RedisOperationTimeout == TimeSpan.FromSeconds(2) && options.KeyPrefix == prefix
                && configured.GetMethod(CachedCatalog.GetProductAsyncDescriptor).Ttl == TimeSpan.FromMinutes(10),
            $"timeout {options.RedisOperationTimeout}, ttl {configured.GetMethod(CachedCatalog.GetProductAsyncDescriptor).Ttl}");

        // A miss: the source is called once, the value lands in L1 and Redis.
        var (kettle, missUs) = await Timed(() => a.GetProductAsync(1));
        Check("miss calls the source", source.Reads == 1 && kettle?.Name == "Kettle", $"reads {source.Reads}");
        Console.WriteLine($"time: first miss {missUs} us");

        var (again, hitUs) = await Timed(() => a.GetProductAsync(1));
        Check("L1 hit", source.Reads == 1 && ReferenceEquals(kettle, again), $"reads {source.Reads}");
        Console.WriteLine($"time: first L1 hit {hitUs} us");

        // The other node finds it in Redis: read with the generated formatters (nothing is generated at run time).
        var (fromRedis, l2Us) = await Timed(() => b.GetProductAsync(1));
        Check("L2 hit on the second node", source.Reads == 1 && fromRedis is not null && !ReferenceEquals(fromRedis, kettle) && Same(kettle!, fromRedis), $"reads {source.Reads}");
        Console.WriteLine($"time: first L2 hit {l2Us} us");

        var (list, listMissUs) = await Timed(() => a.ListAsync("kitchen"));
        var (listFromRedis, listL2Us) = await Timed(() => b.ListAsync("kitchen"));
        Check("list miss then L2 hit", source.Reads == 2 && list.Count == 2 && listFromRedis.Count == 2 && Same(list[1], listFromRedis[1]), $"reads {source.Reads}");
        Console.WriteLine($"time: list miss {listMissUs} us, list L2 hit {listL2Us} us");

        // Key invalidation: the write on the first node removes the entry from Redis and, through the backplane, from the
        // second node's L1; both then read the new name.
        await a.RenameAsync(1, "Kettle Pro");
        Check("key invalidation reaches the second node", await Eventually(async () => (await b.GetProductAsync(1))?.Name == "Kettle Pro"), $"reads {source.Reads}");
        Check("key invalidation on the writing node", (await a.GetProductAsync(1))?.Name == "Kettle Pro", "");

        // Tag invalidation: adding a product to the category invalidates every entry tagged with it, on both nodes.
        await b.AddAsync("kitchen", new Product(3, "Blender", "", new Price(59m, "EUR"), Availability.InStock, ["glass"]));
        Check("tag invalidation on the writing node", (await b.ListAsync("kitchen")).Count == 3, "");
        Check("tag invalidation reaches the first node", await Eventually(async () => (await a.ListAsync("kitchen")).Count == 3), "");

        await CustomersAsync(first.GetRequiredService<ICustomerRepository>(), second.GetRequiredService<ICustomerRepository>(), customers);
        await StockAsync(first.GetRequiredService<IStockLevels>(), second.GetRequiredService<IStockLevels>(), stock);

        Console.WriteLine(s_failures == 0 ? "aot-sample: all checks passed" : $"aot-sample: {s_failures} checks failed");
        return s_failures == 0 ? 0 : 1;
    }

    /// <summary>A strongly typed id (<see cref="Sku"/>) as a key, a tag, a batch placeholder and a write's tag.</summary>
    private static async Task StockAsync(IStockLevels a, IStockLevels b, InMemoryStock source)
    {
        var sku = new Sku(Guid.NewGuid());
        var other = new Sku(Guid.NewGuid());
        await a.SetLevelAsync(sku, 7);
        Check("typed id: miss then L1 hit", await a.GetLevelAsync(sku) == 7 && await a.GetLevelAsync(sku) == 7 && source.Reads == 1, $"reads {source.Reads}");
        Check("typed id: L2 hit on the second node", await Eventually(async () => await b.GetLevelAsync(sku) == 7) && source.Reads == 1, $"reads {source.Reads}");
        var levels = await a.GetLevelsAsync([sku, other]);
        Check("typed id: batch read shares the single read's entries", levels.Count == 2 && levels[sku] == 7 && source.Reads == 2, $"reads {source.Reads}");
        await a.SetLevelAsync(sku, 9);
        Check("typed id: tag invalidation on the writing node", await a.GetLevelAsync(sku) == 9, "");
        Check("typed id: tag invalidation reaches the second node", await Eventually(async () => await b.GetLevelAsync(sku) == 9), "");
    }

    /// <summary>The generic repository closed by <see cref="ICustomerRepository"/>, over an entity whose members are set
    /// through <c>[UnsafeAccessor]</c>s on read: every member of what the second node reads from Redis must equal what
    /// the source returned.</summary>
    private static async Task CustomersAsync(ICustomerRepository a, ICustomerRepository b, InMemoryCustomers source)
    {
        Check("customer repository decorated", a.GetType().Name == "CachedCustomerRepository" && b.GetType().Name == "CachedCustomerRepository", a.GetType().Name);

        // The base interface's [Cached] method, closed over Customer.
        var ada = await a.FindAsync(1);
        Check("customer miss calls the source", source.Reads == 1 && ada?.Name == "Ada", $"reads {source.Reads}");
        var again = await a.FindAsync(1);
        Check("customer L1 hit", source.Reads == 1 && ReferenceEquals(ada, again), $"reads {source.Reads}");
        var (fromRedis, l2Us) = await Timed(() => b.FindAsync(1));
        Check(
            "customer L2 hit on the second node with every member",
            source.Reads == 1 && fromRedis is not null && !ReferenceEquals(ada, fromRedis) && fromRedis.Describe() == ada!.Describe()
                && fromRedis.Addresses.Count == 2 && fromRedis.Level.DiscountPercent == 15 && fromRedis.ExternalId != Guid.Empty,
            $"reads {source.Reads}, expected {ada?.Describe()}, read {fromRedis?.Describe()}");
        Console.WriteLine($"time: first customer L2 hit {l2Us} us");

        // The derived interface's own [Cached] method.
        var french = await a.IdsInCountryAsync("FR");
        var frenchFromRedis = await b.IdsInCountryAsync("FR");
        Check(
            "customer list miss then L2 hit",
            source.Reads == 2 && string.Join(",", french) == "1,2" && string.Join(",", frenchFromRedis) == "1,2",
            $"reads {source.Reads}");

        // The base's invalidating write, called through the closed interface on the first node.
        await a.SaveAsync(1, ada!.Renamed("Ada Lovelace"));
        Check("customer key invalidation reaches the second node", await Eventually(async () => (await b.FindAsync(1))?.Name == "Ada Lovelace"), $"reads {source.Reads}");
        Check("customer key invalidation on the writing node", (await a.FindAsync(1))?.Name == "Ada Lovelace", "");

        // The derived interface's tag invalidation, on the second node.
        await b.MoveAsync(2, "FR", "DE");
        Check("customer tag invalidation on the writing node", string.Join(",", await b.IdsInCountryAsync("FR")) == "1", "");
        Check("customer tag invalidation reaches the first node", await Eventually(async () => string.Join(",", await a.IdsInCountryAsync("FR")) == "1"), "");
    }

    private static ServiceProvider Node(string redis, string prefix, InMemoryCatalog source, InMemoryCustomers customers, InMemoryStock stock, bool fromConfiguration = false)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ICatalog>(source);
        services.AddSingleton<IStockLevels>(stock);
        services.AddSingleton<ICustomerRepository>(customers);
        var builder = fromConfiguration
            ? services.AddCachedGen(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["CachedGen:KeyPrefix"] = prefix,
                ["CachedGen:RedisOperationTimeout"] = "2s",
                ["CachedGen:Methods:ICatalog.GetProductAsync:Ttl"] = "10m",
            }).Build().GetSection("CachedGen"))
            : services.AddCachedGen(o =>
            {
                o.KeyPrefix = prefix;
                o.RedisOperationTimeout = TimeSpan.FromSeconds(2);
            });
        builder.UseRedis(redis + ",abortConnect=false");
        return services.BuildServiceProvider();
    }

    private static bool Same(Product expected, Product actual)
        => expected.Id == actual.Id && expected.Name == actual.Name && expected.Category == actual.Category && expected.Price == actual.Price
            && expected.Availability == actual.Availability && string.Join(",", expected.Tags) == string.Join(",", actual.Tags);

    private static void Check(string what, bool passed, string detail)
    {
        Console.WriteLine($"{(passed ? "ok" : "FAILED")}: {what}{(passed || detail.Length == 0 ? "" : " (" + detail + ")")}");
        if (!passed)
        {
            s_failures++;
        }
    }

    /// <summary>Whether <paramref name="condition"/> holds within 5 seconds (the backplane delivers asynchronously).</summary>
    private static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (!await condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    private static async Task<(T Value, long Microseconds)> Timed<T>(Func<Task<T>> call)
    {
        var start = Stopwatch.GetTimestamp();
        var value = await call();
        return (value, Elapsed(start));
    }

    private static long Elapsed(long start) => (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
}
