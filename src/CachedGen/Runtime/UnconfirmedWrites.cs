using System;
using System.Collections.Concurrent;
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
    public async Task RetryAsync()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

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

/// <summary>A method whose invalidations Redis may not have confirmed.</summary>
internal interface IUnconfirmedWrites
{
    /// <summary>Whether an invalidation of this method waits for Redis to confirm it.</summary>
    bool HasUnconfirmed { get; }

    /// <summary>Tries each unconfirmed invalidation again; <see langword="true"/> when none is left.</summary>
    ValueTask<bool> RetryUnconfirmedAsync();
}

/// <summary>The tag invalidations (and of everything, and of one method) Redis did not confirm: each moves its
/// generation again once Redis answers. Moving a generation once more than needed costs the tag's entries one miss.</summary>
internal sealed class UnconfirmedTags(CacheRuntime runtime) : IUnconfirmedWrites
{
    private readonly ConcurrentDictionary<string, byte> _tags = new(StringComparer.Ordinal);

    public bool HasUnconfirmed => !_tags.IsEmpty;

    /// <summary>Redis did not confirm the invalidation of <paramref name="tag"/>: it is tried again until it does.</summary>
    public void Add(string tag)
    {
        _tags.TryAdd(tag, 0);
        runtime.UnconfirmedWrites.Add(this);
    }

    /// <summary>A later invalidation of <paramref name="tag"/> that Redis confirmed: nothing of it waits any more.</summary>
    public void Confirmed(string tag)
    {
        if (!_tags.IsEmpty)
        {
            _tags.TryRemove(tag, out _);
        }
    }

    public async ValueTask<bool> RetryUnconfirmedAsync()
    {
        foreach (var tag in _tags.Keys)
        {
            if (await runtime.Tags.InvalidateAsync(tag).ConfigureAwait(false))
            {
                _tags.TryRemove(tag, out _);
            }
        }

        return _tags.IsEmpty;
    }
}
