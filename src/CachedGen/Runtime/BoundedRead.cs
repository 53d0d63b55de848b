using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace CachedGen.Runtime;

/// <summary>One wait of a <see cref="BoundedReadSweeper"/>: what the sweep needs of it, whatever the awaited result.</summary>
internal abstract class BoundedWait
{
    /// <summary>When the wait ends (in <see cref="RuntimeClock.NowMs"/> time), not counting the time the process is
    /// paused for garbage collection meanwhile (see <see cref="BoundedReadSweeper"/>).</summary>
    internal long Deadline;

    /// <summary>The process's total GC pause time (ms) as the sweeper last read it, when the wait started.</summary>
    internal long PausedAtStart;

    /// <summary>The slot in the sweeper's list of waits.</summary>
    internal int Index;

    /// <summary>Claims the wait for a timeout: <see langword="false"/> when the operation completed first.</summary>
    internal abstract bool TryExpire();

    /// <summary>Ends a claimed wait with a timeout.</summary>
    internal abstract void FailWithTimeout();
}

/// <summary>
/// Awaits a Redis operation for at most a budget without allocating per call: a pooled <see cref="IValueTaskSource{T}"/>
/// completes when the operation does, or with a <see cref="TimeoutException"/> when its runtime's
/// <see cref="BoundedReadSweeper"/> (every <see cref="BoundedReadSweeper.SweepIntervalMs"/> ms) finds its deadline
/// passed. <c>Task.WaitAsync(budget)</c> does the same with a timer and a task per call, which on the L2 hit path cost
/// more than the rest of CachedGen's work. One pool per result type.
/// </summary>
internal sealed class BoundedRead<T> : BoundedWait, IValueTaskSource<T>
{
    private const int Waiting = 0;
    private const int Completed = 1;

    private static readonly ConcurrentQueue<BoundedRead<T>> Pool = new();

    private readonly Action _onReadCompleted;
    private ManualResetValueTaskSourceCore<T> _core;
    private Task<T>? _read;
    private BoundedReadSweeper? _sweeper;
    private int _state;
    private int _references;

    private BoundedRead()
    {
        _onReadCompleted = OnReadCompleted;
        // The operation's own task already completes on the thread pool (StackExchange.Redis runs continuations
        // asynchronously), so the caller can continue inline; timeouts are handed to the pool by the sweeper.
        _core.RunContinuationsAsynchronously = false;
    }

    /// <summary>Waits for <paramref name="read"/> until <paramref name="deadline"/>, watched by <paramref name="sweeper"/>.</summary>
    internal static ValueTask<T> Start(Task<T> read, long deadline, BoundedReadSweeper sweeper)
    {
        if (read.IsCompleted)
        {
            return new ValueTask<T>(read);
        }

        if (!Pool.TryDequeue(out var operation))
        {
            operation = new BoundedRead<T>();
        }

        operation._core.Reset();
        operation._read = read;
        operation._state = Waiting;
        operation._references = 2; // the awaiting caller and the operation's continuation
        operation.Deadline = deadline;
        operation.PausedAtStart = sweeper.PausedMs;
        operation._sweeper = sweeper;
        sweeper.Add(operation);
        read.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(operation._onReadCompleted);
        return new ValueTask<T>(operation, operation._core.Version);
    }

    private void OnReadCompleted()
    {
        var read = _read!;
        if (Interlocked.CompareExchange(ref _state, Completed, Waiting) == Waiting)
        {
            _sweeper!.Remove(this);
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
                (read.Result as IDisposable)?.Dispose();
            }
            else
            {
                _ = read.Exception;
            }
        }

        Release();
    }

    internal override bool TryExpire() => Interlocked.CompareExchange(ref _state, Completed, Waiting) == Waiting;

    /// <summary>Ends a claimed wait with a timeout, on the pool: the caller continues (into the source call, for a read),
    /// which must not hold up the sweep.</summary>
    internal override void FailWithTimeout()
        => ThreadPool.UnsafeQueueUserWorkItem(
            static op => op._core.SetException(new TimeoutException("The Redis operation exceeded CachedGenOptions.RedisOperationTimeout.")),
            this,
            preferLocal: false);

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _read = null;
            _sweeper = null;
            Pool.Enqueue(this);
        }
    }

    public T GetResult(short token)
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
