using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

/// <summary>How a read that waited for another caller's load is told apart, the same way for both engines.</summary>
public sealed class AwaitedLoadsTests
{
    [Fact]
    public async Task A_mark_made_deeper_in_the_reads_async_flow_reaches_the_workers_box()
    {
        var box = new StrongBox<bool>();
        AwaitedLoads.TrackThisFlow(box);

        await Task.Run(async () =>
        {
            await Task.Yield();
            AwaitedLoads.MarkThisFlow(); // as a counter's listener does, inline where the engine counts a join
        });

        Assert.True(box.Value);
    }

    [Fact]
    public async Task A_mark_in_a_flow_that_did_not_come_from_the_read_leaves_its_box_alone()
    {
        var box = new StrongBox<bool>();
        AwaitedLoads.TrackThisFlow(box);

        Task other;
        using (ExecutionContext.SuppressFlow())
        {
            // Not started from the read's flow, as the handler of a backplane message is not.
            other = Task.Run(AwaitedLoads.MarkThisFlow);
        }

        await other;
        Assert.False(box.Value);
    }

    [Theory]
    [InlineData(new[] { FusionRead.MemoryMiss, FusionRead.MemoryHit }, true)] // waited for the key's lock, found the factory's value
    [InlineData(new[] { FusionRead.MemoryHit }, false)]
    [InlineData(new[] { FusionRead.MemoryMiss, FusionRead.DistributedHit }, false)]
    [InlineData(new[] { FusionRead.MemoryMiss, FusionRead.MemoryMiss, FusionRead.DistributedHit }, false)]
    [InlineData(new[] { FusionRead.MemoryMiss, FusionRead.DistributedMiss, FusionRead.Factory }, false)] // called the source itself
    [InlineData(new[] { FusionRead.MemoryMiss, FusionRead.DistributedHit, FusionRead.MemoryHit }, false)]
    public void A_FusionCache_read_waited_for_another_caller_when_it_found_in_memory_what_it_had_missed(int[] events, bool waited)
    {
        var read = new FusionRead();
        foreach (var kind in events)
        {
            read.Observe(kind);
        }

        Assert.Equal(waited, read.WaitedForAnotherCaller);
    }
}
