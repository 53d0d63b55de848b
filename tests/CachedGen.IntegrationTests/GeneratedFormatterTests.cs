using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using CachedGen.TestKit;
using MessagePack;
using MessagePack.Resolvers;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

public enum FmtTier
{
    Free,
    Gold = 7,
}

public sealed record FmtLine(string Sku, int Quantity, decimal Price);

public sealed class FmtOrder
{
    public int Id { get; set; }

    public FmtTier Tier { get; init; }

    public DateTimeOffset Placed { get; set; }

    public Guid? Coupon { get; set; }

    public List<FmtLine> Lines { get; set; } = [];

    public IReadOnlyDictionary<string, int[]> Stock { get; set; } = new Dictionary<string, int[]>();

    public FmtAddress? Ship { get; set; }

    public FmtMoney Total { get; set; }

    public FmtCustomer? Customer { get; set; }
}

[MessagePackObject]
public sealed class FmtAddress
{
    [Key(0)]
    public string Street { get; set; } = "";

    [Key(2)]
    public string City { get; set; } = "";
}

[MessagePackObject]
public readonly struct FmtMoney(decimal amount, string currency)
{
    [Key("amt")]
    public decimal Amount { get; } = amount;

    [Key("cur")]
    public string Currency { get; } = currency;
}

/// <summary>The ORM shape CG0014 warns about: <c>Customer.Orders[i].Customer</c>.</summary>
public sealed class FmtCustomer
{
    public int Id { get; set; }

    public List<FmtOrder> Orders { get; set; } = [];
}

public sealed class FmtNode
{
    public int Value { get; set; }

    public FmtNode? Next { get; set; }
}

/// <summary>Framework types MessagePack writes with formatters of its own: a tuple, a queue, a stack, a sorted map.</summary>
public sealed record FmtBacklog(Queue<string> Items, Stack<int> Undo, Tuple<int, string> Pair, SortedDictionary<string, int> Counts, (int Page, int Size) Window);

#pragma warning disable CG0011, CG0014 // mutable and back-referencing on purpose: the depth guard's cases
public interface IFormatterShapes
{
    [Cached("5m", "fmt:page:{page}")]
    Task<(IReadOnlyList<FmtLine> Items, int Total)> GetPageAsync(int page);

    [Cached("5m", "fmt:backlog:{id}")]
    Task<FmtBacklog> GetBacklogAsync(int id);

    [Cached("5m", "fmt:order:{id}")]
    Task<FmtOrder?> GetOrderAsync(int id);

    [Cached("5m", "fmt:chain:{length}")]
    Task<FmtNode> GetChainAsync(int length);
}
#pragma warning restore CG0011, CG0014

/// <summary>The formatters the generator wrote for this assembly's cached values: they are the ones the runtime uses,
/// write and read what MessagePack's contractless resolver wrote for the same types (so entries written before they
/// existed are read back), and count depth as they write.</summary>
public sealed class GeneratedFormatterTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const uint Fingerprint = 42u;

    private static readonly MessagePackSerializerOptions Contractless = ContractlessStandardResolver.Options.WithSecurity(MessagePackSecurity.UntrustedData);

    internal static FmtOrder Sample() => new()
    {
        Id = 12,
        Tier = FmtTier.Gold,
        Placed = new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.FromHours(1)),
        Coupon = Guid.Parse("2b1b5a2c-3c0e-4b8e-9d57-5a0f6f1e2d3c"),
        Lines = [new FmtLine("a-1", 2, 9.5m), new FmtLine("b-2", 1, 100m)],
        Stock = new Dictionary<string, int[]> { ["north"] = [1, 2], ["south"] = [] },
        Ship = new FmtAddress { Street = "1 Main St", City = "Lyon" },
        Total = new FmtMoney(119m, "EUR"),
        Customer = new FmtCustomer { Id = 3 },
    };

    private static void AssertSame(FmtOrder expected, FmtOrder? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Tier, actual.Tier);
        Assert.Equal(expected.Placed, actual.Placed);
        Assert.Equal(expected.Coupon, actual.Coupon);
        Assert.Equal(expected.Lines, actual.Lines);
        Assert.Equal(expected.Stock.OrderBy(p => p.Key).Select(p => (p.Key, string.Join(",", p.Value))), actual.Stock.OrderBy(p => p.Key).Select(p => (p.Key, string.Join(",", p.Value))));
        Assert.Equal((expected.Ship!.Street, expected.Ship.City), (actual.Ship!.Street, actual.Ship.City));
        Assert.Equal((expected.Total.Amount, expected.Total.Currency), (actual.Total.Amount, actual.Total.Currency));
        Assert.Equal(expected.Customer!.Id, actual.Customer!.Id);
    }

    private static byte[] Encode<T>(T value, int maxDepth = CachedGenOptions.DefaultMaxSerializedDepth)
    {
        var buffer = PayloadEnvelope.Encode(value, Fingerprint, 1_000, 61_000, 1 << 20, out var length, maxDepth);
        var copy = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return copy;
    }

    [Fact]
    public void The_runtime_uses_the_generated_formatters()
    {
        foreach (var formatter in new object?[]
        {
            DepthGuardResolver.Instance.GetFormatter<FmtOrder>(), DepthGuardResolver.Instance.GetFormatter<FmtLine>(),
            DepthGuardResolver.Instance.GetFormatter<FmtAddress>(), DepthGuardResolver.Instance.GetFormatter<FmtMoney>(),
            DepthGuardResolver.Instance.GetFormatter<FmtNode>(),
        })
        {
            Assert.NotNull(formatter);
            Assert.EndsWith("GeneratedFormatterResolver", formatter.GetType().DeclaringType?.Name, StringComparison.Ordinal); // a file-local type
        }

        // Collections the values reach come from the generated resolver too, wrapped to count depth.
        Assert.IsType<DepthCountingFormatter<List<FmtLine>>>(DepthGuardResolver.Instance.GetFormatter<List<FmtLine>>());
    }

    [Fact]
    public void A_value_round_trips_through_the_generated_formatters()
    {
        var order = Sample();
        Assert.True(PayloadEnvelope.TryDecode<FmtOrder>(Encode(order), Fingerprint, out var back, out _, out var error), error);
        AssertSame(order, back);
    }

    [Fact]
    public void What_the_contractless_resolver_wrote_reads_back_and_the_other_way_round()
    {
        var order = Sample();

        var old = MessagePackSerializer.Serialize(order, Contractless);
        AssertSame(order, MessagePackSerializer.Deserialize<FmtOrder>(old, PayloadEnvelope.SerializerOptions));

        var generated = MessagePackSerializer.Serialize(order, PayloadEnvelope.SerializerOptions);
        AssertSame(order, MessagePackSerializer.Deserialize<FmtOrder>(generated, Contractless));

        // Same members, same keys, same values: the same MessagePack document (maps compared as JSON, key order aside).
        Assert.Equal(Canonical(old), Canonical(generated));
    }

    [Fact]
    public async Task An_entry_written_through_the_contractless_resolver_is_an_L2_hit()
    {
        // What the previous version of the runtime stored: the same envelope (format 2) around a contractless body.
        var prefix = "fmt-" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await using var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux);
        var source = new FormatterSource();
        IFormatterShapes repository = new CachedFormatterShapes(source, runtime);

        // A miss fills Redis; its key and expiry are kept, its body replaced by the contractless resolver's.
        var expected = Sample();
        source.Order = expected;
        AssertSame(expected, await repository.GetOrderAsync(12));
        await runtime.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var key = (await KeysAsync(mux, prefix)).Single(k => k.Contains("fmt:order:12", StringComparison.Ordinal) && !k.EndsWith(":lease", StringComparison.Ordinal));
        var stored = (byte[])(await mux.GetDatabase().StringGetAsync(key))!;
        var fingerprint = BitConverter.ToUInt32(stored, 2);
        var expires = BitConverter.ToInt64(stored, 14);
        var old = Copy(expected);
        old.Id = 13;
        var body = MessagePackSerializer.Serialize(old, Contractless);
        var payload = Envelope(body, fingerprint, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), expires);
        await mux.GetDatabase().StringSetAsync(key, payload, TimeSpan.FromMinutes(5));

        await using var mux2 = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await using var other = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux2);
        IFormatterShapes second = new CachedFormatterShapes(source, other);
        var read = await second.GetOrderAsync(12);
        Assert.Equal(13, read!.Id); // the old entry, read back: not a miss
        Assert.Equal(1, source.Calls);

        static FmtOrder Copy(FmtOrder o) => new()
        {
            Id = o.Id, Tier = o.Tier, Placed = o.Placed, Coupon = o.Coupon, Lines = o.Lines, Stock = o.Stock, Ship = o.Ship, Total = o.Total, Customer = o.Customer,
        };
    }

    private static FmtBacklog Backlog() => new(
        new Queue<string>(["first", "second"]),
        new Stack<int>([1, 2, 3]),
        Tuple.Create(7, "seven"),
        new SortedDictionary<string, int> { ["b"] = 2, ["a"] = 1 },
        (3, 50));

    private static void AssertSame(FmtBacklog expected, FmtBacklog? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Items, actual.Items);
        Assert.Equal(expected.Undo, actual.Undo);
        Assert.Equal(expected.Pair, actual.Pair);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Window, actual.Window);
    }

    [Fact]
    public void Tuples_and_framework_collections_are_written_by_generated_formatters_as_the_contractless_resolver_writes_them()
    {
        // Written at compile time (no CG0020), so they are stored under Native AOT too.
        Assert.NotNull(GeneratedFormatters.Find<(IReadOnlyList<FmtLine>, int)>());
        Assert.NotNull(GeneratedFormatters.Find<Queue<string>>());
        Assert.NotNull(GeneratedFormatters.Find<Stack<int>>());
        Assert.NotNull(GeneratedFormatters.Find<Tuple<int, string>>());
        Assert.NotNull(GeneratedFormatters.Find<SortedDictionary<string, int>>());
        Assert.NotNull(GeneratedFormatters.Find<(int, int)>());

        var backlog = Backlog();
        Assert.True(PayloadEnvelope.TryDecode<FmtBacklog>(Encode(backlog), Fingerprint, out var back, out _, out var error), error);
        AssertSame(backlog, back);
        var generated = MessagePackSerializer.Serialize(backlog, PayloadEnvelope.SerializerOptions);
        var old = MessagePackSerializer.Serialize(backlog, Contractless);
        Assert.Equal(Canonical(old), Canonical(generated));
        AssertSame(backlog, MessagePackSerializer.Deserialize<FmtBacklog>(old, PayloadEnvelope.SerializerOptions));

        (IReadOnlyList<FmtLine> Items, int Total) page = ([new FmtLine("a-1", 2, 9.5m)], 41);
        Assert.True(PayloadEnvelope.TryDecode<(IReadOnlyList<FmtLine> Items, int Total)>(Encode(page), Fingerprint, out var pageBack, out _, out error), error);
        Assert.Equal(page.Items, pageBack.Items);
        Assert.Equal(41, pageBack.Total);
        Assert.Equal(MessagePackSerializer.Serialize(page, Contractless), MessagePackSerializer.Serialize(page, PayloadEnvelope.SerializerOptions));
    }

    [Fact]
    public async Task A_tuple_result_is_stored_in_Redis_and_read_by_another_node()
    {
        var prefix = "fmt-" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await using var first = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux);
        await using var mux2 = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        await using var second = new CacheRuntime(new CachedGenOptions { KeyPrefix = prefix, RedisOperationTimeout = TimeSpan.FromSeconds(2) }, mux2);
        var source = new FormatterSource();
        IFormatterShapes one = new CachedFormatterShapes(source, first);
        IFormatterShapes two = new CachedFormatterShapes(source, second);

        var filled = await one.GetPageAsync(4);
        var read = await two.GetPageAsync(4);

        Assert.Equal(1, source.PageCalls);
        Assert.Equal(filled.Items, read.Items);
        Assert.Equal(filled.Total, read.Total);
        Assert.Contains((await KeysAsync(mux, prefix)), k => k.Contains("fmt:page:4", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cycle_through_generated_formatters_is_refused()
    {
        var customer = new FmtCustomer { Id = 1 };
        var order = Sample();
        order.Customer = customer;
        customer.Orders.Add(order);
        var ex = Assert.Throws<SerializedGraphTooDeepException>(() => Encode(order));
        Assert.Equal(CachedGenOptions.DefaultMaxSerializedDepth, ex.Limit);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(256)]
    public void A_chain_as_deep_as_the_limit_round_trips_and_one_more_is_refused(int limit)
    {
        var payload = Encode(Chain(limit), limit);
        Assert.True(PayloadEnvelope.TryDecode<FmtNode>(payload, Fingerprint, out var back, out _, out var error), error);
        var count = 0;
        for (var node = back; node is not null; node = node.Next)
        {
            Assert.Equal(++count, node.Value);
        }

        Assert.Equal(limit, count);
        Assert.Throws<SerializedGraphTooDeepException>(() => Encode(Chain(limit + 1), limit));
    }

    [Fact]
    public void A_10000_deep_chain_is_refused_on_a_small_stack()
    {
        Exception? caught = null;
        var thread = new Thread(() => caught = Record.Exception(() => Encode(Chain(10_000), CachedGenOptions.MaxSerializedDepthLimit)), 256 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
        Assert.IsType<SerializedGraphTooDeepException>(caught);
    }

    [Fact]
    public void Outside_a_runtime_write_nothing_is_counted_or_refused()
    {
        var bytes = MessagePackSerializer.Serialize(Chain(300), PayloadEnvelope.SerializerOptions);
        Assert.NotEmpty(bytes);
        Assert.NotNull(Encode(Chain(CachedGenOptions.DefaultMaxSerializedDepth)));
    }

    internal static FmtNode Chain(int length)
    {
        FmtNode? head = null;
        for (var i = length; i > 0; i--)
        {
            head = new FmtNode { Value = i, Next = head };
        }

        return head!;
    }

    private static string Canonical(byte[] messagePack)
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(MessagePackSerializer.ConvertToJson(messagePack))!;
        return Sort(json)!.ToJsonString();

        static System.Text.Json.Nodes.JsonNode? Sort(System.Text.Json.Nodes.JsonNode? node) => node switch
        {
            System.Text.Json.Nodes.JsonObject o => new System.Text.Json.Nodes.JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
            System.Text.Json.Nodes.JsonArray a => new System.Text.Json.Nodes.JsonArray(a.Select(i => Sort(i?.DeepClone())).ToArray()),
            _ => node?.DeepClone(),
        };
    }

    private static byte[] Envelope(byte[] body, uint fingerprint, long created, long expires)
    {
        var payload = new byte[PayloadEnvelope.HeaderSize + body.Length + PayloadEnvelope.ChecksumSize];
        payload[0] = PayloadEnvelope.Format;
        BitConverter.TryWriteBytes(payload.AsSpan(2), fingerprint);
        BitConverter.TryWriteBytes(payload.AsSpan(6), created);
        BitConverter.TryWriteBytes(payload.AsSpan(14), expires);
        body.CopyTo(payload, PayloadEnvelope.HeaderSize);
        var hash = System.IO.Hashing.XxHash3.HashToUInt64(payload.AsSpan(0, PayloadEnvelope.HeaderSize + body.Length));
        BitConverter.TryWriteBytes(payload.AsSpan(PayloadEnvelope.HeaderSize + body.Length), hash);
        return payload;
    }

    private static async Task<List<string>> KeysAsync(IConnectionMultiplexer mux, string prefix)
    {
        var keys = new List<string>();
        await foreach (var key in mux.GetServers()[0].KeysAsync(pattern: prefix + "*"))
        {
            keys.Add(key!);
        }

        return keys;
    }

    private sealed class FormatterSource : IFormatterShapes
    {
        public FmtOrder? Order { get; set; }

        public int Calls { get; private set; }

        public Task<FmtOrder?> GetOrderAsync(int id)
        {
            Calls++;
            return Task.FromResult(Order);
        }

        public Task<FmtNode> GetChainAsync(int length) => Task.FromResult(Chain(length));

        public int PageCalls { get; private set; }

        public Task<(IReadOnlyList<FmtLine> Items, int Total)> GetPageAsync(int page)
        {
            PageCalls++;
            return Task.FromResult<(IReadOnlyList<FmtLine>, int)>(([new FmtLine("p-" + page, page, 1m)], page * 10));
        }

        public Task<FmtBacklog> GetBacklogAsync(int id) => Task.FromResult(Backlog());
    }
}
