using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

/// <summary>
/// The Redis writes a runtime has started that no caller awaits: fills answered before they land
/// (<see cref="CachedGenOptions.BackgroundFill"/>) and leases given back. The warm-up and
/// <see cref="CacheRuntime.DisposeAsync"/> wait until none is pending, so a warm-up that reports done has its values in
/// Redis, and a graceful shutdown leaves no lease for other nodes to wait out.
/// </summary>
internal sealed class PendingFills
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource? _idle;

    /// <summary>Writes started and not finished.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Counts <paramref name="fill"/> as pending until it completes (it never throws).</summary>
    public void Track(ValueTask fill)
    {
        Interlocked.Increment(ref _count);
        if (fill.IsCompletedSuccessfully)
        {
            fill.GetAwaiter().GetResult();
            End();
            return;
        }

        _ = AwaitAsync(fill);
    }

    private async Task AwaitAsync(ValueTask fill)
    {
        try
        {
            await fill.ConfigureAwait(false);
        }
        finally
        {
            End();
        }
    }

    private void End()
    {
        if (Interlocked.Decrement(ref _count) == 0 && Volatile.Read(ref _idle) is not null)
        {
            lock (_gate)
            {
                // Another fill may have started since: the waiters wait for that one too.
                if (Count == 0)
                {
                    _idle?.TrySetResult();
                }
            }
        }
    }

    /// <summary>Completes when no fill is pending (at once when none is).</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            if (Count == 0)
            {
                return Task.CompletedTask;
            }

            var idle = _idle;
            if (idle is null || idle.Task.IsCompleted)
            {
                idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Interlocked.Exchange(ref _idle, idle); // a full fence: the count below is read after this write
            }

            // A fill that ended to 0 before the write saw no waiter and took no lock; the count says so now.
            if (Count == 0)
            {
                idle.TrySetResult();
            }

            return idle.Task;
        }
    }
}
