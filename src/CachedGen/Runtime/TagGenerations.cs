using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using BitFaster.Caching.Lru;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// What this node knows of tag generations. A tag's generation lives in Redis (<c>{prefix}cachedgen:tag:{tag}</c>,
/// absent = 0); invalidating the tag moves it on, in O(1) whatever the number of entries, and announces the new value
/// on the backplane. Every generation of an entry's tags is part of its Redis key (so after a tag invalidation the old
/// entries are simply never read again, and a slow load that started before it fills a key nobody reads), and L1 entries
/// remember the generations they were loaded under.
/// </summary>
/// <remarks>
/// Nodes learn generations from the backplane (no Redis read per hit); a generation not known, or known for longer than
/// <see cref="CachedGenOptions.TagRefreshInterval"/>, is read from Redis on the next miss: that bounds staleness by the
/// refresh interval when the backplane is down. <see cref="Epoch"/> moves whenever a known generation changes, so an L1
/// hit checks its tags only after some tag changed (one integer comparison otherwise).
/// </remarks>
internal sealed class TagGenerations
{
    private readonly CacheRuntime _runtime;
    private readonly ConcurrentLru<string, Known> _known;
    private readonly string _keyPrefix;
    private readonly string _reservedKeyPrefix;
    private readonly object _refreshing = new();
    private Task<bool>? _refresh;
    private readonly long _refreshMs;
    private readonly long _retentionMs;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, GenerationCell> _methodCells = new(StringComparer.Ordinal);
    private readonly object _learning = new();
    private int _epoch;
    private long _localGeneration;

    /// <summary>Tags starting with this are CachedGen's own: the generation of everything and of each method.</summary>
    public const string ReservedPrefix = "cachedgen:";

    /// <summary>The tag whose generation is part of every key: invalidating it drops every entry (O(1)).</summary>
    public const string AllTag = "cachedgen:all";

    /// <summary>The tag whose generation is part of every key of one method.</summary>
    public static string MethodTag(string methodId) => "cachedgen:method:" + methodId;

    public TagGenerations(CacheRuntime runtime, CachedGenOptions options)
    {
        _runtime = runtime;
        _known = new ConcurrentLru<string, Known>(Math.Max(128, options.MaxKnownTags));
        _keyPrefix = options.KeyPrefix + "cachedgen:tag:{";
        _reservedKeyPrefix = options.KeyPrefix + "cachedgen:tag:{cachedgen}:";
        _refreshMs = Math.Max(1, (long)options.TagRefreshInterval.TotalMilliseconds);
        _retentionMs = Math.Max(1, (long)options.TagRetention.TotalMilliseconds);
        All = NewCell(AllTag, runtime.ClearLocal);
    }

    /// <summary>The generation of everything (<see cref="ICacheInvalidator.InvalidateAllAsync"/>).</summary>
    public GenerationCell All { get; }

    /// <summary>The generation of one method's keys (<see cref="ICacheInvalidator.InvalidateMethodAsync"/>).</summary>
    public GenerationCell MethodCell(string methodId)
        => _methodCells.GetOrAdd(methodId, static (id, self) => self.NewCell(MethodTag(id), () => self._runtime.ClearLocalOf(id)), this);

    /// <summary>A scope's cell. Without Redis the generations are this node's own and start known at 0, so that the
    /// first invalidation of the scope is a change (it clears L1) like any later one.</summary>
    private GenerationCell NewCell(string tag, Action clearLocal)
    {
        var cell = new GenerationCell(tag, clearLocal, _runtime.Clock);
        if (_runtime.Redis is null)
        {
            cell.Apply(0);
        }

        return cell;
    }

    /// <summary>Makes sure the generations of everything and of <paramref name="method"/> are known and recent: at once
    /// when they are (the common case), else after one read of every scope's generation (all methods of the runtime
    /// together, so a node pays one round trip per refresh interval, not one per method). <see langword="false"/> when
    /// one was never known and Redis cannot be asked.</summary>
    public ValueTask<bool> EnsureAsync(GenerationCell method)
    {
        if (_runtime.Redis is null)
        {
            All.ApplyIfUnknown(0);
            method.ApplyIfUnknown(0);
            return new ValueTask<bool>(true);
        }

        if (IsUnconfirmed(AllTag) || IsUnconfirmed(method.Tag))
        {
            // This node moved the generation without Redis confirming it: Redis still has the old one, and reading it
            // would find the entries from before the change (read-your-writes). Leave Redis out until the retry lands.
            return new ValueTask<bool>(false);
        }

        if (All.IsFresh(_refreshMs) && method.IsFresh(_refreshMs))
        {
            return new ValueTask<bool>(true);
        }

        return RefreshAndCheckAsync(method);
    }

    private async ValueTask<bool> RefreshAndCheckAsync(GenerationCell method)
    {
        if (await RefreshScopesAsync().ConfigureAwait(false) && !method.Known)
        {
            // A read already in flight when this method's cell was made did not include it: read again.
            await ReadScopesAsync().ConfigureAwait(false);
        }

        return All.Known && method.Known;
    }

    /// <summary>Reads the generations of everything and of every method this runtime knows, in one script (their keys
    /// share a hash tag); concurrent callers share one read.</summary>
    private Task<bool> RefreshScopesAsync()
    {
        lock (_refreshing)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            return _refresh = ReadScopesAsync();
        }
    }

    private async Task<bool> ReadScopesAsync()
    {
        var cells = new List<GenerationCell> { All };
        cells.AddRange(_methodCells.Values);
        var read = await _runtime.Redis!.GetTagGenerationsAsync(cells.Select(c => KeyOf(c.Tag)).ToArray()).ConfigureAwait(false);
        for (var i = 0; i < cells.Count; i++)
        {
            if (read is not null)
            {
                cells[i].Apply(read[i]);
            }
            else
            {
                // Redis unreachable: the last known generation will do (its L2 reads fail anyway), and is not asked for
                // again before the next refresh interval, so an outage does not double every read's wait.
                cells[i].Touch();
            }
        }

        return read is not null;
    }

    /// <summary>The generations of everything and of <paramref name="method"/> as Redis has them now, read by this call
    /// alone (a read already in flight may have started before the caller's write) and learned as any read is;
    /// <see langword="null"/> when Redis cannot be asked. The values are Redis's own, even where this node knows newer
    /// ones (after a <c>FLUSHALL</c>, nodes that start read 0).</summary>
    public async ValueTask<(long All, long Method)?> ReadScopesNowAsync(GenerationCell method)
    {
        if (_runtime.Redis is not { } redis || await redis.GetTagGenerationsAsync([KeyOf(All.Tag), KeyOf(method.Tag)]).ConfigureAwait(false) is not { } read)
        {
            return null;
        }

        All.Apply(read[0]);
        method.Apply(read[1]);
        return (read[0], read[1]);
    }

    /// <summary>Moves whenever a generation this node knows changes (or all are forgotten).</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public RedisKey KeyOf(string tag)
        => tag.StartsWith(ReservedPrefix, StringComparison.Ordinal)
            ? _reservedKeyPrefix + tag // one hash tag for all of them: read together, in one slot on a cluster
            : _keyPrefix + tag + "}";

    /// <summary>The generations of <paramref name="tags"/>, from what this node knows while it is recent, else from Redis;
    /// <see langword="null"/> when one cannot be known (Redis unreachable): the caller then leaves the cache out.</summary>
    public async ValueTask<TagSnapshot?> SnapshotAsync(string[] tags)
    {
        var epoch = Epoch;
        if (_runtime.UnconfirmedTags.HasUnconfirmed)
        {
            foreach (var tag in tags)
            {
                if (IsUnconfirmed(tag))
                {
                    // This node invalidated the tag without Redis confirming it (Redis refuses writes, or did not answer):
                    // Redis still has the old generation, and its entries from before the write. Unknown until the retry
                    // lands, so the caller leaves Redis out (OfflineSnapshot) and reads the source.
                    return null;
                }
            }
        }

        var generations = new long[tags.Length];
        var now = _runtime.Clock.NowMs;
        for (var i = 0; i < tags.Length; i++)
        {
            if (_known.TryGet(tags[i], out var known) && (_runtime.Redis is null || now - known.ReadAt < _refreshMs))
            {
                generations[i] = known.Generation;
                continue;
            }

            if (_runtime.Redis is not { } redis)
            {
                // Without Redis this node's generations are the only ones: a tag never invalidated is at 0, and is
                // recorded so, or the entry would count as not current as soon as any other tag moved (IsCurrent: an
                // unknown tag is not current, which a record evicted since, MaxKnownTags, still relies on).
                KnowUnmoved(tags[i]);
                generations[i] = 0;
                continue;
            }

            if (await redis.GetTagGenerationAsync(KeyOf(tags[i])).ConfigureAwait(false) is not { } read)
            {
                return null;
            }

            Learn(tags[i], read);
            generations[i] = read;
        }

        return new TagSnapshot(tags, generations, epoch);
    }

    /// <summary>A snapshot of <paramref name="tags"/> from what this node knows, however old (0 for a tag it never read),
    /// for a load that leaves Redis out because Redis cannot be asked: its L1 entry is served while no generation this
    /// node knows moves (<see cref="Epoch"/>), and after that only while each tag is known at the generation it was
    /// loaded under, so the first generation read or announced once Redis answers again drops it unless that tag did
    /// not move. Nothing is read from or written to Redis under it.</summary>
    public TagSnapshot OfflineSnapshot(string[] tags)
    {
        var epoch = Epoch;
        var generations = new long[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            generations[i] = _known.TryGet(tags[i], out var known) ? known.Generation : 0;
        }

        return new TagSnapshot(tags, generations, epoch);
    }

    /// <summary>The generations of <paramref name="tags"/> as Redis has them now (an invalidation must not trust what
    /// the backplane may not have delivered yet); <see langword="null"/> when Redis cannot be asked.</summary>
    public async ValueTask<long[]?> ReadAsync(string[] tags)
    {
        var generations = new long[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            if (_runtime.Redis is not { } redis)
            {
                generations[i] = _known.TryGet(tags[i], out var known) ? known.Generation : 0;
            }
            else if (await redis.GetTagGenerationAsync(KeyOf(tags[i])).ConfigureAwait(false) is { } read)
            {
                Learn(tags[i], read);
                generations[i] = read;
            }
            else
            {
                return null;
            }
        }

        return generations;
    }

    /// <summary>A snapshot of <paramref name="tags"/> under the generations Redis has now (as <see cref="ReadAsync"/>);
    /// <see langword="null"/> when Redis cannot be asked.</summary>
    public async ValueTask<TagSnapshot?> ReadSnapshotAsync(string[] tags)
    {
        var epoch = Epoch;
        return await ReadAsync(tags).ConfigureAwait(false) is { } generations ? new TagSnapshot(tags, generations, epoch) : null;
    }

    /// <summary>Whether the generations an L1 entry was loaded under are still the ones this node knows.</summary>
    public bool IsCurrent(TagSnapshot snapshot)
    {
        var epoch = Epoch;
        if (snapshot.Epoch == epoch)
        {
            return true;
        }

        for (var i = 0; i < snapshot.Tags.Length; i++)
        {
            if (!_known.TryGet(snapshot.Tags[i], out var known) || known.Generation != snapshot.Generations[i])
            {
                return false;
            }
        }

        snapshot.Epoch = epoch;
        return true;
    }

    /// <summary>Records a generation (read from Redis, announced by another node, or set by this one).</summary>
    public void Learn(string tag, long generation)
    {
        if (tag.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            if (tag == AllTag)
            {
                All.Apply(generation);
            }
            else if (_methodCells.TryGetValue(tag.Substring("cachedgen:method:".Length), out var cell))
            {
                cell.Apply(generation);
            }

            return;
        }

        // Generations only move forward (a clock, or one past the old value), but news of them can arrive out of
        // order: this node's own invalidation returns after another node's later one was announced, or a read from
        // Redis completes after an announcement. Never go back.
        bool changed;
        lock (_learning)
        {
            var known = _known.TryGet(tag, out var old);
            if (known && old.Generation > generation)
            {
                generation = old.Generation;
            }

            _known.AddOrUpdate(tag, new Known(generation, _runtime.Clock.NowMs));
            changed = !known || old.Generation != generation;
        }

        if (changed)
        {
            Interlocked.Increment(ref _epoch);
        }
    }

    /// <summary>Without Redis: records <paramref name="tag"/> at generation 0 unless a generation is known for it. Not a
    /// change: no entry stops being current.</summary>
    private void KnowUnmoved(string tag)
    {
        lock (_learning)
        {
            if (!_known.TryGet(tag, out _))
            {
                _known.AddOrUpdate(tag, new Known(0, _runtime.Clock.NowMs));
            }
        }
    }

    /// <summary>Forgets every generation (the backplane reconnected: announcements may have been lost).</summary>
    public void Forget()
    {
        All.MarkStale();
        foreach (var cell in _methodCells.Values)
        {
            cell.MarkStale();
        }

        _known.Clear();
        Interlocked.Increment(ref _epoch);
    }

    /// <summary>Invalidates every entry carrying <paramref name="tag"/>, on every node; <see langword="false"/> when Redis
    /// did not confirm it (this node then forgets the tag, so its entries are not served until Redis answers again).</summary>
    public async ValueTask<bool> InvalidateAsync(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (_runtime.Redis is not { } redis)
        {
            Learn(tag, Interlocked.Increment(ref _localGeneration));
            return true;
        }

        var backplane = _runtime.Backplane;
        var generation = await redis.InvalidateTagAsync(
            KeyOf(tag),
            _retentionMs,
            backplane?.ChannelName ?? "",
            backplane?.TagMessagePrefix ?? "",
            "|" + tag,
            _runtime.Time.GetUtcNow().ToUnixTimeMilliseconds() * 1000).ConfigureAwait(false);
        if (generation is { } g)
        {
            Learn(tag, g);
            return true;
        }

        // Noted as unconfirmed before the generation is forgotten: a read from now on leaves Redis out (SnapshotAsync,
        // EnsureAsync) rather than learn the old generation back from Redis and keep its entries in L1.
        _runtime.UnconfirmedTags.Add(tag);
        if (tag.StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            All.MarkStale();
            foreach (var cell in _methodCells.Values)
            {
                cell.MarkStale();
            }

            // The scope's entries in this node's L1 are from before the write, and no generation moved here to drop them.
            (tag == AllTag ? All : _methodCells.TryGetValue(tag.Substring("cachedgen:method:".Length), out var scope) ? scope : null)?.ClearLocal();
        }

        _known.TryRemove(tag);
        Interlocked.Increment(ref _epoch);
        return false;
    }

    /// <summary>Whether this node's last invalidation of <paramref name="tag"/> waits for Redis to confirm it.</summary>
    private bool IsUnconfirmed(string tag) => _runtime.UnconfirmedTags.Contains(tag);

    /// <summary>The part of a Redis key that names its tags' generations: empty while none was ever invalidated (so
    /// declaring a tag does not change existing keys), else <c>.t</c> and the generation, or a hash of all of them.</summary>
    public static string Suffix(long[] generations)
    {
        var any = false;
        foreach (var g in generations)
        {
            any |= g != 0;
        }

        if (!any)
        {
            return "";
        }

        if (generations.Length == 1)
        {
            return ".t" + generations[0].ToString("x", CultureInfo.InvariantCulture);
        }

        return ".t" + XxHash3.HashToUInt64(MemoryMarshal.AsBytes(generations.AsSpan())).ToString("x16", CultureInfo.InvariantCulture);
    }

    private readonly record struct Known(long Generation, long ReadAt);
}
