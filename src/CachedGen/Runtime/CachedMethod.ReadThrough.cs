using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace CachedGen.Runtime;

// Step 4 of docs/runtime.md, read-through: past L1, the kill switch, the start of a claimed early refresh, then
// the Redis GET and what its payload gives (a hit into L1, an expired value for the fail-safe, or a miss).
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>After an L1 miss: Redis, then the source, called once per key across nodes (others wait for it).</summary>
    private ValueTask<TValue> ReadPastL1Async<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
        => CacheTracing.Source.HasListeners() || _audit is not null
            ? ReadPastL1ObservedAsync(key, state, load, cancellationToken)
            : ReadThroughAsync(key, state, load, cancellationToken);

    /// <summary>Past L1: the kill switch, the early refresh this caller claimed on its hit (started here, answered from
    /// the entry), then Redis (<see cref="ReadRedisAsync{TState}"/>) or, without Redis, the single flight.</summary>
    private ValueTask<TValue> ReadThroughAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            CacheTracing.Mark("source", "bypass");
            return load(state, cancellationToken);
        }

        // The caller that claimed an early refresh: start it, answer from the entry.
        LocalEntry? held = null;
        if (_local is not null && _local.TryGet(key, out held) && held.TryStartRefresh()
            && _clock.IsBefore(held.ExpiresAt) && IsCurrent(held))
        {
            _ = RefreshEarlyAsync(key, state, load, held);
            CacheTracing.Mark("l1", "hit");
            return new ValueTask<TValue>(held.Value);
        }

        if (_redis is not null)
        {
            // An entry this node changed without Redis confirming it is loaded without Redis, which may still hold the
            // value from before.
            return IsUnconfirmed(key)
                ? JoinOrLeadFlightAsync(key, state, load, null, Offline(StampOf(_buckets.Of(RenderKey(key))), key), default, cancellationToken)
                : ReadRedisAsync(key, state, load, WasInvalidatedHere(held), cancellationToken);
        }

        var stamp = StampOf(_buckets.Of(key.GetHashCode()));
        if (_tagged)
        {
            // Without Redis the generations are this node's own: the snapshot completes at once.
            stamp = stamp with { Tags = TagSnapshotAsync(key).AsTask().GetAwaiter().GetResult() };
        }

        return JoinOrLeadFlightAsync(key, state, load, null, stamp, default, cancellationToken);
    }

    /// <summary>Reads Redis before joining the in-flight load: concurrent callers each read Redis (a cheap GET), and only
    /// the source call is shared. This keeps the single-flight machinery off the L2 hit path.</summary>
    // The state machine of this read is pooled: an L2 hit awaits the Redis GET here, and a fresh box per call was the
    // largest allocation of the hit (its locals carry the key, the stamp, the fallback and the source). The ValueTask
    // it returns is awaited once by the caller (or turned into a Task by AsTask), as every ValueTask must be.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TValue> ReadRedisAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, bool invalidatedHere, CancellationToken cancellationToken)
    {
        var (redisKey, stamp) = await CurrentRedisKeyAsync(key).ConfigureAwait(false);
        if (redisKey is null)
        {
            // The generations or tags cannot be read now (Redis unreachable or slow): Redis keys are unknown, so Redis is
            // left out of this call, as in an outage. The value still lives in L1, a tagged one under the tag generations
            // this node knows (see Offline), and concurrent callers share one source call.
            return await JoinOrLeadFlightAsync(key, state, load, null, stamp, default, cancellationToken).ConfigureAwait(false);
        }

        // The first read of an L1 miss: a GET, or the lease script, which reads the value and, when it is missing, takes the
        // lease in the same round trip. A GET when this node last learned the value is in Redis (read, written or announced
        // there, and not invalidated since); otherwise as the method's score says (see FirstReadSkipsGet).
        var missKind = invalidatedHere ? MissKind.InvalidatedHere : MissKind.NotHeld;
        var knownInRedis = _buckets.InRedis?.Contains(stamp.Bucket) == true;
        var scored = !knownInRedis && !(Descriptor.HashesKey && _runtime.IsRotating);
        if (scored && FirstReadSkipsGet(missKind))
        {
            return await JoinOrLeadFlightAsync(key, state, load, redisKey, stamp, default, cancellationToken, missKind).ConfigureAwait(false);
        }

        var started = _metrics.StartTiming();
        Lease<byte>? read;
        if (_redis!.TryStartGet(redisKey, out var pending, out var bounded))
        {
            try
            {
                read = await bounded.ConfigureAwait(false);
                _redis.OnGetSucceeded();
            }
            catch (Exception ex)
            {
                _redis.OnGetFailed(ex, pending, Descriptor.MethodId);
                read = null;
            }
        }
        else
        {
            read = await _redis.GetAsync(redisKey, Descriptor.MethodId).ConfigureAwait(false);
        }

        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpGet);
        if (scored)
        {
            ScoreFirstRead(missKind, read is not null);
        }
        else if (knownInRedis && read is null)
        {
            // Gone after all (evicted, expired, or deleted by a change this node has not heard of yet).
            _buckets.InRedis?.Remove(stamp.Bucket);
        }

        var fallback = default(Fallback);
        using (var lease = read)
        {
            if (lease is not null)
            {
                switch (AcceptRedisPayload(key, lease.Memory, redisKey, stamp, out var hit, out fallback))
                {
                    case Payload.Fresh:
                        CacheTracing.Mark("l2", "hit");
                        return hit;
                }
            }
        }

        if (Descriptor.HashesKey && _runtime.IsRotating && await ReadRedisPreviousKeyAsync(key, stamp, GenerationSuffix() + stamp.Tags?.Suffix).ConfigureAwait(false) is (true, var previous))
        {
            CacheTracing.Mark("l2", "hit");
            return previous;
        }

        return await JoinOrLeadFlightAsync(key, state, load, redisKey, stamp, fallback, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Why an L1 miss reads Redis, for the choice of its first read (<see cref="FirstReadSkipsGet"/>).</summary>
    private enum MissKind : byte
    {
        /// <summary>Not a first read being scored (a later attempt, an early refresh).</summary>
        None,

        /// <summary>L1 held the key, but an invalidation made the copy stale (here, or on another node).</summary>
        InvalidatedHere,

        /// <summary>L1 did not hold the key (never read here, evicted, or expired).</summary>
        NotHeld,
    }

    // Whether an L1 miss skips the GET and starts with the lease script. A GET that finds the value is the cheapest read,
    // but one that finds nothing costs a whole round trip before the lease script, which reads the value anyway; the
    // script alone costs a little more than a GET when the value is there (the single flight's bookkeeping, a copied
    // reply). Each method scores both kinds of miss apart, as the reads go: +1 when the value was there, -4 when it was
    // not, so the GET is skipped while fewer than about four in five of those reads find a value (near the break-even on
    // the load test, where the round trips, not Redis's CPU, set the pace: with half of the misses of keys not held
    // finding a value, skipping the GET raised throughput by 4 to 24 %; with every value there, it cost 4 to 20 %). An
    // invalidation that deletes makes the next read of the key miss in Redis; a [CachePut] (announced as an invalidation
    // too) leaves the new value there. A cold cache misses everywhere; a warm one finds most values. Both paths keep
    // scoring, so a method whose workload changes is followed.
    private int _scoreInvalidatedHere;
    private int _scoreNotHeld = 1;
    private const int ScoreLimit = 16;
    private const int ScoreValueMissing = 4;

    private bool FirstReadSkipsGet(MissKind kind)
        => Volatile.Read(ref kind == MissKind.InvalidatedHere ? ref _scoreInvalidatedHere : ref _scoreNotHeld) <= 0;

    private void ScoreFirstRead(MissKind kind, bool valueWasThere)
    {
        if (kind == MissKind.None)
        {
            return;
        }

        // A heuristic: a lost update between racing callers only delays the switch by one read.
        ref var score = ref kind == MissKind.InvalidatedHere ? ref _scoreInvalidatedHere : ref _scoreNotHeld;
        Volatile.Write(ref score, Math.Clamp(Volatile.Read(ref score) + (valueWasThere ? 1 : -ScoreValueMissing), -ScoreLimit, ScoreLimit));
    }

    /// <summary>Whether L1 still holds the key's entry (<paramref name="held"/>, looked up once past the hit) but an
    /// invalidation made it not current (not during a key-hashing rotation, whose GET path also reads the previous
    /// key).</summary>
    private bool WasInvalidatedHere(LocalEntry? held)
        => held is not null && !IsCurrent(held) && !(Descriptor.HashesKey && _runtime.IsRotating);

    /// <summary>During a key-hashing rotation: the entry under the previous secret's key, written before the rotation.</summary>
    private async ValueTask<(bool Found, TValue Value)> ReadRedisPreviousKeyAsync(TKey key, Stamp stamp, string tagSuffix)
    {
        var previousKey = RenderKey(key, _runtime.PreviousHasher) + tagSuffix;
        using var read = await _redis!.GetAsync(previousKey, Descriptor.MethodId).ConfigureAwait(false);
        return read is not null && AcceptRedisPayload(key, read.Memory, previousKey, stamp, out var value, out _) == Payload.Fresh
            ? (true, value)
            : (false, default!);
    }

    /// <summary>Decodes a payload read from Redis. Fresh: the value, now in L1 (unless an invalidation came in since
    /// <paramref name="stamp"/>). Expired: kept in <paramref name="fallback"/> while the fail-safe may still serve it.
    /// Unreadable: logged, and deleted in the background.</summary>
    private Payload AcceptRedisPayload(TKey key, ReadOnlyMemory<byte> payload, string redisKey, Stamp stamp, out TValue value, out Fallback fallback, bool countHit = true)
    {
        fallback = default;
        if (!_codec.TryDecode(payload, redisKey, out value, out var expiresUnixMs))
        {
            _ = _redis!.DeleteAsync(redisKey, Descriptor.MethodId).AsTask();
            return Payload.Unreadable;
        }

        var remainingMs = expiresUnixMs - _clock.UtcNowUnixMs;
        if (remainingMs <= 0)
        {
            fallback = new Fallback(true, value, _clock.NowMs + remainingMs, stamp);
            return Payload.Expired;
        }

        WriteL1(key, value, Math.Min(_policy.LocalTtlMs, remainingMs), stamp, expiresUnixMs);
        _buckets.InRedis?.Add(stamp.Bucket);
        if (countHit && _metrics.CountHits)
        {
            _l2Hits.Increment();
        }

        return Payload.Fresh;
    }

    private enum Payload
    {
        Unreadable,
        Expired,
        Fresh,
    }
}
