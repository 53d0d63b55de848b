using System;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// A generation that is part of every key of its scope (everything, or one method): while it is 0 (never invalidated)
/// keys carry nothing; once it moves on, every key of the scope changes, so Redis entries written before are never read
/// again, and this node's L1 entries of the scope are dropped.
/// </summary>
internal sealed class GenerationCell(string tag, Action clearLocal, RuntimeClock clock)
{
    private readonly object _gate = new();
    private long _value;
    private long _readAt = long.MinValue / 2; // far enough in the past, without overflow in now - _readAt
    private volatile bool _known;

    public string Tag { get; } = tag;

    public bool Known => _known;

    public long Value => Volatile.Read(ref _value);

    public bool IsFresh(long refreshMs) => _known && clock.NowMs - Volatile.Read(ref _readAt) < refreshMs;

    /// <summary>Records the generation read from Redis or announced; a change drops the scope's L1 entries.</summary>
    public void Apply(long generation)
    {
        bool changed;
        lock (_gate)
        {
            // Never back: news of generations can arrive out of order (see TagGenerations.Learn).
            generation = _known ? Math.Max(_value, generation) : generation;
            changed = _known && _value != generation;
            Volatile.Write(ref _value, generation);
            Volatile.Write(ref _readAt, clock.NowMs);
            _known = true;
        }

        if (changed)
        {
            clearLocal();
        }
    }

    /// <summary>Records <paramref name="generation"/> unless a generation is already known.</summary>
    public void ApplyIfUnknown(long generation)
    {
        if (!_known)
        {
            Apply(generation);
        }
    }

    /// <summary>Counts as read now (after a failed read, while a known value stands).</summary>
    public void Touch() => Volatile.Write(ref _readAt, clock.NowMs);

    /// <summary>Drops the L1 entries of the scope on this node (its generation moved here, unconfirmed by Redis).</summary>
    public void ClearLocal() => clearLocal();

    /// <summary>Read it again before the next use (announcements may have been lost).</summary>
    public void MarkStale() => Volatile.Write(ref _readAt, long.MinValue / 2);
}
