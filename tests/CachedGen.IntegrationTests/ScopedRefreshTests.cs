using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CachedGen.IntegrationTests;

public interface IScopedShelf
{
    [Cached("10s", "shelf:{id}")]
    Task<string> GetAsync(int id, CancellationToken ct = default);

    [Cached("10s", "shelf-noted:{id}")]
    Task<string> GetNotedAsync(int id, [NotCacheKey] string note);

    [Cached("10s", "shelf:{ids[]}")]
    Task<IReadOnlyDictionary<int, string>> GetManyAsync(IReadOnlyCollection<int> ids);
}

public interface IScopedStore<T>
{
    [Cached("10s", "store:{T}:{id}")]
    Task<string> GetAsync(int id);
}

/// <summary>The generic repository of an open generic registration, with the same checks as <see cref="ScopedShelf"/>.</summary>
public sealed class ScopedStore<T>(ShelfLog log) : IScopedStore<T>, IAsyncDisposable
{
    private readonly ScopedShelf _shelf = new(log);

    public Task<string> GetAsync(int id) => _shelf.GetAsync(id);

    public ValueTask DisposeAsync() => _shelf.DisposeAsync();
}

/// <summary>What the scoped shelves did: which instance served each source call, and which were disposed.</summary>
public sealed class ShelfLog
{
    private int _instances;

    public ConcurrentQueue<int> Calls { get; } = new();

    public ConcurrentDictionary<int, bool> Disposed { get; } = new();

    private readonly ConcurrentDictionary<int, TaskCompletionSource> _disposals = new();

    /// <summary>Completes when instance <paramref name="instance"/> is disposed.</summary>
    public Task WhenDisposed(int instance) => Disposal(instance).Task;

    public void OnDisposed(int instance)
    {
        Disposed[instance] = true;
        Disposal(instance).TrySetResult();
    }

    private TaskCompletionSource Disposal(int instance) => _disposals.GetOrAdd(instance, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    public TaskCompletionSource SecondCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, each source call waits for it (after recording itself).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completes when a source call has started.</summary>
    public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int NextInstance() => Interlocked.Increment(ref _instances);
}

/// <summary>A repository as an EF Core one behaves: one per scope, unusable once its scope is disposed, and one
/// operation at a time (a second concurrent call throws, as a DbContext does).</summary>
public sealed class ScopedShelf(ShelfLog log) : IScopedShelf, IAsyncDisposable
{
    private int _busy;
    private bool _disposed;

    public int Instance { get; } = log.NextInstance();

    public Task<string> GetAsync(int id, CancellationToken ct = default) => ReadAsync(id);

    public Task<string> GetNotedAsync(int id, string note) => ReadAsync(id);

    public async Task<IReadOnlyDictionary<int, string>> GetManyAsync(IReadOnlyCollection<int> ids)
    {
        var values = new Dictionary<int, string>();
        foreach (var id in ids)
        {
            values[id] = await ReadAsync(id);
        }

        return values;
    }

    private async Task<string> ReadAsync(int id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            throw new InvalidOperationException("A second operation was started on this repository before a previous one completed.");
        }

        try
        {
            await Task.Yield();
            log.Calls.Enqueue(Instance);
            log.FirstCall.TrySetResult();
            if (log.Calls.Count == 2)
            {
                log.SecondCall.TrySetResult();
            }

            if (log.Gate is { } gate)
            {
                await gate.Task;
                ObjectDisposedException.ThrowIf(_disposed, this); // as a DbContext whose scope ended meanwhile
            }

            return $"{id}@{Instance}";
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        log.OnDisposed(Instance);
        return default;
    }
}

/// <summary>An early refresh runs after its caller has returned, or while the caller goes on with its scope: with a
/// scoped repository (an EF Core one) it calls a repository of a scope of its own, which is disposed when it ends,
/// never the caller's (disposed with a finished request, or busy with the caller's next query).</summary>
public class ScopedRefreshTests
{
    /// <summary>A provider over <paramref name="register"/>'s registrations, L1 only, on <paramref name="time"/>, with
    /// early refresh at 0.5 (the refresh moment lies between 50 % and 75 % of a 10 s lifetime), scopes validated.</summary>
    private static ServiceProvider Provider(FakeTimeProvider time, ShelfLog log, Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddSingleton(log);
        register(services);
        services.AddCachedGen(o =>
        {
            o.TimeProvider = time;
            o.EarlyRefresh = 0.5;
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    [Theory]
    [InlineData("single")]
    [InlineData("noted")] // a method with a parameter outside the key: the decorator passes it along in a state tuple
    [InlineData("batch")] // a batch read refreshes its due elements with one source call of its own
    public async Task An_early_refresh_calls_a_repository_of_a_scope_of_its_own_and_disposes_it(string method)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new ShelfLog();
        await using var provider = Provider(time, log, services => services.AddScoped<IScopedShelf, ScopedShelf>());
        async Task<string> Read(IScopedShelf shelf) => method switch
        {
            "noted" => await shelf.GetNotedAsync(1, "n"),
            "batch" => (await shelf.GetManyAsync([1]))[1],
            _ => await shelf.GetAsync(1),
        };

        await using (var first = provider.CreateAsyncScope())
        {
            Assert.Equal("1@1", await Read(first.ServiceProvider.GetRequiredService<IScopedShelf>()));
        }

        Assert.True(log.Disposed.ContainsKey(1)); // the first request's repository is gone
        time.Advance(TimeSpan.FromMilliseconds(7_600)); // past any refresh moment, before the expiry

        await using var second = provider.CreateAsyncScope();
        var shelf = second.ServiceProvider.GetRequiredService<IScopedShelf>(); // repository 2, this caller's
        Assert.Equal("1@1", await Read(shelf)); // a hit: answered from the entry, starts the refresh
        await log.SecondCall.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([1, 3], log.Calls); // the refresh used repository 3, neither the disposed one nor the caller's
        await log.WhenDisposed(3).WaitAsync(TimeSpan.FromSeconds(20)); // the refresh's scope is disposed when it ends
        Assert.False(log.Disposed.ContainsKey(2)); // the caller's scope is the caller's business

        // The refreshed value is served without another source call.
        Assert.Equal("1@3", await Read(shelf));
        Assert.Equal(2, log.Calls.Count);
    }

    [Fact]
    public async Task An_early_refresh_of_an_open_generic_registration_calls_a_repository_of_a_scope_of_its_own()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new ShelfLog();
        await using var provider = Provider(time, log, services => services.AddScoped(typeof(IScopedStore<>), typeof(ScopedStore<>)));

        await using (var first = provider.CreateAsyncScope())
        {
            Assert.Equal("1@1", await first.ServiceProvider.GetRequiredService<IScopedStore<string>>().GetAsync(1));
        }

        time.Advance(TimeSpan.FromMilliseconds(7_600));
        await using var second = provider.CreateAsyncScope();
        var store = second.ServiceProvider.GetRequiredService<IScopedStore<string>>(); // repository 2, this caller's
        Assert.Equal("1@1", await store.GetAsync(1));
        await log.SecondCall.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([1, 3], log.Calls);
        await log.WhenDisposed(3).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(log.Disposed.ContainsKey(2));
    }

    /// <summary>With a source timeout the caller returns before its source call ends, and its scope with it: the call
    /// runs on a repository of a scope of its own, finishes after the caller's scope is gone, and its value is cached.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_source_call_its_caller_stopped_waiting_for_runs_on_a_repository_of_a_scope_of_its_own(bool batch)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new ShelfLog { Gate = new(TaskCreationOptions.RunContinuationsAsynchronously) };
        var services = new ServiceCollection();
        services.AddSingleton(log);
        services.AddScoped<IScopedShelf, ScopedShelf>();
        services.AddCachedGen(o =>
        {
            o.TimeProvider = time;
            o.SourceHardTimeout = TimeSpan.FromSeconds(2);
        });
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        await using (var request = provider.CreateAsyncScope())
        {
            var shelf = request.ServiceProvider.GetRequiredService<IScopedShelf>(); // repository 1, this caller's
            var call = batch ? shelf.GetManyAsync([1]) : (Task)shelf.GetAsync(1);
            await log.FirstCall.Task.WaitAsync(TimeSpan.FromSeconds(20));
            time.Advance(TimeSpan.FromSeconds(2));
            await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.True(log.Disposed.ContainsKey(1)); // the caller's request is over
        log.Gate.SetResult();
        await log.WhenDisposed(2).WaitAsync(TimeSpan.FromSeconds(20)); // the late call's own scope, once it ended
        Assert.Equal([2], log.Calls);

        await using var next = provider.CreateAsyncScope();
        Assert.Equal("1@2", await next.ServiceProvider.GetRequiredService<IScopedShelf>().GetAsync(1)); // cached by the late call
        Assert.Single(log.Calls);
    }

    [Fact]
    public async Task A_singleton_repository_is_refreshed_through_itself()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var log = new ShelfLog();
        await using var provider = Provider(time, log, services => services.AddSingleton<IScopedShelf, ScopedShelf>());
        var shelf = provider.GetRequiredService<IScopedShelf>();
        Assert.Equal("1@1", await shelf.GetAsync(1));
        time.Advance(TimeSpan.FromMilliseconds(7_600));
        Assert.Equal("1@1", await shelf.GetAsync(1));
        await log.SecondCall.Task.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal([1, 1], log.Calls); // no scope to detach from: one repository, one instance
    }
}
