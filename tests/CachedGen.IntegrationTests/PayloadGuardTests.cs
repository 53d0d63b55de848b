using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using CachedGen.TestKit;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Public because MessagePack's contractless formatters are built for public types only. The
/// <c>Customer.Orders[i].Customer</c> back reference an ORM hands out.</summary>
public sealed class GraphCustomer
{
    public int Id { get; set; }

    public List<GraphOrder> Orders { get; set; } = [];
}

public sealed class GraphOrder
{
    public int Id { get; set; }

    public GraphCustomer? Customer { get; set; }
}

public sealed class GraphNode
{
    public int Value { get; set; }

    public GraphNode? Next { get; set; }
}

/// <summary>What Redis hands back is checked before it is served (a flipped bit is a miss), and what cannot be serialized
/// safely (a cycle, a graph too deep) is served from the source without ever reaching Redis, and without crashing the
/// process: a StackOverflow in MessagePack would end this test host.</summary>
public sealed class PayloadGuardTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly string _prefix = "guard-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly List<IAsyncDisposable> _disposables = [];
    private IConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync() => _admin = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        await _admin.DisposeAsync();
    }

    private async Task<(CacheRuntime Runtime, Recorder Metrics, EventLog Log)> RuntimeAsync()
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        _disposables.Add(mux);
        var log = new EventLog();
        var runtime = new CacheRuntime(new CachedGenOptions
        {
            KeyPrefix = _prefix,
            KeyHashSecret = Encoding.UTF8.GetBytes(new string('s', 32)),
            ValueEncryptionKey = new byte[32],
            RedisOperationTimeout = TimeSpan.FromSeconds(2),
        }, mux, log);
        var recorder = new Recorder(runtime.Metrics.Meter);
        runtime.Metrics.Refresh(); // as the runtime's timer does within 250 ms of a listener attaching
        return (runtime, recorder, log);
    }

    private static readonly CacheMethodDescriptor<ValueTuple<int>, GraphCustomer> CustomerDescriptor = new(
        "CachedGen.IntegrationTests.IGraphs.GetCustomerAsync",
        static (in ValueTuple<int> key, ref CacheKeyBuilder builder) =>
        {
            builder.AppendLiteral("customer:");
            builder.AppendValue(key.Item1);
        })
    {
        Ttl = TimeSpan.FromMinutes(10),
        KeySuffix = "#v1.0000c001",
        ShapeFingerprint = 0xc001u,
    };

    private static readonly CacheMethodDescriptor<ValueTuple<int>, GraphNode> ChainDescriptor = new(
        "CachedGen.IntegrationTests.IGraphs.GetChainAsync",
        static (in ValueTuple<int> key, ref CacheKeyBuilder builder) =>
        {
            builder.AppendLiteral("chain:");
            builder.AppendValue(key.Item1);
        })
    {
        Ttl = TimeSpan.FromMinutes(10),
        KeySuffix = "#v1.0000c002",
        ShapeFingerprint = 0xc002u,
    };

    private static GraphCustomer Cyclic(int id)
    {
        var customer = new GraphCustomer { Id = id };
        customer.Orders.Add(new GraphOrder { Id = id * 10, Customer = customer });
        customer.Orders.Add(new GraphOrder { Id = (id * 10) + 1, Customer = customer });
        return customer;
    }

    private static GraphNode Chain(int length)
    {
        GraphNode? head = null;
        for (var i = length; i > 0; i--)
        {
            head = new GraphNode { Value = i, Next = head };
        }

        return head!;
    }

    private sealed class Source<T>(Func<int, T> build)
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<T> LoadAsync(int id)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(build(id));
        }
    }

    private static Task<T> CallAsync<T>(CachedMethod<ValueTuple<int>, T> method, Source<T> source, int id)
        => method.GetTaskAsync(new ValueTuple<int>(id), source, static (s, k, _) => s.LoadAsync(k.Item1), CancellationToken.None);

    private static IWidgetRepository Widgets(WidgetSource source, CacheRuntime runtime) => new CachedWidgetRepository(source, runtime);

    private async Task<bool> ExistsAsync(string key) => await _admin.GetDatabase().KeyExistsAsync(key);

    [Fact]
    public async Task A_flipped_bit_in_a_Redis_entry_is_a_miss_counted_and_logged_and_the_source_value_is_served()
    {
        var source = new WidgetSource();
        var (writer, _, _) = await RuntimeAsync();
        await Widgets(source, writer).GetAsync(21);
        await writer.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var key = writer.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(21));
        var stored = (byte[])(await _admin.GetDatabase().StringGetAsync(key))!;

        // One bit of the widget's name ("widget-21" becomes "widget-31"): a well-formed body, a different value.
        var at = stored.AsSpan().IndexOf("widget-21"u8);
        Assert.True(at > 0);
        stored[at + 7] ^= 0x01;
        Assert.True(await _admin.GetDatabase().StringSetAsync(key, stored, null, keepTtl: true));

        var (reader, metrics, log) = await RuntimeAsync();
        var widget = await Widgets(source, reader).GetAsync(21);

        Assert.Equal("widget-21", widget!.Name);
        Assert.Equal(2, source.SourceCalls);
        Assert.Equal(1, metrics.Sum("cachedgen.payload.rejected"));
        Assert.Equal("corrupt", Assert.Single(metrics.Tags("cachedgen.payload.rejected"))["reason"]);
        Assert.Equal(0, metrics.Sum("cachedgen.hits", "l2"));
        var logged = Assert.Single(log.Events, e => e.Id == 1003);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Contains("checksum", logged.Message, StringComparison.Ordinal);

        // The damaged entry was replaced: a third node reads the source's value from Redis.
        await reader.PendingFills.WhenIdleAsync();
        var (third, _, _) = await RuntimeAsync();
        Assert.Equal("widget-21", (await Widgets(source, third).GetAsync(21))!.Name);
        Assert.Equal(2, source.SourceCalls);
    }

    [Fact]
    public async Task An_entry_of_the_previous_format_is_a_quiet_miss_and_is_replaced()
    {
        var source = new WidgetSource();
        var (writer, _, _) = await RuntimeAsync();
        await Widgets(source, writer).GetAsync(22);
        await writer.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var key = writer.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(22));
        var stored = (byte[])(await _admin.GetDatabase().StringGetAsync(key))!;

        // What the previous format wrote: the same header with format 1, the body, no checksum.
        var old = stored[..^PayloadEnvelope.ChecksumSize];
        old[0] = 1;
        Assert.True(await _admin.GetDatabase().StringSetAsync(key, old, null, keepTtl: true));

        var (reader, metrics, log) = await RuntimeAsync();
        Assert.Equal("widget-22", (await Widgets(source, reader).GetAsync(22))!.Name);
        Assert.Equal(2, source.SourceCalls);
        Assert.Equal("outdated", Assert.Single(metrics.Tags("cachedgen.payload.rejected"))["reason"]);
        Assert.DoesNotContain(log.Events, e => e.Level >= LogLevel.Warning);
        Assert.Single(log.Events, e => e.Id == 1017);
        await reader.PendingFills.WhenIdleAsync();
        var rewritten = (byte[])(await _admin.GetDatabase().StringGetAsync(key))!;
        Assert.Equal(PayloadEnvelope.Format, rewritten[0]);
    }

    [Fact]
    public async Task A_cyclic_result_is_served_kept_in_L1_and_never_written_to_Redis()
    {
        var (runtime, metrics, log) = await RuntimeAsync();
        var method = runtime.GetMethod(CustomerDescriptor);
        var source = new Source<GraphCustomer>(Cyclic);

        // Without the guard the first call overflows the stack inside MessagePack and ends the process.
        var first = await CallAsync(method, source, 1);
        Assert.Same(first, first.Orders[0].Customer);
        Assert.Same(first, await CallAsync(method, source, 1));   // L1 kept it
        Assert.Equal(1, source.Calls);

        var key = method.RenderKey(new ValueTuple<int>(1));
        await runtime.PendingFills.WhenIdleAsync();                      // the lease is given back after the answer
        Assert.False(await ExistsAsync(key));
        Assert.False(await ExistsAsync(key + ":lease"));                 // the lease was given back
        for (var id = 2; id <= 5; id++)
        {
            Assert.Equal(id, (await CallAsync(method, source, id)).Id);
        }

        Assert.Equal(5, metrics.Sum("cachedgen.unserializable"));
        var warning = Assert.Single(log.Events, e => e.Id == 1018);   // once per method, not per call
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(CustomerDescriptor.MethodId, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Events, e => e.Id == 1004);
        Assert.Equal(RedisCircuitState.Closed, runtime.RedisCircuitState);

        // Another node finds nothing in Redis and calls the source itself.
        var (other, _, _) = await RuntimeAsync();
        Assert.Equal(1, (await CallAsync(other.GetMethod(CustomerDescriptor), source, 1)).Id);
        Assert.Equal(6, source.Calls);
    }

    [Fact]
    public async Task A_10000_deep_linked_list_is_served_and_never_written_to_Redis()
    {
        var (runtime, metrics, _) = await RuntimeAsync();
        var method = runtime.GetMethod(ChainDescriptor);
        var source = new Source<GraphNode>(Chain);

        var head = await CallAsync(method, source, 10_000);

        Assert.Equal(1, head.Value);
        Assert.False(await ExistsAsync(method.RenderKey(new ValueTuple<int>(10_000))));
        Assert.Equal(1, metrics.Sum("cachedgen.unserializable"));
    }

    [Fact]
    public async Task A_legal_deep_list_within_the_limit_round_trips_through_Redis()
    {
        var (writer, metrics, _) = await RuntimeAsync();
        var source = new Source<GraphNode>(Chain);
        await CallAsync(writer.GetMethod(ChainDescriptor), source, CachedGenOptions.DefaultMaxSerializedDepth);
        await writer.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        Assert.True(await ExistsAsync(writer.GetMethod(ChainDescriptor).RenderKey(new ValueTuple<int>(CachedGenOptions.DefaultMaxSerializedDepth))));

        var (reader, readerMetrics, _) = await RuntimeAsync();
        var head = await CallAsync(reader.GetMethod(ChainDescriptor), source, CachedGenOptions.DefaultMaxSerializedDepth);

        Assert.Equal(1, source.Calls);                                    // the second node read it from Redis
        var count = 0;
        for (var node = head; node is not null; node = node.Next)
        {
            Assert.Equal(++count, node.Value);
        }

        Assert.Equal(CachedGenOptions.DefaultMaxSerializedDepth, count);
        Assert.Equal(0, metrics.Sum("cachedgen.unserializable"));
        Assert.Equal(1, readerMetrics.Sum("cachedgen.hits", "l2"));
    }

    [Fact]
    public void MaxSerializedDepth_is_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(new CachedGenOptions { MaxSerializedDepth = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(new CachedGenOptions { MaxSerializedDepth = CachedGenOptions.MaxSerializedDepthLimit + 1 }));
        using var ok = new CacheRuntime(new CachedGenOptions { MaxSerializedDepth = CachedGenOptions.MaxSerializedDepthLimit });
        Assert.Equal(CachedGenOptions.MaxSerializedDepthLimit, ok.Options.MaxSerializedDepth);
    }

    /// <summary>Every log event a runtime writes, with its id and level.</summary>
    /// <summary>A value whose generated formatter writes a member it cannot set back (a private setter of a generic type)
    /// is read back before it goes to Redis: it does not read back as written, so it stays out of Redis (1023) and another
    /// node calls the source rather than read a page whose total is 0.</summary>
    [Fact]
    public async Task A_value_with_a_member_its_formatter_cannot_set_back_stays_out_of_redis()
    {
        var source = new WidgetSource();
        var (runtimeA, _, log) = await RuntimeAsync();
        var (runtimeB, _, _) = await RuntimeAsync();
        IWidgetRepository a = new CachedWidgetRepository(source, runtimeA);
        IWidgetRepository b = new CachedWidgetRepository(source, runtimeB);

        Assert.Equal(42, (await a.GetPageAsync(1)).TotalCount);
        await runtimeA.PendingFills.WhenIdleAsync();
        Assert.Equal(42, (await b.GetPageAsync(1)).TotalCount);
        Assert.Equal(2, source.SourceCalls);
        Assert.Contains(log.Events, e => e.Id == 1023);
    }

    internal sealed class EventLog : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<(int Id, LogLevel Level, string Message)> _events = new();
        private readonly ConcurrentQueue<(int Id, Exception? Exception)> _exceptions = new();

        public IReadOnlyCollection<(int Id, LogLevel Level, string Message)> Events => _events;

        /// <summary>The exception each event was logged with, in the order of <see cref="Events"/>.</summary>
        public IReadOnlyCollection<(int Id, Exception? Exception)> Exceptions => _exceptions;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            _exceptions.Enqueue((eventId.Id, exception));
            _events.Enqueue((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
