using System.Threading.Tasks;

namespace CachedGen.LoadTest;

/// <summary>
/// Lets an engine's workers run only during its slices of an interleaved run: while the gate is closed, each worker
/// parks before its next operation, and <see cref="CloseAsync"/> completes once every worker has parked (the slice's
/// last operations have ended), so the other engine's slice starts with none of this engine's calls in flight.
/// </summary>
internal sealed class SliceGate(int workers)
{
    private readonly object _lock = new();
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _allParked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _parked;
    private volatile bool _open;

    public bool IsOpen => _open;

    /// <summary>Called by a worker that found the gate closed: returns when it opens again.</summary>
    public Task ParkAsync()
    {
        lock (_lock)
        {
            if (_open)
            {
                return Task.CompletedTask;
            }

            if (++_parked == workers)
            {
                _allParked.TrySetResult();
            }

            return _opened.Task;
        }
    }

    /// <summary>Starts a slice: every parked worker goes on.</summary>
    public void Open()
    {
        lock (_lock)
        {
            _open = true;
            _parked = 0;
            _opened.TrySetResult();
        }
    }

    /// <summary>Ends a slice: completes when every worker has finished its operation in flight and parked.</summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            _open = false;
            _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _allParked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_parked == workers)
            {
                _allParked.TrySetResult();
            }

            return _allParked.Task;
        }
    }
}
