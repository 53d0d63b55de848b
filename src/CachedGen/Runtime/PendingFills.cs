using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

/// <summary>
/// The Redis fills a runtime has started in the background (<see cref="CachedGenOptions.BackgroundFill"/>): a miss is
/// answered when the source answers, and its value reaches Redis a round trip later. The warm-up and
/// <see cref="CacheRuntime.DisposeAsync"/> wait until none is pending, so a warm-up that reports done has its values in
/// Redis and a graceful shutdown does not leave leases for other nodes to wait out.
/// </summary>
internal sealed class PendingFills
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource? _idle;

    /// <summary>Fills started and not finished.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Runs <paramref name="fill"/> as a pending fill: counted until it completes (it never throws).</summary>
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
        if (Interlocked.Decrement(ref _count) == 0)
        {
            Volatile.Read(ref _idle)?.TrySetResult();
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
                Volatile.Write(ref _idle, idle);
            }

            // A fill that ended between the check and the write saw no waiter: look again.
            if (Count == 0)
            {
                idle.TrySetResult();
            }

            return idle.Task;
        }
    }
}
