using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

/// <summary>
/// The methods holding invalidations Redis did not confirm (it was unreachable, or the operation timed out): each is
/// tried again every <see cref="RetryInterval"/> until Redis confirms it, so the old value does not stay in Redis for its
/// TTL once Redis is back. A timer runs only while something waits. Deleting an entry again is always safe: at worst it
/// costs one more miss.
/// </summary>
internal sealed class UnconfirmedWrites(TimeProvider time) : IDisposable
{
    /// <summary>How often the unconfirmed invalidations are tried again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IUnconfirmedWrites, byte> _pending = new();
    private readonly object _gate = new();
    private ITimer? _timer;
    private int _running;
    private Task _pass = Task.CompletedTask;
    private bool _disposed;

    /// <summary>Whether any method holds an unconfirmed invalidation.</summary>
    public bool IsEmpty => _pending.IsEmpty;

    /// <summary>Notes that <paramref name="method"/> holds an unconfirmed invalidation, and starts the retries.</summary>
    public void Add(IUnconfirmedWrites method)
    {
        _pending.TryAdd(method, 0);
        lock (_gate)
        {
            if (!_disposed)
            {
                _timer ??= time.CreateTimer(static state => _ = ((UnconfirmedWrites)state!).RetryAsync(), this, RetryInterval, RetryInterval);
            }
        }
    }

    /// <summary>Tries every unconfirmed invalidation once (one pass at a time); stops the timer once none is left.</summary>
    public Task RetryAsync()
    {
        TryStartPass(out var pass);
        return pass;
    }

    /// <summary>Starts a pass unless one is running (then <paramref name="pass"/> is a completed task).</summary>
    private bool TryStartPass(out Task pass)
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            pass = Task.CompletedTask;
            return false;
        }

        pass = PassAsync();
        Volatile.Write(ref _pass, pass);
        return true;
    }

    /// <summary>
    /// The last try before the runtime stops (the host stopping, or the runtime disposed): waits for a pass in progress,
    /// then tries every change still unconfirmed again, pass after pass, until Redis has taken them all or
    /// <paramref name="limit"/> has passed (each Redis operation is bounded by its own budget as well). Returns what is left unconfirmed, by kind (a method's id, or tags), with how
    /// many of each and, for kinds whose changes can be named (tags), the first <see cref="NamedAtStop"/> of them: those
    /// entries may stay in Redis, with the value from before the change, until they expire.
    /// </summary>
    public async Task<IReadOnlyList<(string Name, int Count, string? Items)>> ConfirmBeforeStopAsync(TimeSpan limit, CancellationToken cancellationToken = default)
    {
        if (!_pending.IsEmpty)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var attempts = RetryUntilConfirmedAsync(stop.Token);
            try
            {
                // Wall-clock time, whatever clock the runtime runs on: a stop must end, also under a fake clock that no
                // one advances any more.
                await attempts.WaitAsync(limit, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // Redis did not take everything in time: what is left is reported below, and the pass in progress ends
                // on its own budgets.
            }

            await stop.CancelAsync().ConfigureAwait(false);
        }

        var left = new List<(string Name, int Count, string? Items)>();
        foreach (var method in _pending.Keys)
        {
            if (method.UnconfirmedCount is > 0 and var count)
            {
                left.Add((method.Name, count, method.NamePending(NamedAtStop)));
            }
        }

        left.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return left;
    }

    /// <summary>Passes one after the other, <see cref="FinalPassRetryDelay"/> apart, until nothing is left or
    /// <paramref name="stop"/> is cancelled: Redis may come back while the process stops (a blip shorter than the
    /// limit).</summary>
    private async Task RetryUntilConfirmedAsync(CancellationToken stop)
    {
        while (true)
        {
            await FinalPassAsync().ConfigureAwait(false);
            if (_pending.IsEmpty || stop.IsCancellationRequested)
            {
                return;
            }

            await Task.Delay(FinalPassRetryDelay, TimeProvider.System, stop).ConfigureAwait(false);
        }
    }

    /// <summary>How many of a kind's changes left at a stop are named in the report (the rest are counted).</summary>
    public const int NamedAtStop = 10;

    /// <summary>How many changes wait for Redis to confirm them, of every kind.</summary>
    public int PendingCount
    {
        get
        {
            var count = 0;
            foreach (var method in _pending.Keys)
            {
                count += method.UnconfirmedCount;
            }

            return count;
        }
    }

    /// <summary>The pause between the passes of the last try before a stop.</summary>
    public static readonly TimeSpan FinalPassRetryDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>A pass of its own, after the one in progress (a timer's) has ended: that one may have started before the
    /// last changes were made.</summary>
    private async Task FinalPassAsync()
    {
        while (true)
        {
            var previous = Volatile.Read(ref _pass);
            if (TryStartPass(out var pass))
            {
                await pass.ConfigureAwait(false);
                return;
            }

            await previous.ConfigureAwait(false);
            await Task.Yield(); // a pass just started may not have stored itself yet
        }
    }

    private async Task PassAsync()
    {
        RedisLevel.RetryingUnconfirmed.Value = true; // tried even while the circuit is open (flows to this pass's calls only)
        try
        {
            foreach (var method in _pending.Keys)
            {
                if (await method.RetryUnconfirmedAsync().ConfigureAwait(false))
                {
                    _pending.TryRemove(method, out _);
                    if (method.HasUnconfirmed)
                    {
                        _pending.TryAdd(method, 0); // one was added while the pass ran
                    }
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                if (_pending.IsEmpty)
                {
                    _timer?.Dispose();
                    _timer = null;
                }
            }

            Volatile.Write(ref _running, 0);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
            _timer = null;
        }
    }
}

/// <summary>Changes Redis may not have confirmed (<see cref="UnconfirmedChanges{T}"/>).</summary>
internal interface IUnconfirmedWrites
{
    /// <summary>What the changes are of, for the logs: a method's id, or <c>tags</c>.</summary>
    string Name { get; }

    /// <summary>Whether a change waits for Redis to confirm it.</summary>
    bool HasUnconfirmed { get; }

    /// <summary>How many changes wait for Redis to confirm them.</summary>
    int UnconfirmedCount { get; }

    /// <summary>Tries each unconfirmed change again; <see langword="true"/> when none is left.</summary>
    ValueTask<bool> RetryUnconfirmedAsync();

    /// <summary>The first <paramref name="max"/> unconfirmed changes by name, comma-separated (with how many more), for
    /// the kinds whose changes have a name fit for the logs (a tag); <see langword="null"/> for the others (an entry's
    /// key, whose placeholder values may be personal data).</summary>
    string? NamePending(int max);
}

/// <summary>
/// The changes of one kind Redis did not confirm (a method's invalidations and puts by key, the runtime's tag
/// invalidations): each is tried again by <paramref name="retry"/>, which calls <see cref="Add"/> or
/// <see cref="Confirmed"/> as a first try does, until Redis confirms it. <paramref name="nameOf"/>, when given, names a
/// change in the report of a stop (event 1028).
/// </summary>
internal sealed class UnconfirmedChanges<T>(string name, UnconfirmedWrites writes, Func<T, ValueTask> retry, IEqualityComparer<T>? comparer = null, Func<T, string>? nameOf = null) : IUnconfirmedWrites
    where T : notnull
{
    public string Name => name;

    private readonly ConcurrentDictionary<T, byte> _items = new(comparer);

    // How many items _items may hold: raised before an item is added and lowered after one is removed, so it is never
    // below the number held. At 0, the common case, Contains (asked on every L1 miss) and Confirmed (on every confirmed
    // write) skip the dictionary, whose IsEmpty takes all of its locks when it is empty.
    private int _count;

    public bool HasUnconfirmed => Volatile.Read(ref _count) != 0;

    public int UnconfirmedCount => HasUnconfirmed ? _items.Count : 0;

    /// <summary>Whether the last change of <paramref name="item"/> waits for Redis to confirm it.</summary>
    public bool Contains(in T item) => Volatile.Read(ref _count) != 0 && _items.ContainsKey(item);

    /// <summary>Redis did not confirm the change of <paramref name="item"/>: it is tried again until it does.</summary>
    public void Add(T item)
    {
        Interlocked.Increment(ref _count);
        if (!_items.TryAdd(item, 0))
        {
            Interlocked.Decrement(ref _count);
        }

        writes.Add(this);
    }

    /// <summary>Redis confirmed a change of <paramref name="item"/>: nothing of it waits any more.</summary>
    public void Confirmed(T item)
    {
        if (Volatile.Read(ref _count) != 0 && _items.TryRemove(item, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public string? NamePending(int max)
    {
        if (nameOf is null || !HasUnconfirmed)
        {
            return null;
        }

        var names = new List<string>();
        var more = 0;
        foreach (var item in _items.Keys)
        {
            if (names.Count < max)
            {
                names.Add(nameOf(item));
            }
            else
            {
                more++;
            }
        }

        names.Sort(StringComparer.Ordinal);
        var text = string.Join(", ", names);
        return more == 0 ? text : text + " and " + more.ToString(System.Globalization.CultureInfo.InvariantCulture) + " more";
    }

    public async ValueTask<bool> RetryUnconfirmedAsync()
    {
        foreach (var item in _items.Keys)
        {
            await retry(item).ConfigureAwait(false);
        }

        return Volatile.Read(ref _count) == 0;
    }
}
