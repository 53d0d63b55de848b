using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Reads tagged on one interface; writes on another that caches nothing and only carries [InvalidatesTags].</summary>
public interface ITaggedWidgetQueries
{
    [Cached("10m", "tq-widget:{id}", Tags = ["tq-widget:{id}"])]
    Task<Widget?> GetAsync(int id, CancellationToken ct = default);
}

public interface ITaggedWidgetCommands
{
    [InvalidatesTags("tq-widget:{id}")]
    Task RenameAsync(int id, string name, CancellationToken ct = default);
}

/// <summary>One store behind both interfaces.</summary>
public sealed class TaggedWidgetStore : WidgetRecords, ITaggedWidgetQueries, ITaggedWidgetCommands
{
}

/// <summary>An interface whose writes only invalidate tags gets a decorator of its own (<c>CachedTaggedWidgetCommands</c>),
/// and its writes reach the tagged entries of another interface, on every node.</summary>
[Collection(nameof(OutageCollection))]
public sealed class TagWriterTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "tagw-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Fact]
    public async Task A_write_of_an_interface_that_caches_nothing_invalidates_the_tagged_entries_on_every_node()
    {
        var store = new TaggedWidgetStore();
        var (_, runtimeA) = await _nodes.AddAsync(new WidgetSource());
        var (_, runtimeB) = await _nodes.AddAsync(new WidgetSource());
        ITaggedWidgetQueries queriesA = new CachedTaggedWidgetQueries(store, runtimeA);
        ITaggedWidgetQueries queriesB = new CachedTaggedWidgetQueries(store, runtimeB);
        ITaggedWidgetCommands commandsA = new CachedTaggedWidgetCommands(store, runtimeA);

        Assert.Equal(0, (await queriesA.GetAsync(1))!.Revision);
        Assert.Equal(0, (await queriesB.GetAsync(1))!.Revision); // from Redis
        Assert.Equal(0, (await queriesA.GetAsync(2))!.Revision);
        Assert.Equal(2, store.Reads);

        await commandsA.RenameAsync(1, "one");

        Assert.Equal(1, (await queriesA.GetAsync(1))!.Revision); // the writing node at once
        var seen = await Eventually.ReadAsync(() => queriesB.GetAsync(1), w => w!.Revision == 1, TimeSpan.FromSeconds(5));
        Assert.Equal(1, seen!.Revision); // the other node once the backplane delivers the tag's new generation
        Assert.Equal(0, (await queriesA.GetAsync(2))!.Revision); // another tag: still served from the cache
        Assert.Equal(3, store.Reads);
    }
}
