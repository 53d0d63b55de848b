using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace CachedGen.Runtime;

// Batch reads ({ids[]}, docs/batch.md): one entry per element, the same entries, L1, single flight and leases as the
// single-item method of the same key. L1 per element, then one script that reads the rest from Redis and leases the
// elements it does not find, one source call with only those elements, one fill.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>A batch call of a method returning <see cref="Task{TResult}"/> of a dictionary: each element's entry from L1,
    /// else Redis, else one call of <paramref name="load"/> with only the elements still missing. Elements the source does
    /// not return (or returns as <see langword="null"/>) are left out of the result, and cached as absent unless the
    /// method says <c>CacheNull = false</c>.</summary>
    /// <typeparam name="TElement">The element type of the batch parameter (the dictionary's key).</typeparam>
    /// <typeparam name="TState">What the key and the loader need besides the element, passed to them as is.</typeparam>
    /// <typeparam name="TResult">The declared dictionary type, which <see cref="Dictionary{TKey, TValue}"/> implements.</typeparam>
    /// <param name="elements">The elements asked for; duplicates are collapsed.</param>
    /// <param name="state">Passed to <paramref name="keyOf"/> and <paramref name="load"/>.</param>
    /// <param name="keyOf">The entry key of one element (the other placeholders come from the state).</param>
    /// <param name="load">Calls the source with the missing elements (an array the generated code turns into the declared
    /// collection type) and gives its answer as pairs.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (the source call goes on for the cache).</param>
    public Task<TResult> GetManyTaskAsync<TElement, TState, TResult>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, CancellationToken cancellationToken)
        where TElement : notnull
        where TResult : class
        => AsResultAsync<TElement, TResult>(ReadManyObservedOrNotAsync(elements, state, keyOf, load, cancellationToken));

    /// <summary>A batch call of a method returning <see cref="ValueTask{TResult}"/>: as <see cref="GetManyTaskAsync{TElement, TState, TResult}"/>.</summary>
    /// <typeparam name="TElement">The element type of the batch parameter.</typeparam>
    /// <typeparam name="TState">What the key and the loader need besides the element.</typeparam>
    /// <typeparam name="TResult">The declared dictionary type.</typeparam>
    /// <param name="elements">The elements asked for.</param>
    /// <param name="state">Passed to <paramref name="keyOf"/> and <paramref name="load"/>.</param>
    /// <param name="keyOf">The entry key of one element.</param>
    /// <param name="load">Calls the source with the missing elements.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    public ValueTask<TResult> GetManyAsync<TElement, TState, TResult>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, CancellationToken cancellationToken)
        where TElement : notnull
        where TResult : class
        => new(AsResultAsync<TElement, TResult>(ReadManyObservedOrNotAsync(elements, state, keyOf, load, cancellationToken)));

    /// <summary>A batch call of a synchronous method: as <see cref="GetManyTaskAsync{TElement, TState, TResult}"/>, blocking
    /// on Redis and the source.</summary>
    /// <typeparam name="TElement">The element type of the batch parameter.</typeparam>
    /// <typeparam name="TState">What the key and the loader need besides the element.</typeparam>
    /// <typeparam name="TResult">The declared dictionary type.</typeparam>
    /// <param name="elements">The elements asked for.</param>
    /// <param name="state">Passed to <paramref name="keyOf"/> and <paramref name="load"/>.</param>
    /// <param name="keyOf">The entry key of one element.</param>
    /// <param name="load">Calls the source with the missing elements.</param>
    public TResult GetMany<TElement, TState, TResult>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load)
        where TElement : notnull
        where TResult : class
        => (TResult)(object)ReadManyObservedOrNotAsync(elements, state, keyOf, load, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    // Dictionary<TElement, TValue> implements every dictionary type a batch method may declare (IReadOnlyDictionary,
    // IDictionary, Dictionary); nullable annotations aside, the types are the same.
    private static async Task<TResult> AsResultAsync<TElement, TResult>(ValueTask<Dictionary<TElement, TValue>> reading)
        where TElement : notnull
        => (TResult)(object)await reading.ConfigureAwait(false);

    private async ValueTask<Dictionary<TElement, TValue>> ReadManyAsync<TElement, TState>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, CancellationToken cancellationToken, BatchRecord? record)
        where TElement : notnull
    {
        ArgumentNullException.ThrowIfNull(elements);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(load);
        if (!_readsBatches)
        {
            // From now on a change to the same key by another method of this process drops this method's copy too.
            _readsBatches = true;
            Family?.AddReader(this);
        }

        var items = Distinct(elements, state, keyOf);
        var result = new Dictionary<TElement, TValue>(items.Count);
        if (items.Count == 0)
        {
            return result;
        }

        if (!_enabled)
        {
            record?.NoteAll(items, CacheAuditKind.Bypass);
            Answer(await load(state, ElementsOf(items), cancellationToken).ConfigureAwait(false), items, result);
            return result;
        }

        // 1. L1, per element. Entries past their early-refresh moment are served, and refreshed together in the background.
        var missing = new List<BatchItem<TElement>>(items.Count);
        List<(BatchItem<TElement> Item, LocalEntry Entry)>? due = null;
        foreach (var item in items)
        {
            if (TryPeekL1Counted(item.Key, out var entry))
            {
                record?.Note(item.Key, CacheAuditKind.LocalHit);
                Add(result, item.Element, entry.Value);
                if (entry.RefreshAt != entry.ExpiresAt && !_clock.IsBefore(entry.RefreshAt) && entry.ClaimRefresh() && entry.TryStartRefresh())
                {
                    (due ??= []).Add((item, entry));
                }
            }
            else
            {
                missing.Add(item);
            }
        }

        if (due is not null)
        {
            _ = RefreshManyEarlyAsync(due, state, load);
        }

        if (missing.Count == 0)
        {
            return result;
        }

        // 2. The Redis keys. Redis itself is read in step 3, by the script that leases what it does not find, so a miss
        // costs one read and one fill. During a key-hashing rotation an MGET comes first, and each element it does not
        // find is looked up under its previous key: an element found there must not be leased and loaded.
        var useRedis = false;
        if (_redis is not null && !AnyUnconfirmed(missing))
        {
            if (await EnsureGenerationsAsync().ConfigureAwait(false) && await RenderRedisKeysAsync(missing).ConfigureAwait(false))
            {
                useRedis = true;
            }

            if (useRedis && Descriptor.HashesKey && _runtime.IsRotating)
            {
                var asked = missing;
                missing = await ReadRedisManyAsync(missing, result).ConfigureAwait(false);
                record?.NoteFound(asked, missing, CacheAuditKind.RedisHit);
                if (missing.Count == 0)
                {
                    return result;
                }
            }
        }

        string? token = null;
        if (useRedis)
        {
            // 3. Redis: one script reads the rest and leases those it does not find (per hash slot on a cluster).
            token = Guid.NewGuid().ToString("N");
            var asked = missing;
            missing = await ReadAndLeaseManyAsync(missing, token, result).ConfigureAwait(false);
            record?.NoteFound(asked, missing, CacheAuditKind.RedisHit);
            if (missing.Count == 0)
            {
                return result;
            }
        }
        else
        {
            foreach (var item in missing)
            {
                item.RedisKey = null;
                item.Stamp = StampOf(_redis is null ? _buckets.Of(item.Key.GetHashCode()) : _buckets.Of(RenderKey(item.Key)));
                if (_tagged)
                {
                    // Without Redis the snapshot is this node's own, at once; with Redis unreachable (the keys could not
                    // be rendered) it is what this node knows, as for a single read (Offline).
                    item.Stamp = _redis is null
                        ? item.Stamp with { Tags = await TagSnapshotAsync(item.Key).ConfigureAwait(false) }
                        : Offline(item.Stamp, item.Key);
                }
            }
        }

        // 4. Single flight per element: join a load in flight (a single read's, or another batch's), or lead one. A
        // lease this call took for an element it joins is given back, so that load can take it.
        var led = new List<BatchItem<TElement>>(missing.Count);
        var joined = new List<(BatchItem<TElement> Item, Flight Flight)>();
        List<BatchItem<TElement>>? unneeded = null;
        foreach (var item in missing)
        {
            if (JoinOrLead(item) is { } running)
            {
                joined.Add((item, running));
                (unneeded ??= []).Add(item);
            }
            else if (TryPeekL1(item.Key, out var fresh))
            {
                // Another load filled it between the miss and now.
                record?.Note(item.Key, CacheAuditKind.LocalHit);
                Complete(item, fresh);
                Add(result, item.Element, fresh);
                (unneeded ??= []).Add(item);
            }
            else
            {
                led.Add(item);
            }
        }

        if (unneeded is not null)
        {
            ReleaseLeases(unneeded, token);
        }

        // 5. The led elements: one source call and one fill (and a wait for those another node is loading). Their
        // flights complete whatever this caller does. Each element is waited for under the fail-safe and the source
        // timeouts, which run once for the whole call: past the soft timeout an element with an expired value gets it,
        // past the hard one an element without gets a TimeoutException; the load goes on and fills the cache.
        var started = _clock.NowMs;
        if (led.Count > 0)
        {
            Observe(LoadLedAsync(led, state, load, token)); // each element's outcome is its flight's
            foreach (var item in led)
            {
                Add(result, item.Element, await GuardFailSafeAsync(item.Key, item.Flight!.Task, item.Fallback, cancellationToken, started).ConfigureAwait(false));
                record?.Note(item.Key, item.FromRedis ? CacheAuditKind.RedisHit : CacheAuditKind.Miss);
            }
        }

        List<TElement>? again = null;
        foreach (var (item, flight) in joined)
        {
            try
            {
                Add(result, item.Element, await GuardFailSafeAsync(item.Key, flight.Task, default, cancellationToken, started).ConfigureAwait(false));
                record?.Note(item.Key, CacheAuditKind.Miss);
            }
            catch (OperationCanceledException) when (flight.Task.IsCanceled && !cancellationToken.IsCancellationRequested)
            {
                // The single read that led this element's load was cancelled, this caller was not: read it again.
                (again ??= []).Add(item.Element);
            }
        }

        if (again is not null)
        {
            foreach (var (element, value) in await ReadManyAsync(again, state, keyOf, load, cancellationToken, record).ConfigureAwait(false))
            {
                result[element] = value;
            }
        }

        return result;
    }

    // Whether this method has served a batch read (and so joined its KeyFamily's readers).
    private bool _readsBatches;

    private static List<BatchItem<TElement>> Distinct<TElement, TState>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf)
        where TElement : notnull
    {
        var seen = elements.TryGetNonEnumeratedCount(out var count) ? new HashSet<TElement>(count) : new HashSet<TElement>();
        var items = new List<BatchItem<TElement>>(count);
        foreach (var element in elements)
        {
            // A null element (the element type says it cannot be one, the caller passed one anyway): no entry can have it
            // as key, nor can the result, a dictionary: it is left out, never asked of the source.
            if (element is not null && seen.Add(element))
            {
                items.Add(new BatchItem<TElement>(element, keyOf(state, element)));
            }
        }

        return items;
    }

    private static TElement[] ElementsOf<TElement>(List<BatchItem<TElement>> items)
    {
        var elements = new TElement[items.Count];
        for (var i = 0; i < elements.Length; i++)
        {
            elements[i] = items[i].Element;
        }

        return elements;
    }

    /// <summary>A present value goes into the result; an absent one (<see langword="null"/>) does not.</summary>
    private static void Add<TElement>(Dictionary<TElement, TValue> result, TElement element, TValue value)
        where TElement : notnull
    {
        if (value is not null)
        {
            result[element] = value;
        }
    }

    /// <summary>The source's answer, uncached, for the elements asked (the kill switch, or tags that cannot be known).</summary>
    private static void Answer<TElement>(IEnumerable<KeyValuePair<TElement, TValue>>? answer, List<BatchItem<TElement>> items, Dictionary<TElement, TValue> result)
        where TElement : notnull
    {
        if (answer is null)
        {
            return;
        }

        var asked = new HashSet<TElement>(items.Count);
        foreach (var item in items)
        {
            asked.Add(item.Element);
        }

        foreach (var (element, value) in answer)
        {
            if (element is not null && asked.Contains(element))
            {
                Add(result, element, value);
            }
        }
    }

    /// <summary>An L1 hit of a batch read (a fresh, current entry), counted as a single read's is.</summary>
    private bool TryPeekL1Counted(in TKey key, out LocalEntry entry)
    {
        if (_hitMode == 0 || !_local!.TryGet(key, out entry!) || !IsCurrent(entry) || !_clock.IsBefore(entry.ExpiresAt))
        {
            entry = null!;
            return false;
        }

        if (_metrics.CountHits)
        {
            _l1Hits.Increment();
        }

        return true;
    }

    /// <summary>Each element's Redis key and stamp; <see langword="false"/> when a tag generation cannot be known.</summary>
    private async ValueTask<bool> RenderRedisKeysAsync<TElement>(List<BatchItem<TElement>> items)
    {
        // Every stamp is taken before the generations are read, as for a single read (CurrentRedisKeyAsync): a generation
        // that moves in between clears L1 after it is written, so it leaves these stamps behind, and a value read under
        // the old generation's key is not kept in L1. The other order let such a value in under a current stamp.
        var rendered = new string[items.Count];
        for (var i = 0; i < rendered.Length; i++)
        {
            rendered[i] = RenderKey(items[i].Key);
            items[i].Stamp = StampOf(_buckets.Of(rendered[i]));
        }

        var suffix = GenerationSuffix();
        for (var i = 0; i < rendered.Length; i++)
        {
            var item = items[i];
            var redisKey = rendered[i] + suffix;
            if (_tagged)
            {
                if (await TagSnapshotAsync(item.Key).ConfigureAwait(false) is not { } tags)
                {
                    return false;
                }

                item.Stamp = item.Stamp with { Tags = tags };
                redisKey += tags.Suffix;
            }

            item.RedisKey = redisKey;
        }

        return true;
    }

    /// <summary>One MGET for <paramref name="items"/>; fresh values go to L1 and the result, expired ones are kept for the
    /// fail-safe. Returns the elements still missing.</summary>
    private async ValueTask<List<BatchItem<TElement>>> ReadRedisManyAsync<TElement>(List<BatchItem<TElement>> items, Dictionary<TElement, TValue> result)
        where TElement : notnull
    {
        var keys = new RedisKey[items.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = items[i].RedisKey;
        }

        var started = _metrics.StartTiming();
        var payloads = await _redis!.GetManyAsync(keys, Descriptor.MethodId).ConfigureAwait(false);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpGet);
        var still = new List<BatchItem<TElement>>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (payloads[i] is { } payload)
            {
                switch (AcceptRedisPayload(item.Key, payload, item.RedisKey!, item.Stamp, out var value, out var fallback))
                {
                    case Payload.Fresh:
                        Add(result, item.Element, value);
                        continue;
                    case Payload.Expired:
                        item.Fallback = fallback;
                        break;
                }
            }

            if (Descriptor.HashesKey && _runtime.IsRotating
                && await ReadRedisPreviousKeyAsync(item.Key, item.Stamp, GenerationSuffix() + item.Stamp.Tags?.Suffix).ConfigureAwait(false) is (true, var previous))
            {
                Add(result, item.Element, previous);
                continue;
            }

            still.Add(item);
        }

        return still;
    }

    /// <summary>Registers this caller's load of the element, or returns the current load in flight to join.</summary>
    private Flight? JoinOrLead<TElement>(BatchItem<TElement> item)
    {
        var flight = new Flight(new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously), item.Stamp);
        while (true)
        {
            if (_inflight.TryGetValue(item.Key, out var running))
            {
                if (IsCurrent(running.Stamp))
                {
                    _metrics.Misses.Add(1, _methodTag);
                    _metrics.Coalesced.Add(1, _methodTag);
                    return running;
                }

                // Started before an invalidation this caller has seen: take its place (see JoinOrLeadFlightAsync).
                if (!_inflight.TryUpdate(item.Key, flight, running))
                {
                    continue;
                }
            }
            else if (!_inflight.TryAdd(item.Key, flight))
            {
                continue;
            }

            item.Flight = flight;
            return null;
        }
    }

    /// <summary>Completes the element's flight for the callers that joined it, and ends it.</summary>
    private void Complete<TElement>(BatchItem<TElement> item, TValue value)
    {
        item.Flight!.Completion.TrySetResult(value);
        _inflight.TryRemove(new KeyValuePair<TKey, Flight>(item.Key, item.Flight));
    }

    /// <summary>One element of a batch call, as it goes through the levels.</summary>
    private sealed class BatchItem<TElement>(TElement element, TKey key)
    {
        public TElement Element { get; } = element;

        public TKey Key { get; } = key;

        /// <summary>The full Redis key (generations and tags included); <see langword="null"/> when Redis is left out.</summary>
        public string? RedisKey { get; set; }

        public Stamp Stamp { get; set; }

        public Fallback Fallback { get; set; }

        /// <summary>The load this caller leads for the element.</summary>
        public Flight? Flight { get; set; }

        /// <summary>Whether this caller holds the element's Redis lease.</summary>
        public bool Leased { get; set; }

        /// <summary>Whether another node held the element's lease when this call read Redis.</summary>
        public bool HeldElsewhere { get; set; }

        /// <summary>Whether the element's value was read from Redis (written there by another node).</summary>
        public bool FromRedis { get; set; }

        /// <summary>For an early refresh, the L1 entry being refreshed.</summary>
        public LocalEntry? Refreshing { get; set; }

        public TValue Value { get; set; } = default!;

        public bool Found { get; set; }
    }
}
