using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.IntegrationTests;

public sealed record Widget(int Id, string Name, int Revision, IReadOnlyList<string> Tags);

/// <summary>A page of items with a total only the type itself sets (as a DDD aggregate or a paging helper does).</summary>
public sealed class WidgetPage<T>
{
    public WidgetPage(IReadOnlyList<T> items) => Items = items;

    public IReadOnlyList<T> Items { get; }

    public int TotalCount { get; private set; }

    public static WidgetPage<T> Of(IReadOnlyList<T> items, int total) => new(items) { TotalCount = total };
}

public sealed record Account(string DisplayName);

/// <summary>The repository contract the generated <c>CachedWidgetRepository</c> decorates.</summary>
public interface IWidgetRepository
{
    [Cached("10m", "widget:{id}", nameof(RenameAsync), nameof(Delete))]
    Task<Widget?> GetAsync(int id, CancellationToken ct = default);

    [Cached("10m", "widget-v:{id}")]
    ValueTask<Widget?> GetValueAsync(int id, CancellationToken ct = default);

    [Cached("1s", "short:{id}")]
    ValueTask<Widget?> GetShortLivedAsync(int id);

    [Cached("10m", "big:{id}:{size}")]
    Task<string> GetBigAsync(int id, int size);

    [Cached("10m", "name:{id}")]
    string GetName(int id);

    [Cached("10m", "account:{email:hash}")]
    Task<Account?> GetAccountAsync(string email);

    [Cached("5m", "secret:{id}", Sensitive = true)]
    Task<Account?> GetSecretAsync(int id);

    [Cached("10m", "slow:{id}")]
    Task<Widget?> GetSlowAsync(int id, [NotCacheKey] TimeSpan delay, CancellationToken ct = default);

    // Reads the source's current widget, then waits WidgetSource.ReadDelay before returning it: a slow query that
    // can return what was true when it started.
    [Cached("10m", "slow-widget:{id}", nameof(RenameAsync))]
    Task<Widget?> GetSlowWidgetAsync(int id);

    // Tagged by owner: TouchOwnerAsync (or ICacheInvalidator.InvalidateTagAsync) drops every widget of the owner at once.
    [Cached("10m", "owned:{owner}:{id}", Tags = ["owner:{owner}"], LocalTtl = "1s")]
    Task<Widget?> GetOwnedAsync(string owner, int id);

    // As GetOwnedAsync, with the slow read of GetSlowWidgetAsync (WidgetSource.ReadDelay), and an L1 that keeps entries.
    [Cached("10m", "owned-slow:{owner}:{id}", Tags = ["owner:{owner}", "kind:slow"])]
    Task<Widget?> GetOwnedSlowAsync(string owner, int id);

    [InvalidatesTags("owner:{owner}")]
    Task TouchOwnerAsync(string owner, CancellationToken ct = default);

    // Write-through: the renamed widget it returns becomes GetAsync's entry, instead of a miss on the next read.
    [CachePut(nameof(GetAsync))]
    Task<Widget> ReviseAsync(int id, string name);

    Task RenameAsync(int id, string name, CancellationToken ct = default);

    // A generic page whose total has a private setter: its generated formatter cannot set it back (no accessor reaches a
    // generic type's members), so each value is read back and compared before it goes to Redis.
    [Cached("10m", "widget-page:{page}")]
    Task<WidgetPage<Widget>> GetPageAsync(int page);

    void Delete(int id);

    int SourceCalls { get; }
}

/// <summary>The source of truth: counts every call that reaches it.</summary>
public sealed class WidgetSource : IWidgetRepository
{
    private readonly Dictionary<int, Widget> _widgets = new();
    private int _calls;

    public int SourceCalls => Volatile.Read(ref _calls);

    public Task<Widget?> GetAsync(int id, CancellationToken ct = default) => Task.FromResult(Read(id));

    public ValueTask<Widget?> GetValueAsync(int id, CancellationToken ct = default) => new(Read(id));

    public ValueTask<Widget?> GetShortLivedAsync(int id) => new(Read(id));

    public Task<string> GetBigAsync(int id, int size)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(new string((char)('a' + (id % 26)), size));
    }

    public string GetName(int id) => Read(id)?.Name ?? "";

    public Task<Account?> GetAccountAsync(string email)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult<Account?>(new Account("Account of " + email));
    }

    public Task<Account?> GetSecretAsync(int id)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult<Account?>(new Account("secret-" + id));
    }

    /// <summary>While set, every read throws <see cref="InvalidOperationException"/> (the database is down).</summary>
    public bool Failing { get; set; }

    /// <summary>How long <see cref="GetSlowWidgetAsync"/> takes after reading the widget.</summary>
    public TimeSpan ReadDelay { get; set; }

    /// <summary>When set, <see cref="GetSlowWidgetAsync"/> holds what it read until the test completes this (a query
    /// still running at a moment the test chooses), then waits <see cref="ReadDelay"/>.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Released by each <see cref="GetSlowWidgetAsync"/> once it has read the widget (its query is under way).</summary>
    public SemaphoreSlim SlowReadStarted { get; } = new(0);

    /// <summary>Most <see cref="GetSlowWidgetAsync"/> calls seen running at once.</summary>
    public int MaxConcurrentSlowReads => Volatile.Read(ref _maxActive);

    private int _active;
    private int _maxActive;

    public async Task<Widget?> GetSlowWidgetAsync(int id)
    {
        var active = Interlocked.Increment(ref _active);
        for (var max = Volatile.Read(ref _maxActive); active > max && Interlocked.CompareExchange(ref _maxActive, active, max) != max; max = Volatile.Read(ref _maxActive))
        {
        }

        try
        {
            var widget = Read(id);
            SlowReadStarted.Release();
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            await Task.Delay(ReadDelay); // the query's latency, part of the scenario
            return widget;
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    public async Task<Widget?> GetSlowAsync(int id, TimeSpan delay, CancellationToken ct = default)
    {
        var widget = Read(id);
        await Task.Delay(delay, ct); // the query's latency, part of the scenario
        return widget;
    }

    public Task<Widget?> GetOwnedAsync(string owner, int id) => Task.FromResult(Read(id));

    public Task<Widget?> GetOwnedSlowAsync(string owner, int id) => GetSlowWidgetAsync(id);

    public Task TouchOwnerAsync(string owner, CancellationToken ct = default) => Task.CompletedTask;

    public Task<WidgetPage<Widget>> GetPageAsync(int page)
    {
        var first = Read(page * 2)!;
        return Task.FromResult(WidgetPage<Widget>.Of([first], total: 42));
    }

    /// <summary>When set, <see cref="ReviseAsync"/> holds the widget it wrote until the test completes this (a write
    /// whose response is still on its way while another write runs).</summary>
    public TaskCompletionSource? ReviseGate { get; set; }

    /// <summary>Released by each <see cref="ReviseAsync"/> once the source has its write.</summary>
    public SemaphoreSlim Revised { get; } = new(0);

    public async Task<Widget> ReviseAsync(int id, string name)
    {
        await RenameAsync(id, name);
        Widget written;
        lock (_widgets)
        {
            written = _widgets[id];
        }

        Revised.Release();
        if (ReviseGate is { } gate)
        {
            await gate.Task;
        }

        return written;
    }

    public Task RenameAsync(int id, string name, CancellationToken ct = default)
    {
        lock (_widgets)
        {
            var current = _widgets.TryGetValue(id, out var w) ? w : new Widget(id, "widget-" + id, 0, ["x"]);
            _widgets[id] = current with { Name = name, Revision = current.Revision + 1 };
        }

        return Task.CompletedTask;
    }

    /// <summary>The widget's current revision at the source (0 before any write), without counting a call.</summary>
    public int RevisionOf(int id)
    {
        lock (_widgets)
        {
            return _widgets.TryGetValue(id, out var w) ? w.Revision : 0;
        }
    }

    public void Delete(int id)
    {
        lock (_widgets)
        {
            _widgets.Remove(id);
            _widgets[id] = new Widget(id, "deleted", -1, []);
        }
    }

    private Widget? Read(int id)
    {
        Interlocked.Increment(ref _calls);
        if (Failing)
        {
            throw new InvalidOperationException("the widget database is down");
        }

        if (id < 0)
        {
            return null;
        }

        lock (_widgets)
        {
            return _widgets.TryGetValue(id, out var w) ? w : new Widget(id, "widget-" + id, 0, ["x", "y"]);
        }
    }
}
