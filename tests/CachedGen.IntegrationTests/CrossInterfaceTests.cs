using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Reads on one interface, writes on another (CQRS): the read names the write type-qualified.</summary>
public interface IWidgetQueries
{
    [Cached("10m", "q-widget:{id}", $"{nameof(IWidgetCommands)}.{nameof(IWidgetCommands.RenameAsync)}", $"{nameof(IWidgetCommands)}.{nameof(IWidgetCommands.Remove)}")]
    Task<Widget?> GetAsync(int id, CancellationToken ct = default);
}

public interface IWidgetCommands
{
    Task RenameAsync(int id, string name, CancellationToken ct = default);

    void Remove(int id);
}

/// <summary>Widgets by id, the source of truth of the cross-interface tests: reads are counted, a rename bumps the
/// revision.</summary>
public abstract class WidgetRecords
{
    private readonly Dictionary<int, Widget> _widgets = new();
    private int _reads;

    public int Reads => Volatile.Read(ref _reads);

    public Task<Widget?> GetAsync(int id, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _reads);
        lock (_widgets)
        {
            return Task.FromResult<Widget?>(_widgets.TryGetValue(id, out var w) ? w : new Widget(id, "widget-" + id, 0, []));
        }
    }

    public Task RenameAsync(int id, string name, CancellationToken ct = default)
    {
        lock (_widgets)
        {
            var revision = _widgets.TryGetValue(id, out var w) ? w.Revision : 0;
            _widgets[id] = new Widget(id, name, revision + 1, []);
        }

        return Task.CompletedTask;
    }

    protected void Set(int id, Widget widget)
    {
        lock (_widgets)
        {
            _widgets[id] = widget;
        }
    }
}

/// <summary>One store behind both interfaces.</summary>
public sealed class WidgetStore : WidgetRecords, IWidgetQueries, IWidgetCommands
{
    public void Remove(int id) => Set(id, new Widget(id, "removed", -1, []));
}

/// <summary>A write through <c>CachedWidgetCommands</c> invalidates <c>CachedWidgetQueries</c>' entries, in Redis and in
/// every node's L1.</summary>
[Collection(nameof(OutageCollection))]
public sealed class CrossInterfaceTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "cross-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private async Task<(IWidgetQueries Queries, IWidgetCommands Commands, CacheRuntime Runtime)> NodeAsync(WidgetStore store)
    {
        var (_, runtime) = await _nodes.AddAsync(new WidgetSource());
        return (new CachedWidgetQueries(store, runtime), new CachedWidgetCommands(store, runtime), runtime);
    }

    [Fact]
    public async Task A_write_on_the_command_interface_invalidates_the_query_interfaces_entry_on_every_node()
    {
        var store = new WidgetStore();
        var a = await NodeAsync(store);
        var b = await NodeAsync(store);
        Assert.Equal(0, (await a.Queries.GetAsync(1))!.Revision);
        Assert.Equal(0, (await b.Queries.GetAsync(1))!.Revision);
        Assert.Equal(1, store.Reads);
        var key = a.Runtime.GetMethod(CachedWidgetQueries.GetAsyncDescriptor)
            .RenderKey(new ValueTuple<int>(1));
        Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key));

        await a.Commands.RenameAsync(1, "renamed");

        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", key));
        Assert.Equal(1, (await a.Queries.GetAsync(1))!.Revision);
        var watch = Stopwatch.StartNew();
        Widget? seen;
        do
        {
            seen = await b.Queries.GetAsync(1);
        }
        while (seen!.Revision != 1 && watch.Elapsed < TimeSpan.FromSeconds(2));

        Assert.Equal(1, seen.Revision);

        // A synchronous write invalidates too.
        b.Commands.Remove(1);
        Assert.Equal(-1, (await b.Queries.GetAsync(1))!.Revision);
    }
}
