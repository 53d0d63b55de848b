using System.Threading;
using System.Threading.Tasks;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

/// <summary>The gate of an interleaved run: an engine's workers run only in its slices, and a slice ends only once
/// every one of them has finished its call in flight.</summary>
public sealed class SliceGateTests
{
    [Fact]
    public async Task A_closed_gate_parks_workers_until_it_opens()
    {
        var gate = new SliceGate(workers: 2);
        Assert.False(gate.IsOpen);
        var first = gate.ParkAsync();
        Assert.False(first.IsCompleted);

        gate.Open();
        Assert.True(gate.IsOpen);
        await first.WaitAsync(TestTimeout);
        Assert.True(gate.ParkAsync().IsCompleted); // open: no wait
    }

    [Fact]
    public async Task Closing_completes_only_when_every_worker_has_parked()
    {
        var gate = new SliceGate(workers: 2);
        gate.Open();
        var closed = gate.CloseAsync();
        Assert.False(closed.IsCompleted);

        var first = gate.ParkAsync();
        Assert.False(closed.IsCompleted); // one worker still has a call in flight

        var second = gate.ParkAsync();
        await closed.WaitAsync(TestTimeout);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        gate.Open();
        await Task.WhenAll(first, second).WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Slices_repeat_with_the_same_workers()
    {
        var gate = new SliceGate(workers: 1);
        for (var slice = 0; slice < 3; slice++)
        {
            gate.Open();
            var closed = gate.CloseAsync();
            Assert.False(closed.IsCompleted);
            var parked = gate.ParkAsync();
            await closed.WaitAsync(TestTimeout);
            Assert.False(parked.IsCompleted);
            gate.Open();
            await parked.WaitAsync(TestTimeout);
        }
    }

    [Fact]
    public async Task Closing_a_gate_whose_workers_are_all_parked_completes_at_once()
    {
        var gate = new SliceGate(workers: 1);
        var parked = gate.ParkAsync(); // parked before the first slice
        await gate.CloseAsync().WaitAsync(TestTimeout);
        Assert.False(parked.IsCompleted);
    }

    private static readonly System.TimeSpan TestTimeout = System.TimeSpan.FromSeconds(30);
}
