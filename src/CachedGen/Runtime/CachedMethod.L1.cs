using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Step 2 of docs/runtime.md, the hit path: an L1 entry is served while fresh and current; WriteL1 stores one.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>A fresh, current entry. The one caller that finds it due for an early refresh gets
    /// <see langword="false"/>: it goes on to <see cref="ReadPastL1Async{TState}"/>, which has the source at hand, starts
    /// the refresh and still answers from this entry.</summary>
    /// <remarks>An entry's refresh moment is never after its expiry (equal when early refresh is off), so the common case
    /// is one clock comparison.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryReadL1(in TKey key, out LocalEntry entry)
        => _local!.TryGet(key, out entry!) && IsCurrent(entry)
           && (_clock.IsBefore(entry.RefreshAt) || IsFreshPastRefreshMoment(entry))
           && entry.MarkHit();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool IsFreshPastRefreshMoment(LocalEntry entry)
        => _clock.IsBefore(entry.ExpiresAt) && (entry.RefreshAt == entry.ExpiresAt || !entry.ClaimRefresh());

    /// <summary>Whether no invalidation of the entry's key reached its bucket (nor, for a tagged method, any of its tags)
    /// since its load started. The bucket index was masked to the array's length when the entry was made, so the read
    /// needs no bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsCurrent(LocalEntry entry)
        => _buckets.IsAt(entry.Bucket, entry.Generation)
           && (entry.Tags is null || _runtime.Tags.IsCurrent(entry.Tags));

    /// <summary>A fresh, current L1 entry, looked up from inside a load: unlike <see cref="TryGetLocal"/> it never claims
    /// the entry's early refresh (the caller could not start it) and is not counted as a hit of its own.</summary>
    private bool TryPeekL1(in TKey key, out TValue value)
    {
        if (_hitMode != 0 && _local!.TryGet(key, out var entry) && IsCurrent(entry) && _clock.IsBefore(entry.ExpiresAt))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>Stores an entry stamped with the generation its load started under: if an invalidation of its bucket
    /// came in since, the entry is never served (the check is on read, so no lock is needed here).</summary>
    private LocalEntry? WriteL1(TKey key, TValue value, long lifetimeMs, Stamp stamp, long valueExpiresUnixMs)
    {
        if (_local is not null && lifetimeMs > 0 && IsCurrent(stamp))
        {
            var now = _clock.NowMs;
            var entry = new LocalEntry(key, value, now + lifetimeMs, stamp, RefreshMoment(now, lifetimeMs), now + lifetimeMs, valueExpiresUnixMs);
            _local.AddOrUpdate(key, entry);
            Remember(entry);
            if (!_hitPathCompiled && RuntimeFeature.IsDynamicCodeCompiled)
            {
                CompileHitPath(key);
            }

            return entry;
        }

        return null;
    }

    // Whether the first store has read its entry back (see CompileHitPath).
    private bool _hitPathCompiled;

    /// <summary>Under the JIT the first L1 hit would compile the hit path's helpers (the tier-0 JIT inlines nothing, and
    /// a miss never reaches them), costing that hit most of a millisecond (docs/benchmarks.md, Cold start). The first
    /// store of an entry reads it back once, without counting, tracing or claiming anything, so the miss that just paid
    /// for the source pays for that compilation too.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompileHitPath(in TKey key)
    {
        _hitPathCompiled = true;
        if (TryReadL1(key, out var entry))
        {
            _ = entry.Value;
            _ = entry.Task;
        }
    }

    /// <summary>When a hit starts the early refresh: at a random point between <see cref="CachedGenOptions.EarlyRefresh"/>
    /// of the lifetime and halfway from there to the expiry; the expiry itself when early refresh is off.</summary>
    private long RefreshMoment(long now, long lifetimeMs)
    {
        var share = _policy.EarlyRefresh;
        if (share <= 0)
        {
            return now + lifetimeMs;
        }

        share += (1 - share) * 0.5 * Random.Shared.NextDouble();
        return now + (long)(lifetimeMs * share);
    }

    private sealed class LocalEntry(TKey key, TValue value, long expiresAt, Stamp stamp, long refreshAt, long valueExpiresAt, long valueExpiresUnixMs)
    {
        public readonly TKey Key = key;
        public readonly TValue Value = value;

        /// <summary>Until when L1 serves it (<see cref="RuntimeClock.NowMs"/> time).</summary>
        public readonly long ExpiresAt = expiresAt;
        public readonly int Bucket = stamp.Bucket;
        public readonly int Generation = stamp.Generation;

        /// <summary>The tags and generations it was loaded under (a tagged method), else <see langword="null"/>.</summary>
        public readonly TagSnapshot? Tags = stamp.Tags;

        /// <summary>When a hit starts the early refresh; never after <see cref="ExpiresAt"/>, equal to it when off.</summary>
        public readonly long RefreshAt = refreshAt;

        /// <summary>When the value itself expired or expires: the fail-safe's age is counted from here.</summary>
        public readonly long ValueExpiresAt = valueExpiresAt;

        /// <summary>The logical expiry of the Redis payload it came from (0 when not from or not in Redis).</summary>
        public readonly long ValueExpiresUnixMs = valueExpiresUnixMs;
        public Task<TValue>? Task;

        // 0: no refresh yet; 1: a hit claimed it (and missed on purpose); 2: that caller started it.
        private int _refresh;

        // Whether a call was served from it since Remember last looked: such an entry keeps its place among the
        // remembered entries once more (see Remember).
        private bool _hit;

        /// <summary>Whether a call was served from it since the last call of this method (which clears the mark).</summary>
        public bool TakeHit()
        {
            if (!_hit)
            {
                return false;
            }

            _hit = false;
            return true;
        }

        /// <summary>Records a hit (written once: later hits only read it) and returns <see langword="true"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MarkHit()
        {
            if (!_hit)
            {
                _hit = true;
            }

            return true;
        }

        public bool ClaimRefresh() => Interlocked.CompareExchange(ref _refresh, 1, 0) == 0;

        public bool TryStartRefresh() => Volatile.Read(ref _refresh) == 1 && Interlocked.CompareExchange(ref _refresh, 2, 1) == 1;
    }
}
