using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.Tests;

public sealed class BoundedReadTests : IDisposable
{
    private readonly BoundedReadSweeper _sweeper = new(new RuntimeClock(TimeProvider.System));

    public void Dispose() => _sweeper.Dispose();

    private static TaskCompletionSource<Lease<byte>?> Pending() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task Completes_with_the_read()
    {
        var read = Pending();
        var wait = _sweeper.Start(read.Task, TimeSpan.FromSeconds(5));
        var lease = Lease<byte>.Create(3);
        read.SetResult(lease);
        Assert.Same(lease, await wait);
    }

    [Fact]
    public async Task Completes_with_the_read_failure()
    {
        var read = Pending();
        var wait = _sweeper.Start(read.Task, TimeSpan.FromSeconds(5));
        read.SetException(new InvalidOperationException("down"));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await wait);
    }

    [Fact]
    public async Task Times_out_after_the_budget_and_absorbs_the_late_result()
    {
        var time = new FakeTimeProvider();
        using var sweeper = new BoundedReadSweeper(new RuntimeClock(time));
        var read = Pending();
        var wait = sweeper.Start(read.Task, TimeSpan.FromMilliseconds(50)).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.False(wait.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
        read.SetException(new InvalidOperationException("late")); // absorbed: the wait has ended, the failure is observed
    }

    [Fact]
    public async Task Operations_of_every_result_type_share_the_sweep()
    {
        // The lease and fill scripts, invalidations and tag reads are bounded by the same sweep as the GET.
        var time = new FakeTimeProvider();
        using var sweeper = new BoundedReadSweeper(new RuntimeClock(time));
        var script = new TaskCompletionSource<RedisResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flag = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var late = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var scriptWait = sweeper.Start(script.Task, TimeSpan.FromMilliseconds(50)).AsTask();
        var flagWait = sweeper.Start(flag.Task, TimeSpan.FromMilliseconds(50)).AsTask();
        var lateWait = sweeper.Start(late.Task, TimeSpan.FromMilliseconds(50)).AsTask();

        var result = RedisResult.Create((RedisValue)7);
        script.SetResult(result);
        flag.SetResult(true);
        Assert.Same(result, await scriptWait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(await flagWait.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(lateWait.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAsync<TimeoutException>(() => lateWait.WaitAsync(TimeSpan.FromSeconds(10)));
        late.SetResult(3); // absorbed: the wait has ended
    }

    /// <summary>A 50 ms wait during which the process was paused 30 ms for garbage collection (the pause counter is the
    /// test's own), on a fake clock moved 70 ms on: past the budget, not past the budget and the pause.</summary>
    private static async Task<(FakeTimeProvider Time, BoundedReadSweeper Sweeper, TaskCompletionSource<Lease<byte>?> Read, Task<Lease<byte>?> Wait)> WaitedThroughAPauseAsync()
    {
        var time = new FakeTimeProvider();
        long paused = 0;
        var sweeper = new BoundedReadSweeper(new RuntimeClock(time, pausedMs: () => Interlocked.Read(ref paused)));
        var read = Pending();
        var wait = sweeper.Start(read.Task, TimeSpan.FromMilliseconds(50)).AsTask();
        Interlocked.Exchange(ref paused, 30);
        time.Advance(TimeSpan.FromMilliseconds(70));
        await Task.Yield();
        Assert.False(wait.IsCompleted);
        return (time, sweeper, read, wait);
    }

    [Fact]
    public async Task Time_the_process_was_paused_for_garbage_collection_is_added_to_the_budget()
    {
        // A 100 ms collection holds up Redis's reply and the sweep alike: the wait must not end for a pause that was not
        // Redis's, and a reply that comes within the budget and the pause is the caller's.
        var (_, sweeper, read, wait) = await WaitedThroughAPauseAsync();
        using var owned = sweeper;
        var lease = Lease<byte>.Create(1);
        read.SetResult(lease);
        Assert.Same(lease, await wait.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_read_still_times_out_once_the_budget_and_the_pause_have_passed()
    {
        var (time, sweeper, read, wait) = await WaitedThroughAPauseAsync();
        using var owned = sweeper;
        time.Advance(TimeSpan.FromMilliseconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => wait.WaitAsync(TimeSpan.FromSeconds(10)));
        read.SetException(new InvalidOperationException("late"));
    }

    [Fact]
    public async Task Many_concurrent_reads_each_end_once_with_the_right_outcome()
    {
        // On a fake clock, so the outcome depends on the budgets alone, never on how busy the machine is: even reads
        // complete (from the thread pool) while the clock moves past the odd reads' budget, concurrently.
        var time = new FakeTimeProvider();
        using var sweeper = new BoundedReadSweeper(new RuntimeClock(time));
        var reads = Enumerable.Range(0, 5_000).Select(_ => Pending()).ToArray();
        var waits = reads.Select((r, i) => (Index: i, Wait: sweeper.Start(r.Task, TimeSpan.FromMilliseconds(i % 2 == 0 ? 5_000 : 30)).AsTask())).ToArray();

        var completing = Task.WhenAll(Enumerable.Range(0, reads.Length).Where(i => i % 2 == 0)
            .Select(i => Task.Run(() => reads[i].SetResult(Lease<byte>.Create(1)))));
        var advancing = Task.Run(() =>
        {
            for (var ms = 0; ms < 40; ms++)
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }
        });
        await Task.WhenAll(completing, advancing);

        foreach (var (index, wait) in waits)
        {
            if (index % 2 == 0)
            {
                Assert.NotNull(await wait.WaitAsync(TimeSpan.FromSeconds(30)));
            }
            else
            {
                // The sweeper ends the wait (not the generous limit here, which would also throw a TimeoutException).
                Assert.Same(wait, await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(30))));
                await Assert.ThrowsAsync<TimeoutException>(() => wait);
                reads[index].SetResult(Lease<byte>.Create(1)); // late: absorbed
            }
        }
    }
}
