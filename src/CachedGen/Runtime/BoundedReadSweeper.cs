using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

/// <summary>
/// The timeouts of one runtime's Redis operations (<see cref="BoundedRead{T}"/> waits): a timer of the runtime's clock, created with the first
/// wait and disposed with the runtime, ends every wait whose deadline has passed. Time the process spent paused for
/// garbage collection during a wait is added to its deadline: a collection of 100 ms holds up the reply and the sweep
/// alike, so without it every read in flight would time out after a long pause (and open the circuit breaker) although
/// Redis answered in time.
/// </summary>
internal sealed class BoundedReadSweeper : IDisposable
{
    public const int SweepIntervalMs = 10;

    private readonly RuntimeClock _clock;
    private readonly List<BoundedWait> _active = new();
    private ITimer? _timer;
    private bool _disposed;

    public BoundedReadSweeper(RuntimeClock clock)
    {
        _clock = clock;
        PausedMs = clock.PausedMs();
    }

    /// <summary>The process's total GC pause time (<see cref="RuntimeClock.PausedMs"/>) as of the last sweep; a wait
    /// records it when it starts.</summary>
    public long PausedMs { get; private set; }

    /// <summary>Whether the timer runs (from the first wait until disposal).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_active)
            {
                return _timer is not null;
            }
        }
    }

    /// <summary>Waits for <paramref name="operation"/> for at most <paramref name="budget"/>.</summary>
    public ValueTask<T> Start<T>(Task<T> operation, TimeSpan budget)
        => BoundedRead<T>.Start(operation, _clock.NowMs + (long)budget.TotalMilliseconds, this);

    internal void Add(BoundedWait operation)
    {
        lock (_active)
        {
            operation.Index = _active.Count;
            _active.Add(operation);
            if (_timer is null && !_disposed)
            {
                var interval = TimeSpan.FromMilliseconds(SweepIntervalMs);
                _timer = _clock.Provider.CreateTimer(static state => ((BoundedReadSweeper)state!).Sweep(), this, interval, interval);
            }
        }
    }

    internal void Remove(BoundedWait operation)
    {
        lock (_active)
        {
            RemoveAt(operation.Index);
        }
    }

    /// <summary>Ends every wait past its deadline.</summary>
    internal void Sweep()
    {
        var now = _clock.NowMs;
        var paused = PausedMs = _clock.PausedMs();
        List<BoundedWait>? expired = null;
        lock (_active)
        {
            for (var i = _active.Count - 1; i >= 0; i--)
            {
                var operation = _active[i];
                if (now >= operation.Deadline + (paused - operation.PausedAtStart) && operation.TryExpire())
                {
                    RemoveAt(i);
                    (expired ??= new()).Add(operation);
                }
            }
        }

        if (expired is not null)
        {
            foreach (var operation in expired)
            {
                operation.FailWithTimeout();
            }
        }
    }

    /// <summary>Swap-remove under the lock: O(1), each operation knows its slot.</summary>
    private void RemoveAt(int index)
    {
        var last = _active.Count - 1;
        if (index != last)
        {
            var moved = _active[last];
            _active[index] = moved;
            moved.Index = index;
        }

        _active.RemoveAt(last);
    }

    /// <summary>Stops the timer; waits still pending end with their reads (Redis answers or fails when the connection
    /// closes).</summary>
    public void Dispose()
    {
        ITimer? timer;
        lock (_active)
        {
            _disposed = true;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }
}
