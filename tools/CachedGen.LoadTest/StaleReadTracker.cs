using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace CachedGen.LoadTest;

/// <summary>How a read's returned revision compares with the writes that had completed before the read started.</summary>
public enum ReadConsistency
{
    /// <summary>No write newer than the returned revision had completed when the read started.</summary>
    Fresh,

    /// <summary>A newer write had completed before the read started, but within the allowed window (invalidation
    /// still in flight to this node): an eventually consistent read.</summary>
    WithinWindow,

    /// <summary>A newer write had completed before the read started, earlier than the allowed window.</summary>
    Stale,
}

/// <summary>The verdict on one read.</summary>
/// <param name="Consistency">Fresh, within the window, or stale.</param>
/// <param name="SameNode">Stale because of a write that completed on the reading node itself.</param>
/// <param name="AgeTicks">For a stale read: how long (Stopwatch ticks) before the read started the oldest missed write
/// had completed; else 0.</param>
/// <param name="MissedRevision">For a stale read: the revision of that oldest missed write.</param>
/// <param name="MissedNode">For a stale read: the node that completed it (-1 when folded, node forgotten).</param>
public readonly record struct ReadCheck(ReadConsistency Consistency, bool SameNode, long AgeTicks, int MissedRevision = 0, int MissedNode = 0);

/// <summary>
/// Decides whether reads are stale. For every form it keeps the writes whose calls have <em>completed</em>:
/// revision, completing node, and completion time. A read that started at t on node n and returned revision r is
/// <see cref="ReadConsistency.Stale"/> when some write with revision &gt; r completed before t − window, where window
/// is <c>sameNodeWindow</c> for a write completed on n and <c>crossNodeWindow</c> for one completed on another node;
/// <see cref="ReadConsistency.WithinWindow"/> when such writes completed before t but none before t − window; else
/// <see cref="ReadConsistency.Fresh"/>. Writes still in flight when the read started never make it stale.
/// </summary>
/// <remarks>
/// Per form, completions are appended in time order (the timestamp is taken under the form's lock). Entries older than
/// <c>foldAge</c> are folded into one (highest revision, latest time, node forgotten; judged with the larger window),
/// so a hot form's list stays short. A read that started before the folded entries completed (slower than
/// <c>foldAge</c>) cannot use the folded entry and is judged on the remaining ones only: the tracker may then miss a
/// stale read, never invent one.
/// </remarks>
public sealed class StaleReadTracker
{
    private const int FoldThreshold = 16;

    private readonly FormLog?[] _forms;
    private readonly long _sameNodeWindow;
    private readonly long _crossNodeWindow;
    private readonly long _foldAge;

    /// <param name="formCount">Form ids are 1..formCount.</param>
    /// <param name="sameNodeWindow">Allowed delay, for a write completed on the reading node.</param>
    /// <param name="crossNodeWindow">Allowed delay, for a write completed on another node.</param>
    /// <param name="foldAge">Completions older than this are folded (default 2 s + the larger window).</param>
    public StaleReadTracker(int formCount, TimeSpan sameNodeWindow, TimeSpan crossNodeWindow, TimeSpan? foldAge = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(formCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(sameNodeWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(crossNodeWindow, TimeSpan.Zero);
        _forms = new FormLog?[formCount + 1];
        _sameNodeWindow = ToTicks(sameNodeWindow);
        _crossNodeWindow = ToTicks(crossNodeWindow);
        _foldAge = ToTicks(foldAge ?? (TimeSpan.FromSeconds(2) + (sameNodeWindow > crossNodeWindow ? sameNodeWindow : crossNodeWindow)));
    }

    /// <summary>Records that a write of <paramref name="revision"/> to <paramref name="formId"/> on
    /// <paramref name="node"/> has completed now; returns the completion timestamp used.</summary>
    public long RecordWriteCompleted(int formId, int revision, int node)
    {
        var log = Log(formId);
        lock (log)
        {
            var now = Stopwatch.GetTimestamp();
            log.Append(revision, now, node, _foldAge);
            return now;
        }
    }

    /// <summary>As <see cref="RecordWriteCompleted(int, int, int)"/> with an explicit timestamp (tests); timestamps of
    /// one form must not decrease.</summary>
    public void RecordWriteCompleted(int formId, int revision, int node, long timestamp)
    {
        var log = Log(formId);
        lock (log)
        {
            log.Append(revision, timestamp, node, _foldAge);
        }
    }

    /// <summary>Judges a read of <paramref name="formId"/> that started at <paramref name="startTimestamp"/> on
    /// <paramref name="node"/> and returned <paramref name="revision"/>.</summary>
    public ReadCheck Classify(int formId, int revision, int node, long startTimestamp)
    {
        var log = Volatile.Read(ref _forms[formId]);
        if (log is null)
        {
            return default;
        }

        lock (log)
        {
            return log.Classify(revision, node, startTimestamp, _sameNodeWindow, _crossNodeWindow);
        }
    }

    /// <summary>Forms with at least one completed write, and the highest completed revision of each.</summary>
    public List<(int FormId, int Revision)> WrittenForms()
    {
        var result = new List<(int, int)>();
        for (var id = 0; id < _forms.Length; id++)
        {
            if (Volatile.Read(ref _forms[id]) is { } log)
            {
                lock (log)
                {
                    result.Add((id, log.MaxRevision));
                }
            }
        }

        return result;
    }

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private FormLog Log(int formId)
    {
        var log = Volatile.Read(ref _forms[formId]);
        if (log is null)
        {
            Interlocked.CompareExchange(ref _forms[formId], new FormLog(), null);
            log = _forms[formId]!;
        }

        return log;
    }

    private sealed class FormLog
    {
        private readonly List<(int Revision, long Timestamp, int Node)> _entries = new(4);
        private int _foldedRevision = int.MinValue;
        private long _foldedTimestamp = long.MinValue;

        public int MaxRevision { get; private set; } = int.MinValue;

        public void Append(int revision, long timestamp, int node, long foldAge)
        {
            _entries.Add((revision, timestamp, node));
            MaxRevision = Math.Max(MaxRevision, revision);
            if (_entries.Count <= FoldThreshold)
            {
                return;
            }

            var cutoff = timestamp - foldAge;
            var fold = 0;
            while (fold < _entries.Count - 1 && _entries[fold].Timestamp < cutoff)
            {
                _foldedRevision = Math.Max(_foldedRevision, _entries[fold].Revision);
                _foldedTimestamp = Math.Max(_foldedTimestamp, _entries[fold].Timestamp);
                fold++;
            }

            _entries.RemoveRange(0, fold);
        }

        public ReadCheck Classify(int revision, int node, long start, long sameWindow, long crossWindow)
        {
            var verdict = ReadConsistency.Fresh;
            var sameNode = false;
            long age = 0;
            int missedRevision = 0, missedNode = 0;
            if (_foldedRevision > revision && _foldedTimestamp < start)
            {
                // Folded entries forgot their node: judged with the larger window.
                if (_foldedTimestamp < start - Math.Max(sameWindow, crossWindow))
                {
                    verdict = ReadConsistency.Stale;
                    age = start - _foldedTimestamp;
                    (missedRevision, missedNode) = (_foldedRevision, -1);
                }
                else
                {
                    verdict = ReadConsistency.WithinWindow;
                }
            }

            foreach (var (entryRevision, timestamp, entryNode) in _entries)
            {
                if (timestamp >= start)
                {
                    break; // in time order: the rest completed after the read started
                }

                if (entryRevision <= revision)
                {
                    continue;
                }

                var window = entryNode == node ? sameWindow : crossWindow;
                if (timestamp < start - window)
                {
                    verdict = ReadConsistency.Stale;
                    sameNode |= entryNode == node;
                    if (start - timestamp > age)
                    {
                        age = start - timestamp;
                        (missedRevision, missedNode) = (entryRevision, entryNode);
                    }
                }
                else if (verdict == ReadConsistency.Fresh)
                {
                    verdict = ReadConsistency.WithinWindow;
                }
            }

            return verdict == ReadConsistency.Stale
                ? new ReadCheck(verdict, sameNode, age, missedRevision, missedNode)
                : new ReadCheck(verdict, false, 0);
        }
    }
}
