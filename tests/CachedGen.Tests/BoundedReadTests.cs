using System;
using System.Linq;
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
    public async Task Many_concurrent_reads_each_end_once_with_the_right_outcome()
    {
        var random = new Random(7);
        var reads = Enumerable.Range(0, 5_000).Select(_ => Pending()).ToArray();
        var waits = reads.Select((r, i) => (Index: i, Wait: _sweeper.Start(r.Task, TimeSpan.FromMilliseconds(i % 2 == 0 ? 5_000 : 30)).AsTask())).ToArray();

        // Even reads complete quickly; odd ones after their budget (they must time out).
        await Task.WhenAll(Enumerable.Range(0, reads.Length).Where(i => i % 2 == 0).Select(async i =>
        {
            await Task.Delay(random.Next(0, 5));
            reads[i].SetResult(Lease<byte>.Create(1));
        }));

        foreach (var (index, wait) in waits)
        {
            if (index % 2 == 0)
            {
                Assert.NotNull(await wait);
            }
            else
            {
                await Assert.ThrowsAsync<TimeoutException>(() => wait);
                reads[index].SetResult(Lease<byte>.Create(1));
            }
        }
    }
}
