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
}
