using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// <c>await new ThreadPoolHop()</c>: the rest of the method runs as a new work item at the back of the thread pool's
/// global queue, behind the work already waiting there (the replies other callers wait for), whatever thread or
/// synchronization context it was on. <see cref="System.Threading.Tasks.Task.Yield"/> would post to a synchronization
/// context when one is current.
/// </summary>
internal readonly struct ThreadPoolHop : ICriticalNotifyCompletion
{
    public ThreadPoolHop GetAwaiter() => this;

    public bool IsCompleted => false;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation)
        => ThreadPool.QueueUserWorkItem(static next => next(), continuation, preferLocal: false);

    public void UnsafeOnCompleted(Action continuation)
        => ThreadPool.UnsafeQueueUserWorkItem(static next => next(), continuation, preferLocal: false);
}
