using System;
using System.Diagnostics;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

public sealed class StaleReadTrackerTests
{
    private static readonly long Ms = Stopwatch.Frequency / 1000;

    // Windows: 0 for the node that wrote, 250 ms for the others.
    private static StaleReadTracker Tracker() => new(100, TimeSpan.Zero, TimeSpan.FromMilliseconds(250));

    [Fact]
    public void A_form_never_written_is_always_fresh()
    {
        Assert.Equal(ReadConsistency.Fresh, Tracker().Classify(5, 1, 0, 1_000 * Ms).Consistency);
    }

    [Fact]
    public void Same_node_read_after_its_own_write_must_see_it()
    {
        var tracker = Tracker();
        tracker.RecordWriteCompleted(5, 2, node: 0, timestamp: 1_000 * Ms);

        var stale = tracker.Classify(5, 1, 0, 1_001 * Ms);
        Assert.Equal(ReadConsistency.Stale, stale.Consistency);
        Assert.True(stale.SameNode);
        Assert.Equal(1 * Ms, stale.AgeTicks);

        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(5, 2, 0, 1_001 * Ms).Consistency);
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(5, 3, 0, 1_001 * Ms).Consistency);
    }

    [Fact]
    public void Other_nodes_get_the_window()
    {
        var tracker = Tracker();
        tracker.RecordWriteCompleted(5, 2, node: 0, timestamp: 1_000 * Ms);

        Assert.Equal(ReadConsistency.WithinWindow, tracker.Classify(5, 1, 1, 1_100 * Ms).Consistency);
        Assert.Equal(ReadConsistency.WithinWindow, tracker.Classify(5, 1, 1, 1_249 * Ms).Consistency);
        var stale = tracker.Classify(5, 1, 1, 1_300 * Ms);
        Assert.Equal(ReadConsistency.Stale, stale.Consistency);
        Assert.False(stale.SameNode);
        Assert.Equal(300 * Ms, stale.AgeTicks);
    }

    [Fact]
    public void A_write_still_in_flight_when_the_read_started_never_makes_it_stale()
    {
        var tracker = Tracker();
        tracker.RecordWriteCompleted(5, 2, node: 0, timestamp: 1_000 * Ms);
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(5, 1, 0, 999 * Ms).Consistency);
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(5, 1, 0, 1_000 * Ms).Consistency);
    }

    [Fact]
    public void Only_newer_revisions_count_and_other_forms_are_apart()
    {
        var tracker = Tracker();
        tracker.RecordWriteCompleted(5, 3, node: 0, timestamp: 1_000 * Ms);
        tracker.RecordWriteCompleted(5, 2, node: 0, timestamp: 1_010 * Ms); // an older write that completed later
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(5, 3, 0, 2_000 * Ms).Consistency);
        Assert.Equal(ReadConsistency.Stale, tracker.Classify(5, 2, 0, 2_000 * Ms).Consistency);
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(6, 1, 0, 2_000 * Ms).Consistency);
    }

    [Fact]
    public void The_worst_verdict_wins_across_writes()
    {
        var tracker = Tracker();
        tracker.RecordWriteCompleted(5, 2, node: 1, timestamp: 1_000 * Ms); // other node, long ago: stale
        tracker.RecordWriteCompleted(5, 3, node: 1, timestamp: 1_900 * Ms); // other node, recent: within window
        var check = tracker.Classify(5, 1, 0, 2_000 * Ms);
        Assert.Equal(ReadConsistency.Stale, check.Consistency);
        Assert.Equal(1_000 * Ms, check.AgeTicks);
        Assert.Equal(ReadConsistency.WithinWindow, tracker.Classify(5, 2, 0, 2_000 * Ms).Consistency);
    }

    [Fact]
    public void Old_completions_are_folded_without_losing_staleness()
    {
        var tracker = new StaleReadTracker(10, TimeSpan.Zero, TimeSpan.FromMilliseconds(250), foldAge: TimeSpan.FromSeconds(1));
        for (var revision = 2; revision <= 40; revision++)
        {
            tracker.RecordWriteCompleted(1, revision, node: 0, timestamp: revision * 100 * Ms);
        }

        // Revision 20 completed at 2 s, long folded by 4 s: a read at 4.05 s returning 19 is stale.
        Assert.Equal(ReadConsistency.Stale, tracker.Classify(1, 19, 1, 4_050 * Ms).Consistency);
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(1, 40, 1, 4_050 * Ms).Consistency);
        // A read that started before the folded completions cannot be judged by them: never called stale wrongly.
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(1, 1, 1, 150 * Ms).Consistency);
        Assert.Contains((1, 40), tracker.WrittenForms());
    }

    [Fact]
    public void Recording_uses_the_current_time()
    {
        var tracker = Tracker();
        var completed = tracker.RecordWriteCompleted(7, 2, node: 0);
        Assert.Equal(ReadConsistency.Fresh, tracker.Classify(7, 1, 0, completed).Consistency);
        Assert.Equal(ReadConsistency.Stale, tracker.Classify(7, 1, 0, completed + 1).Consistency);
        Assert.Equal(ReadConsistency.WithinWindow, tracker.Classify(7, 1, 1, completed + 1).Consistency);
    }
}
