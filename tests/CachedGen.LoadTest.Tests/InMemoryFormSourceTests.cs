using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

public sealed class InMemoryFormSourceTests
{
    [Fact]
    public async Task Writes_never_move_a_revision_back()
    {
        using var source = new InMemoryFormSource(10, TimeSpan.Zero);
        Assert.Equal(1, source.CommittedRevision(3));
        var revisions = Enumerable.Range(0, 50).Select(_ => source.AllocateRevision(3)).ToArray();
        // Applied in reverse order, as racing writers might: the highest revision stays.
        await Task.WhenAll(revisions.Reverse().Select(r => source.UpdateSchemaAsync(3, Guid.Empty, InMemoryFormSource.CreateSchema(3, r))));
        Assert.Equal(revisions.Max(), source.CommittedRevision(3));
        var schema = await source.GetSchemaAsync(3);
        Assert.Equal(revisions.Max(), schema!.Revision);
        Assert.Equal($"form-3-r{revisions.Max()}", schema.Title);
        Assert.Equal(1, source.ReadCalls);
        Assert.Equal(50, source.WriteCalls);
    }

    [Fact]
    public async Task Calls_take_the_simulated_latency()
    {
        using var source = new InMemoryFormSource(10, TimeSpan.FromMilliseconds(2));
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(1, 20).Select(id => source.GetSchemaAsync(1 + (id % 10))));
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(1.9), watch.Elapsed.ToString());
        Assert.True(source.MeanCallTime >= TimeSpan.FromMilliseconds(1.9), source.MeanCallTime.ToString());
    }

    [Fact]
    public async Task Unknown_forms_read_as_null_and_cannot_be_written()
    {
        using var source = new InMemoryFormSource(10, TimeSpan.Zero);
        Assert.Null(await source.GetSchemaAsync(11));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.UpdateSchemaAsync(11, Guid.Empty, InMemoryFormSource.CreateSchema(11, 2)));
    }

    [Fact]
    public async Task A_read_overlapped_a_load_of_its_form_when_one_was_in_flight_or_started_since_the_mark()
    {
        using var source = new InMemoryFormSource(10, TimeSpan.Zero);
        var quiet = source.MarkReads(4);
        Assert.False(source.ReadOverlapped(4, quiet));

        await source.GetSchemaAsync(4); // started and ended after the mark
        Assert.True(source.ReadOverlapped(4, quiet));
        Assert.False(source.ReadOverlapped(4, source.MarkReads(4)));
        Assert.False(source.ReadOverlapped(5, source.MarkReads(5)));
    }

    [Fact]
    public async Task A_load_in_flight_at_the_mark_counts_as_overlapping()
    {
        var source = new InMemoryFormSource(10, TimeSpan.FromHours(1)); // in flight until the source is disposed
        var load = source.GetSchemaAsync(6);
        var during = source.MarkReads(6);
        Assert.True(during.InFlight);
        Assert.True(source.ReadOverlapped(6, during));

        source.Dispose(); // ends the pending delay
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => load);
        Assert.False(source.MarkReads(6).InFlight);
    }
}
