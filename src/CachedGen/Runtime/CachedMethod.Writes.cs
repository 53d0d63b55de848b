using System;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Step 10 of docs/runtime.md, writes: invalidate and put (write-through).
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>Removes the entry from L1 and Redis (the value and any lease on it, so a load in flight on any node
    /// cannot write what it read before the change) and tells the other nodes to drop it from their L1. Loads that
    /// were in flight here when it was called do not cache their result. Never throws: a Redis failure is logged.</summary>
    public ValueTask InvalidateAsync(TKey key) => InvalidateCoreAsync(key, retry: false);

    /// <summary><see cref="InvalidateAsync"/>, or (<paramref name="retry"/>) a retry of one Redis did not confirm
    /// (<see cref="UnconfirmedWrites"/>), which is not counted or audited again.</summary>
    private async ValueTask InvalidateCoreAsync(TKey key, bool retry)
    {
        var (baseKey, bucket) = BeginLocalChange(key, CacheMetrics.KindLocal, CacheAuditKind.Invalidation, counted: !retry);

        if (baseKey is null)
        {
            return;
        }

        var started = _metrics.StartTiming();
        // The entry lives under the current generations of everything and of this method, and, when tagged, under its
        // tags' generations as Redis has them now (not as the backplane last said). The announcement names the key
        // without them: other nodes hash it to the same L1 bucket whatever generations they know.
        await EnsureGenerationsAsync().ConfigureAwait(false);
        var generationSuffix = GenerationSuffix();
        var generationKey = baseKey + generationSuffix;
        string[]? tags = _tagged ? _renderTags!(in key, _runtime.TagRenderer) : null;
        var generations = tags is null ? null : await _runtime.Tags.ReadAsync(tags).ConfigureAwait(false);
        var suffix = generations is null ? "" : TagGenerations.Suffix(generations);
        var redisKey = generationKey + suffix;
        // Redis's generations are read in the same round trip as the delete (see DeleteUnderRedisGenerationsAsync).
        var redisScopes = _runtime.Tags.ReadScopesNowAsync(_generation);
        if ((tags is not null && generations is null)
            || !await _redis!.InvalidateAsync(redisKey, LeaseKey(redisKey), _runtime.Backplane, Descriptor.MethodId, baseKey).ConfigureAwait(false))
        {
            if (!retry)
            {
                _metrics.InvalidationFailures.Add(1, _methodTag);
            }

            Unconfirmed(key);
        }
        else
        {
            Confirmed(key);
        }

        if (tags is not null && generations is not null && await _runtime.Tags.ReadAsync(tags).ConfigureAwait(false) is { } now
            && TagGenerations.Suffix(now) is var nowSuffix && nowSuffix != suffix)
        {
            // A tag moved on between the read and the delete: a load may already fill the new key with what it read before
            // this write. Delete that one too.
            var movedKey = generationKey + nowSuffix;
            await DeleteQuietlyAsync(movedKey).ConfigureAwait(false);
        }

        // This node's generations of everything or of this method may be behind Redis's (or ahead, after a FLUSHALL): the
        // entry other nodes read and fill then lives under Redis's. Delete it too, with its lease.
        await DeleteUnderRedisGenerationsAsync(redisScopes, baseKey, generationSuffix, suffix).ConfigureAwait(false);

        if (Descriptor.HashesKey && _runtime.IsRotating)
        {
            // During a key-hashing rotation the entry may still live under the previous secret's key: delete it too.
            var previousKey = RenderKey(key, _runtime.PreviousHasher) + GenerationSuffix() + suffix;
            await DeleteQuietlyAsync(previousKey).ConfigureAwait(false);
        }

        // Again, now that Redis no longer has the entry: a read on this node that started between the first bump and the
        // delete may have read the old value from Redis under the new generation. (Other nodes bump when the backplane
        // message arrives, which the same script sends after the delete; this node ignores its own message.)
        _buckets.Bump(bucket);
        _local?.TryRemove(key);
        Family?.Invalidate(this, baseKey);

        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpInvalidate);
    }

    /// <summary>The local half of a change to the entry of <paramref name="key"/> (an invalidation or a put): its bucket's
    /// generation moves on for the key (its L1 entry is no longer served, loads in flight do not cache their result) and,
    /// for an invalidation, the entry leaves L1; counted and audited. A put leaves the entry in place for the new value
    /// to replace: removing it and adding the new one would evict another entry from a full L1.
    /// Returns the entry's key without generations or tags (<see langword="null"/> without Redis) and its slot.</summary>
    private (string? BaseKey, int Bucket) BeginLocalChange(TKey key, string kind, CacheAuditKind auditKind, bool counted = true)
    {
        var baseKey = _redis is null ? null : RenderKey(key);
        var bucket = baseKey is null ? _buckets.Of(key.GetHashCode()) : _buckets.Of(baseKey);
        _buckets.Bump(bucket);
        if (baseKey is not null)
        {
            // Another method of this process may hold the same entry (a batch method whose twin is in another interface).
            Family?.Invalidate(this, baseKey);
        }

        if (!ReferenceEquals(kind, CacheMetrics.KindPut))
        {
            _local?.TryRemove(key);
        }
        if (counted)
        {
            _metrics.AddInvalidation(kind, _methodTag);
            if (_audit is not null)
            {
                Audit(key, auditKind, CacheAudit.CurrentPrincipal);
            }
        }

        return (baseKey, bucket);
    }

    /// <summary>Synchronous form of <see cref="InvalidateAsync"/>.</summary>
    public void Invalidate(TKey key) => InvalidateAsync(key).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Write-through (<c>[CachePut]</c>): puts a write's result in the entry of <paramref name="key"/>, in Redis (over any
    /// value there, dropping the entry's lease so that a load in flight cannot overwrite it with what it read before)
    /// and in this node's L1; the other nodes drop their L1 copy and read the new value from Redis. A value that cannot
    /// be written (too large, not serializable) invalidates the entry instead. Never throws. Unlike
    /// <see cref="PutAsync(PutTicket, TValue)"/>, it cannot tell whether the entry changed while the write ran.
    /// </summary>
    public ValueTask PutAsync(TKey key, TValue value) => PutCoreAsync(key, value, token: "", started: null);

    /// <summary>
    /// The first half of a write-through, called before the write runs: leaves a mark on the entry in Redis (one round
    /// trip) that any invalidation of the entry, on any node, deletes, and notes this node's view of it. Give the ticket
    /// to <see cref="PutAsync(PutTicket, TValue)"/> with the write's result. Never throws.
    /// </summary>
    public async ValueTask<PutTicket> BeginPutAsync(TKey key)
    {
        var baseKey = _redis is null ? null : RenderKey(key);
        var bucket = baseKey is null ? _buckets.Of(key.GetHashCode()) : _buckets.Of(baseKey);
        var generation = _buckets.Read(bucket);
        if (baseKey is null || !_enabled)
        {
            return new PutTicket(key, "", bucket, generation);
        }

        var token = Guid.NewGuid().ToString("N");
        var marked = await _redis!.MarkPutAsync(RedisLevel.PutMarkKey(baseKey), token, TimeSpan.FromMilliseconds(_leaseMs), Descriptor.MethodId).ConfigureAwait(false);
        return new PutTicket(key, marked ? token : UnmarkedPut, bucket, generation);
    }

    /// <summary>Synchronous form of <see cref="BeginPutAsync"/>.</summary>
    public PutTicket BeginPut(TKey key) => BeginPutAsync(key).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Write-through of a write that ran after <see cref="BeginPutAsync"/>: as <see cref="PutAsync(TKey, TValue)"/>, but
    /// when the entry was invalidated (or put by another write) since the ticket was taken, the result may be older than
    /// that change (the other write may have reached the source after this one), so the entry is invalidated instead of
    /// written: the next read loads it from the source. Never throws.
    /// </summary>
    public ValueTask PutAsync(PutTicket ticket, TValue value) => PutCoreAsync(ticket.Key, value, ticket.Token, new Stamp(ticket.Bucket, ticket.Generation));

    /// <summary>Synchronous form of <see cref="PutAsync(PutTicket, TValue)"/>.</summary>
    public void Put(PutTicket ticket, TValue value) => PutAsync(ticket, value).AsTask().GetAwaiter().GetResult();

    /// <summary>A token no mark holds: the mark could not be left, so the put cannot know it was not overtaken.</summary>
    private const string UnmarkedPut = "!";

    /// <summary>What <see cref="BeginPutAsync"/> noted of an entry before a write-through's write ran.</summary>
    public readonly struct PutTicket
    {
        internal PutTicket(TKey key, string token, int bucket, int generation)
        {
            Key = key;
            Token = token;
            Bucket = bucket;
            Generation = generation;
        }

        /// <summary>The entry's key.</summary>
        public TKey Key { get; }

        internal string Token { get; }

        /// <summary>The entry's L1 slot and its generation when the ticket was taken.</summary>
        internal int Bucket { get; }

        internal int Generation { get; }
    }

    private async ValueTask PutCoreAsync(TKey key, TValue value, string token, Stamp? started)
    {
        if (!_enabled)
        {
            await InvalidateAsync(key).ConfigureAwait(false);
            return;
        }

        if (_redis is null && started is Stamp before && !IsCurrent(before))
        {
            // Without Redis: an invalidation (or another put) reached the entry's slot while the write ran. Its result may
            // be older than that change.
            await InvalidateAsync(key).ConfigureAwait(false);
            return;
        }

        var (baseKey, bucket) = BeginLocalChange(key, CacheMetrics.KindPut, CacheAuditKind.Put);

        string[]? tags = _tagged ? _renderTags!(in key, _runtime.TagRenderer) : null;
        if (baseKey is null)
        {
            var local = StampOf(bucket);
            if (tags is not null)
            {
                local = local with { Tags = await _runtime.Tags.SnapshotAsync(tags).ConfigureAwait(false) };
            }

            WriteL1(key, value, _policy.LocalTtlMs, local, 0);
            return;
        }

        var timing = _metrics.StartTiming();
        await EnsureGenerationsAsync().ConfigureAwait(false);
        var generationSuffix = GenerationSuffix();
        var redisKey = baseKey + generationSuffix;
        TagSnapshot? snapshot = null;
        if (tags is not null)
        {
            // Under the tags' generations as Redis has them now, as an invalidation would.
            snapshot = await _runtime.Tags.ReadSnapshotAsync(tags).ConfigureAwait(false);
            if (snapshot is null)
            {
                _metrics.InvalidationFailures.Add(1, _methodTag);
                Unconfirmed(key);
                return;
            }

            redisKey += snapshot.Suffix;
        }

        if (_codec.Encode(redisKey, value, _policy) is not { } encoded)
        {
            if (await _redis!.InvalidateAsync(redisKey, LeaseKey(redisKey), _runtime.Backplane, Descriptor.MethodId, baseKey).ConfigureAwait(false))
            {
                Confirmed(key);
            }
            else
            {
                Unconfirmed(key);
            }

            return;
        }

        var redisScopes = _runtime.Tags.ReadScopesNowAsync(_generation); // in the same round trip as the put
        var beforePut = StampOf(bucket);
        var outcome = await _redis!.PutAsync(redisKey, LeaseKey(redisKey), encoded.Memory, encoded.Physical, _runtime.Backplane, Descriptor.MethodId, baseKey, token).ConfigureAwait(false);
        encoded.Release(outcome is not null);
        _metrics.RecordDuration(timing, _methodTag, CacheMetrics.L2, CacheMetrics.OpInvalidate);
        if (outcome is not { } written)
        {
            _ = await redisScopes.ConfigureAwait(false);
            _metrics.InvalidationFailures.Add(1, _methodTag);
            Unconfirmed(key); // the retry invalidates: the next read loads the written value from the source
            return; // Redis may still hold the old value: L1 does not take the new one either (it would outlive it)
        }

        Confirmed(key);
        if (!written)
        {
            // The entry changed while the write ran (another write's invalidation or put): Redis deleted it instead, and
            // announced it. This node drops its copy too; the next read loads the source.
            _ = await redisScopes.ConfigureAwait(false);
            _buckets.Bump(bucket);
            _local?.TryRemove(key);
            Family?.Invalidate(this, baseKey);
            return;
        }

        // Put under generations Redis may no longer have (see InvalidateAsync): the entry the other nodes read then lives
        // under Redis's, and may hold what a node read before this write. Delete it; the next read there loads the new value.
        await DeleteUnderRedisGenerationsAsync(redisScopes, baseKey, generationSuffix, snapshot?.Suffix).ConfigureAwait(false);

        if (!IsCurrent(beforePut))
        {
            // Another change reached the entry's slot here while the put ran (a write of this node, or one announced by
            // another, whose invalidation may have deleted this value from Redis after the put wrote it): this value may be
            // older than that change, so L1 does not take it either.
            _buckets.Bump(bucket);
            _local?.TryRemove(key);
            return;
        }

        // Again, now that Redis has the new value: a read here that started between the first bump and the write may have
        // read the old one. Then L1 takes the new value under the newest generation.
        _buckets.Bump(bucket);
        _buckets.InRedis?.Add(bucket);
        var remainingMs = encoded.ExpiresUnixMs - _clock.UtcNowUnixMs;
        WriteL1(key, value, Math.Min(_policy.LocalTtlMs, remainingMs), StampOf(bucket) with { Tags = snapshot }, encoded.ExpiresUnixMs);
    }

    /// <summary>Synchronous form of <see cref="PutAsync(TKey, TValue)"/>.</summary>
    public void Put(TKey key, TValue value) => PutAsync(key, value).AsTask().GetAwaiter().GetResult();

    /// <summary>Removes every L1 entry of this method on every node (this one now, the others through the backplane).
    /// Redis entries stay. Never throws.</summary>
    public async ValueTask ClearLocalEverywhereAsync()
    {
        ClearLocal();
        _metrics.AddInvalidation(CacheMetrics.KindLocal, _methodTag);
        if (_runtime.Backplane is { } backplane && !await backplane.PublishMethodAsync(Descriptor.MethodId).ConfigureAwait(false))
        {
            _metrics.InvalidationFailures.Add(1, _methodTag);
        }
    }
}
