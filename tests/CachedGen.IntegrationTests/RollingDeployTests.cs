using System;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>A rolling deploy that changes a cached value's shape: nodes of two versions of the code run side by side, each
/// with its own Redis key for the same entry (the key carries the shape's fingerprint). A write on a node of one version
/// deletes that version's key; the nodes of the other version drop their L1 copy and delete their own version's key, so
/// neither version serves the value from before the write.</summary>
public sealed class RollingDeployTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly TestNodes _nodes = new(redis.Server, "deploy-" + Guid.NewGuid().ToString("N")[..8] + ":");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _nodes.DisposeAsync();

    /// <summary><c>GetAsync</c> as the next version of the code describes it: the same method id and key template, a
    /// value type of another shape (another fingerprint in the key).</summary>
    private static readonly CacheMethodDescriptor<ValueTuple<int>, Widget?> NextVersion = new(
        CachedWidgetRepository.GetAsyncDescriptor.MethodId,
        CachedWidgetRepository.GetAsyncDescriptor.RenderKey)
    {
        Ttl = CachedWidgetRepository.GetAsyncDescriptor.Ttl,
        KeySuffix = "#v1.0badf00d()",
        ShapeFingerprint = 0x0badf00du,
    };

    private static Task<Widget?> ReadAsync(CachedMethod<ValueTuple<int>, Widget?> method, WidgetSource source, int id)
        => method.GetTaskAsync(new ValueTuple<int>(id), source, static (s, k, ct) => s.GetAsync(k.Item1, ct), CancellationToken.None);

    private Task<string> ExistsAsync(string key) => redis.Server.ExecuteAsync("EXISTS", key);

    [Fact]
    public async Task A_write_on_a_node_of_one_version_reaches_the_L1_and_the_Redis_entry_of_the_other()
    {
        var source = new WidgetSource();
        var (current, runtimeA) = await _nodes.AddAsync(source);
        var runtimeB = await _nodes.AddRuntimeAsync(); // a node of the next version
        var next = runtimeB.GetMethod(NextVersion);
        var currentKey = runtimeA.GetMethod(CachedWidgetRepository.GetAsyncDescriptor).RenderKey(new ValueTuple<int>(1));
        var nextKey = next.RenderKey(new ValueTuple<int>(1));
        Assert.NotEqual(currentKey, nextKey);

        Assert.Equal("widget-1", (await current.GetAsync(1))!.Name);
        Assert.Equal("widget-1", (await ReadAsync(next, source, 1))!.Name);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);
        Assert.Equal("1", await ExistsAsync(currentKey));
        Assert.Equal("1", await ExistsAsync(nextKey));
        Assert.True(next.TryGetLocal(new ValueTuple<int>(1), out _));

        var applied = new SemaphoreSlim(0);
        runtimeB.Backplane!.Applied += () => applied.Release();
        await current.RenameAsync(1, "renamed"); // invalidates GetAsync and GetSlowWidgetAsync: two messages
        await Eventually.SignalledAsync(applied, "B did not apply the write", times: 2);
        await runtimeB.PendingFills.WhenIdleAsync();

        Assert.False(next.TryGetLocal(new ValueTuple<int>(1), out _)); // B's L1 copy is no longer served
        Assert.Equal("0", await ExistsAsync(currentKey)); // deleted by the writer
        Assert.Equal("0", await ExistsAsync(nextKey)); // deleted by B, which heard of the write
        Assert.Equal("renamed", (await ReadAsync(next, source, 1))!.Name);
    }

    [Fact]
    public async Task A_write_of_this_version_deletes_nothing_more()
    {
        var source = new WidgetSource();
        var (a, runtimeA) = await _nodes.AddAsync(source);
        var (b, runtimeB) = await _nodes.AddAsync(source);
        using var recordB = new Recorder(runtimeB.Metrics.Meter);
        await a.GetAsync(2);
        await b.GetAsync(2);
        await BackgroundFills.LandedAsync(runtimeA, runtimeB);

        var applied = new SemaphoreSlim(0);
        runtimeB.Backplane!.Applied += () => applied.Release();
        await a.RenameAsync(2, "renamed");
        await Eventually.SignalledAsync(applied, "B did not apply the write", times: 2);

        Assert.Equal(0, runtimeB.PendingFills.Count); // B started no delete of its own: the writer deleted the key
        Assert.Equal(0, recordB.Sum("cachedgen.redis.errors"));
        Assert.Equal("renamed", (await b.GetAsync(2))!.Name);
    }
}
