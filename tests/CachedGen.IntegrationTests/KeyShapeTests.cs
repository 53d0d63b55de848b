using System;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Key tuples at their edges: no placeholder (<see cref="ValueTuple"/>), one nullable value
/// (<c>ValueTuple&lt;int?&gt;</c>), nine placeholders (a tuple nested past seven elements), and member paths (the key
/// does not hold the argument, so the loader's state carries it).</summary>
public interface IKeyShapes
{
    [Cached("10m", "settings", nameof(ResetAsync))]
    Task<string> GetSettingsAsync();

    [Cached("10m", "maybe:{x}")]
    ValueTask<string> GetMaybeAsync(int? x);

    [Cached("10m", "wide:{a}:{b}:{c}:{d}:{e}:{f}:{g}:{h}:{i}")]
    Task<string> GetWideAsync(int a, int b, int c, int d, int e, int f, int g, int h, int i);

    [Cached("10m", "query:{query.Tenant}:{query.Page}")]
    Task<string> FindAsync(ShapeQuery query, CancellationToken ct = default);

    Task ResetAsync();
}

/// <summary>An argument whose members make the key.</summary>
public sealed record ShapeQuery(string Tenant, int Page);

/// <summary>Answers with its arguments and a version, counting calls.</summary>
public sealed class KeyShapes : IKeyShapes
{
    private int _calls;
    private int _version;

    public int Calls => Volatile.Read(ref _calls);

    public Task<string> GetSettingsAsync()
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult("settings-v" + Volatile.Read(ref _version));
    }

    public ValueTask<string> GetMaybeAsync(int? x)
    {
        Interlocked.Increment(ref _calls);
        return new ValueTask<string>("maybe-" + (x?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"));
    }

    public Task<string> GetWideAsync(int a, int b, int c, int d, int e, int f, int g, int h, int i)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(string.Join(":", a, b, c, d, e, f, g, h, i));
    }

    public Task<string> FindAsync(ShapeQuery query, CancellationToken ct = default)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(query.Tenant + ":" + query.Page.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public Task ResetAsync()
    {
        Interlocked.Increment(ref _version);
        return Task.CompletedTask;
    }
}

[Collection(nameof(OutageCollection))]
public sealed class KeyShapeTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "shapes-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    private async Task<(IKeyShapes Shapes, CacheRuntime Runtime)> NodeAsync(KeyShapes source)
    {
        var (_, runtime) = await _nodes.AddAsync(new WidgetSource());
        return (new CachedKeyShapes(source, runtime), runtime);
    }

    [Fact]
    public async Task Keys_without_placeholders_with_a_nullable_value_with_nine_values_and_from_member_paths_render_hit_and_invalidate()
    {
        var source = new KeyShapes();
        var a = await NodeAsync(source);
        var b = await NodeAsync(source);

        // Node A loads each shape once; node B finds them in Redis; node A again serves them from L1.
        static async Task ReadEveryShapeAsync(IKeyShapes shapes)
        {
            Assert.Equal("settings-v0", await shapes.GetSettingsAsync());
            Assert.Equal("maybe-null", await shapes.GetMaybeAsync(null));
            Assert.Equal("maybe-5", await shapes.GetMaybeAsync(5));
            Assert.Equal("1:2:3:4:5:6:7:8:9", await shapes.GetWideAsync(1, 2, 3, 4, 5, 6, 7, 8, 9));
            Assert.Equal("1:2:3:4:5:6:7:8:10", await shapes.GetWideAsync(1, 2, 3, 4, 5, 6, 7, 8, 10));
            Assert.Equal("t1:2", await shapes.FindAsync(new ShapeQuery("t1", 2))); // a new instance each time: keyed by value
            Assert.Equal("t1:3", await shapes.FindAsync(new ShapeQuery("t1", 3)));
        }

        await ReadEveryShapeAsync(a.Shapes);
        Assert.Equal(7, source.Calls);
        await ReadEveryShapeAsync(b.Shapes);
        await ReadEveryShapeAsync(a.Shapes);
        Assert.Equal(7, source.Calls);

        // The Redis keys are the templates with the values, the ninth element included.
        var settings = a.Runtime.GetMethod(CachedKeyShapes.GetSettingsAsyncDescriptor).RenderKey(default);
        var maybeNull = a.Runtime.GetMethod(CachedKeyShapes.GetMaybeAsyncDescriptor).RenderKey(new ValueTuple<int?>(null));
        var wide = a.Runtime.GetMethod(CachedKeyShapes.GetWideAsyncDescriptor).RenderKey((1, 2, 3, 4, 5, 6, 7, 8, 9));
        var query = a.Runtime.GetMethod(CachedKeyShapes.FindAsyncDescriptor).RenderKey(("t1", 2));
        Assert.Contains("{settings}", settings, StringComparison.Ordinal);
        Assert.Contains("{maybe:~}", maybeNull, StringComparison.Ordinal);
        Assert.Contains("{wide:1:2:3:4:5:6:7:8:9}", wide, StringComparison.Ordinal);
        Assert.Contains("{query:t1:2}", query, StringComparison.Ordinal);
        foreach (var key in new[] { settings, maybeNull, wide, query })
        {
            Assert.Equal("1", await redis.Server.ExecuteAsync("EXISTS", key));
        }

        // The write invalidates the placeholder-less entry on both nodes.
        await a.Shapes.ResetAsync();
        Assert.Equal("0", await redis.Server.ExecuteAsync("EXISTS", settings));
        Assert.Equal("settings-v1", await a.Shapes.GetSettingsAsync());
        Assert.Equal("settings-v1", await Eventually.ReadAsync(() => b.Shapes.GetSettingsAsync(), v => v == "settings-v1", TimeSpan.FromSeconds(2)));
    }
}
