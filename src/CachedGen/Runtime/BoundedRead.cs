using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// Awaits a Redis read for at most a budget without allocating per call: a pooled <see cref="IValueTaskSource{T}"/>
/// completes when the read does, or with a <see cref="TimeoutException"/> when a shared sweeper (every
/// <see cref="SweepIntervalMs"/> ms) finds its deadline passed. <c>Task.WaitAsync(budget)</c> does the same with a
/// timer and a task per call, which on the L2 hit path cost more than the rest of CachedGen's work.
/// </summary>
internal sealed class BoundedRead : IValueTaskSource<Lease<byte>?>
{
    public const int SweepIntervalMs = 10;

    private const int Waiting = 0;
    private const int Completed = 1;

    private static readonly ConcurrentQueue<BoundedRead> Pool = new();
    private static readonly List<BoundedRead> Active = new();
    // Rooted by the static field for the life of the process; first touched with the other statics in Start.
    private static readonly Timer Sweeper = new(static _ => Sweep(), null, SweepIntervalMs, SweepIntervalMs);

    private readonly Action _onReadCompleted;
    private ManualResetValueTaskSourceCore<Lease<byte>?> _core;
    private Task<Lease<byte>?>? _read;
    private long _deadline;
    private int _index;
    private int _state;
    private int _references;

    private BoundedRead()
    {
        _onReadCompleted = OnReadCompleted;
        // The read's own task already completes on the thread pool (StackExchange.Redis runs continuations
        // asynchronously), so the caller can continue inline; timeouts are handed to the pool by the sweeper.
        _core.RunContinuationsAsynchronously = false;
    }

    /// <summary>Waits for <paramref name="read"/> for at most <paramref name="budget"/>.</summary>
    public static ValueTask<Lease<byte>?> Start(Task<Lease<byte>?> read, TimeSpan budget)
    {
        if (read.IsCompleted)
        {
            return new ValueTask<Lease<byte>?>(read);
        }

        if (!Pool.TryDequeue(out var operation))
        {
            operation = new BoundedRead();
        }

        operation._core.Reset();
        operation._read = read;
        operation._state = Waiting;
        operation._references = 2; // the awaiting caller and the read's continuation
        operation._deadline = Environment.TickCount64 + (long)budget.TotalMilliseconds;
        lock (Active)
        {
            operation._index = Active.Count;
            Active.Add(operation);
        }

        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(operation._onReadCompleted);
        return new ValueTask<Lease<byte>?>(operation, operation._core.Version);
    }

    private void OnReadCompleted()
    {
        var read = _read!;
        if (Interlocked.CompareExchange(ref _state, Completed, Waiting) == Waiting)
        {
            Remove(this);
            if (read.IsCompletedSuccessfully)
            {
                _core.SetResult(read.Result);
            }
            else
            {
                _core.SetException(read.Exception?.GetBaseException() ?? new TaskCanceledException(read));
            }
        }
        else
        {
            // Timed out earlier: the caller has moved on. Observe a late failure and release a late lease.
            if (read.IsCompletedSuccessfully)
            {
                read.Result?.Dispose();
            }
            else
            {
                _ = read.Exception;
            }
        }

        Release();
    }

    private static void Sweep()
    {
        var now = Environment.TickCount64;
        List<BoundedRead>? expired = null;
        lock (Active)
        {
            for (var i = Active.Count - 1; i >= 0; i--)
            {
                var operation = Active[i];
                if (now >= operation._deadline && Interlocked.CompareExchange(ref operation._state, Completed, Waiting) == Waiting)
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
                // On the pool, not here: the caller continues into the source call, which must not hold up the sweep.
                ThreadPool.UnsafeQueueUserWorkItem(
                    static op => op._core.SetException(new TimeoutException("The Redis read exceeded CachedGenOptions.RedisOperationTimeout.")),
                    operation,
                    preferLocal: false);
            }
        }
    }

    private static void Remove(BoundedRead operation)
    {
        lock (Active)
        {
            RemoveAt(operation._index);
        }
    }

    /// <summary>Swap-remove under the lock: O(1), each operation knows its slot.</summary>
    private static void RemoveAt(int index)
    {
        var last = Active.Count - 1;
        if (index != last)
        {
            var moved = Active[last];
            Active[index] = moved;
            moved._index = index;
        }

        Active.RemoveAt(last);
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _read = null;
            Pool.Enqueue(this);
        }
    }

    public Lease<byte>? GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Release();
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _core.OnCompleted(continuation, state, token, flags);
}
