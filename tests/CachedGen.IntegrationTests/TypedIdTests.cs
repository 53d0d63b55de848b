using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>A strongly typed id, as EF Core codebases declare them.</summary>
public readonly record struct BookId(Guid Value);

public sealed record TypedBook(BookId Id, string Title, int Reviews);

/// <summary>A strongly typed id in a key, in the key's tag, in a batch placeholder, and in the tag a write invalidates.</summary>
public interface ITypedBooks
{
    [Cached("10m", "tbook:{id}", Tags = ["tbook-entity:{id}"])]
    Task<TypedBook?> FindAsync(BookId id, CancellationToken ct = default);

    [Cached("10m", "tbook:{ids[]}")]
    Task<IReadOnlyDictionary<BookId, TypedBook>> GetManyAsync(IEnumerable<BookId> ids, CancellationToken ct = default);

    [InvalidatesTags("tbook-entity:{id}")]
    Task AddReviewAsync(BookId id, string review, CancellationToken ct = default);
}

public sealed class TypedBookStore : ITypedBooks
{
    private readonly Dictionary<BookId, int> _reviews = [];

    public int Reads { get; private set; }

    public Task<TypedBook?> FindAsync(BookId id, CancellationToken ct = default)
    {
        Reads++;
        return Task.FromResult<TypedBook?>(new TypedBook(id, "Book " + id.Value.ToString("N")[..4], _reviews.GetValueOrDefault(id)));
    }

    public Task<IReadOnlyDictionary<BookId, TypedBook>> GetManyAsync(IEnumerable<BookId> ids, CancellationToken ct = default)
    {
        Reads++;
        return Task.FromResult<IReadOnlyDictionary<BookId, TypedBook>>(ids.ToDictionary(id => id, id => new TypedBook(id, "Book " + id.Value.ToString("N")[..4], _reviews.GetValueOrDefault(id))));
    }

    public Task AddReviewAsync(BookId id, string review, CancellationToken ct = default)
    {
        _reviews[id] = _reviews.GetValueOrDefault(id) + 1;
        return Task.CompletedTask;
    }
}

/// <summary>A strongly typed id is a key value anywhere a key value may be: a tag rendered from it (of the cached read
/// or of a write) used to throw on every call, after the write had run; a batch over it was CG0004.</summary>
public sealed class TypedIdTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "typed-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_strongly_typed_id_keys_tags_and_batches_like_its_field(bool withRedis)
    {
        var store = new TypedBookStore();
        await using var l1Only = new CacheRuntime(new CachedGenOptions(), redis: null);
        var runtime = withRedis ? (await _nodes.AddAsync(new WidgetSource())).Runtime : l1Only;
        ITypedBooks books = new CachedTypedBooks(store, runtime);
        var id = new BookId(Guid.NewGuid());
        var other = new BookId(Guid.NewGuid());

        Assert.Equal(0, (await books.FindAsync(id))!.Reviews);
        Assert.Equal(0, (await books.FindAsync(id))!.Reviews);
        Assert.Equal(1, store.Reads);

        // The batch's elements are the single read's keys (its twin): the cached one is not read again.
        var many = await books.GetManyAsync([id, other]);
        Assert.Equal(2, many.Count);
        Assert.Equal(2, store.Reads);
        Assert.Equal(0, (await books.FindAsync(other))!.Reviews); // the batch's element, cached for its twin
        Assert.Equal(2, store.Reads);
        await runtime.PendingFills.WhenIdleAsync();

        // The write's tag reaches the entry tagged with the same id, and nothing throws.
        await books.AddReviewAsync(id, "great");
        Assert.Equal(1, (await books.FindAsync(id))!.Reviews);
        Assert.Equal(3, store.Reads);
        Assert.Equal(0, (await books.FindAsync(other))!.Reviews); // another id's tag: still cached
        Assert.Equal(3, store.Reads);

        var method = runtime.GetMethod(CachedTypedBooks.FindAsyncDescriptor);
        Assert.Contains(id.Value.ToString("N"), method.RenderKey(new ValueTuple<BookId>(id)), StringComparison.OrdinalIgnoreCase);
    }
}
