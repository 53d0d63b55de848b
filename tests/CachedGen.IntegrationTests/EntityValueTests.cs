using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>An EF Core navigation collection initialised in the constructor as a hash set of entities.</summary>
public sealed class EntBlog
{
    public EntBlog() => Posts = new HashSet<EntPost>();

    public int Id { get; set; }

    public HashSet<EntPost> Posts { get; set; }
}

public sealed class EntPost
{
    public int Id { get; set; }

    public string Text { get; set; } = "";
}

/// <summary>An EF Core entity: private setters, a protected constructor for the ORM and a public one for code.</summary>
public class EntProduct
{
    public EntProduct(string name, decimal price) => (Name, Price) = (name, price);

    protected EntProduct()
    {
    }

    public int Id { get; private set; }

    public string Name { get; private set; } = "";

    public decimal Price { get; private set; }

    public IReadOnlyList<string> Tags { get; } = new List<string>();

    public string Sku { get; init; } = "";

    internal void Stored(int id, params string[] tags)
    {
        Id = id;
        ((List<string>)Tags).AddRange(tags);
    }
}

/// <summary>A DDD aggregate whose only constructor for code takes what no member is called.</summary>
public sealed class EntAccount
{
    public EntAccount(int customerNumber, string owner) => (Number, Owner) = ("C-" + customerNumber, owner);

    private EntAccount()
    {
    }

    public string Number { get; private set; } = "";

    public string Owner { get; private set; } = "";

    public required DateOnly Opened { get; init; }

    public EntProduct? Favourite { get; private set; }

    internal void Favour(EntProduct product) => Favourite = product;
}

public struct EntReading
{
    public readonly int Value;

    public readonly string Unit;

    public EntReading(int value) => (Value, Unit) = (value, "kWh");
}

/// <summary>Framework types MessagePack 2.5 has no formatter for; the runtime brings its own.</summary>
public sealed class EntDocument
{
    public Int128 Big { get; set; }

    public UInt128? Unsigned { get; set; }

    public System.Text.Json.JsonElement Raw { get; set; }

    public System.Text.Json.JsonElement Missing { get; set; }

    public System.Text.Json.Nodes.JsonObject? Attributes { get; set; }

    public System.Text.Json.Nodes.JsonNode? Any { get; set; }
}

/// <summary>Framework collections, tuples and Lazy: MessagePack's own formatters, named by the generated resolver.</summary>
public sealed class EntShapes
{
    public Queue<string> Queue { get; set; } = new();

    public (int Count, string Label) Pair { get; set; }

    public System.Collections.ObjectModel.ReadOnlyCollection<int>? ReadOnly { get; set; }

    public SortedDictionary<string, int> Sorted { get; set; } = new();

    public Lazy<int>? Later { get; set; }

    public ReadOnlyMemory<byte> Blob { get; set; }
}

#pragma warning disable CG0011 // mutable entities on purpose
public interface IEntityShapes
{
    [Cached("5m", "ent:blog:{id}")]
    Task<EntBlog?> GetBlogAsync(int id);

    [Cached("5m", "ent:account:{id}")]
    Task<EntAccount?> GetAccountAsync(int id);

    [Cached("5m", "ent:reading:{id}")]
    Task<EntReading> GetReadingAsync(int id);

    [Cached("5m", "ent:document:{id}")]
    Task<EntDocument?> GetDocumentAsync(int id);

    [Cached("5m", "ent:shapes:{id}")]
    Task<EntShapes?> GetShapesAsync(int id);
}
#pragma warning restore CG0011

/// <summary>Result types shaped like an EF Core / DDD application's, through Redis from one node to another: what the
/// second node reads is the source's value, member by member.</summary>
public sealed class EntityValueTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_hash_set_of_entities_is_read_back_on_another_node()
    {
        var blog = new EntBlog { Id = 1 };
        blog.Posts.Add(new EntPost { Id = 10, Text = "first" });
        blog.Posts.Add(new EntPost { Id = 11, Text = "second" });
        var source = new EntitySource { Blog = blog };
        var (first, second) = await NodesAsync(source);

        Assert.Same(blog, await first.GetBlogAsync(1));
        var read = await second.GetBlogAsync(1);

        Assert.Equal(1, source.Calls); // an L2 hit: before, MessagePack refused a set of entities on read (no collision-resistant hash)
        Assert.NotSame(blog, read);
        Assert.Equal([(10, "first"), (11, "second")], read!.Posts.Select(p => (p.Id, p.Text)).OrderBy(p => p.Id));
    }

    [Fact]
    public async Task An_entity_with_private_setters_and_a_protected_constructor_is_read_back_whole()
    {
        var product = new EntProduct("Kettle", 1.10m) { Sku = "K-1" };
        product.Stored(42, "kitchen", "steel");
        var account = new EntAccount(7, "Ann") { Opened = new DateOnly(2026, 1, 2) };
        account.Favour(product);
        var source = new EntitySource { Account = account };
        var (first, second) = await NodesAsync(source);

        Assert.Same(account, await first.GetAccountAsync(1));
        var read = await second.GetAccountAsync(1);

        Assert.Equal(1, source.Calls);
        Assert.NotSame(account, read);
        Assert.Equal(("C-7", "Ann", new DateOnly(2026, 1, 2)), (read!.Number, read.Owner, read.Opened));
        var favourite = read.Favourite!;
        Assert.Equal((42, "Kettle", 1.10m, "K-1"), (favourite.Id, favourite.Name, favourite.Price, favourite.Sku));
        Assert.Equal(2, decimal.GetBits(favourite.Price)[3] >> 16 & 0xFF); // the scale: 1.10, not 1.1
        Assert.Equal(["kitchen", "steel"], favourite.Tags);
    }

    [Fact]
    public async Task A_struct_with_read_only_fields_no_constructor_takes_is_read_back_whole()
    {
        var source = new EntitySource { Reading = new EntReading(5) };
        var (first, second) = await NodesAsync(source);

        Assert.Equal((5, "kWh"), ((await first.GetReadingAsync(1)).Value, (await first.GetReadingAsync(1)).Unit));
        var read = await second.GetReadingAsync(1);

        Assert.Equal(1, source.Calls);
        Assert.Equal((5, "kWh"), (read.Value, read.Unit));
    }

    [Fact]
    public async Task Int128_and_json_members_are_read_back_on_another_node()
    {
        var document = new EntDocument
        {
            Big = Int128.MinValue + 7,
            Unsigned = UInt128.MaxValue - 3,
            Raw = System.Text.Json.JsonDocument.Parse("""{"a":[1,2.50,"x"],"b":null}""").RootElement,
            Attributes = new System.Text.Json.Nodes.JsonObject { ["size"] = 3, ["tags"] = new System.Text.Json.Nodes.JsonArray("a", "b") },
            Any = System.Text.Json.Nodes.JsonNode.Parse("[true,{\"k\":1}]"),
        };
        var source = new EntitySource { Document = document };
        var (first, second) = await NodesAsync(source);

        Assert.Same(document, await first.GetDocumentAsync(1));
        var read = await second.GetDocumentAsync(1);

        Assert.Equal(1, source.Calls); // before, MessagePack failed on Int128 and the value was never stored
        Assert.Equal(document.Big, read!.Big);
        Assert.Equal(document.Unsigned, read.Unsigned);
        Assert.Equal("""{"a":[1,2.50,"x"],"b":null}""", read.Raw.GetRawText()); // before, an empty element
        Assert.Equal(System.Text.Json.JsonValueKind.Undefined, read.Missing.ValueKind);
        Assert.Equal("""{"size":3,"tags":["a","b"]}""", read.Attributes!.ToJsonString());
        Assert.Equal("""[true,{"k":1}]""", read.Any!.ToJsonString());
    }

    [Fact]
    public async Task Framework_collections_tuples_and_lazy_are_read_back_on_another_node()
    {
        var shapes = new EntShapes
        {
            Queue = new Queue<string>(["a", "b"]),
            Pair = (3, "three"),
            ReadOnly = new System.Collections.ObjectModel.ReadOnlyCollection<int>([4, 5]),
            Sorted = new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 },
            Later = new Lazy<int>(() => 9),
            Blob = new byte[] { 1, 2, 3 },
        };
        var source = new EntitySource { Shapes = shapes };
        var (first, second) = await NodesAsync(source);

        Assert.Same(shapes, await first.GetShapesAsync(1));
        var read = await second.GetShapesAsync(1);

        Assert.Equal(1, source.Calls);
        Assert.Equal(["a", "b"], read!.Queue);
        Assert.Equal((3, "three"), read.Pair);
        Assert.Equal([4, 5], read.ReadOnly!);
        Assert.Equal([("a", 1), ("b", 2)], read.Sorted.Select(p => (p.Key, p.Value)));
        Assert.Equal(9, read.Later!.Value);
        Assert.Equal([1, 2, 3], read.Blob.ToArray());
    }

    private async Task<(IEntityShapes First, IEntityShapes Second)> NodesAsync(EntitySource source)
    {
        var prefix = "ent-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var first = await NodeAsync(source, prefix);
        var second = await NodeAsync(source, prefix);
        return (first, second);
    }

    private async Task<IEntityShapes> NodeAsync(EntitySource source, string prefix)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux);
        _disposables.Add(runtime);
        _disposables.Add(mux);
        return new CachedEntityShapes(source, runtime);
    }

    private sealed class EntitySource : IEntityShapes
    {
        public EntBlog? Blog { get; init; }

        public EntAccount? Account { get; init; }

        public EntReading Reading { get; init; }

        public EntDocument? Document { get; init; }

        public EntShapes? Shapes { get; init; }

        public int Calls { get; private set; }

        public Task<EntBlog?> GetBlogAsync(int id)
        {
            Calls++;
            return Task.FromResult(Blog);
        }

        public Task<EntAccount?> GetAccountAsync(int id)
        {
            Calls++;
            return Task.FromResult(Account);
        }

        public Task<EntReading> GetReadingAsync(int id)
        {
            Calls++;
            return Task.FromResult(Reading);
        }

        public Task<EntDocument?> GetDocumentAsync(int id)
        {
            Calls++;
            return Task.FromResult(Document);
        }

        public Task<EntShapes?> GetShapesAsync(int id)
        {
            Calls++;
            return Task.FromResult(Shapes);
        }
    }
}
