using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Steps 6 to 8 of docs/runtime.md: the Redis lease (one source call per key across nodes), the source call, and
// the fill of Redis under the lease.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>
    /// A miss with Redis: one source call per key across every node. The caller takes the entry's lease in Redis (or
    /// finds that another node wrote the value meanwhile); the lease holder calls the source and writes the value only
    /// while it still holds the lease; the others poll for the value, take the lease themselves once it has expired, and
    /// stop waiting after <see cref="CachedGenOptions.LeaseWaitTimeout"/> (then they load without writing to Redis).
    /// With Redis unreachable the caller loads without a lease and writes nothing to Redis.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TValue> LeaseOrWaitRedisAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string redisKey, Stamp stamp, Fallback fallback, CancellationToken cancellationToken, MissKind firstRead = MissKind.None, Flight? flight = null)
    {
        if (TryPeekL1(key, out var fresh))
        {
            return fresh;
        }

        var leaseKey = LeaseKey(redisKey);
        var token = Guid.NewGuid().ToString("N");
        var failSafe = _policy.FailSafeMaxAgeMs > 0;
        long waitStarted = 0;
        var backplane = _runtime.Backplane;
        TaskCompletionSource<FillNotice?>? filled = null;
        var deletedUnreadable = false;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var started = _metrics.StartTiming();
                var nowUnixMs = failSafe ? _clock.UtcNowUnixMs : 0;
                filled = backplane?.ExpectFill(redisKey); // listening before the script can mark the wait
                var found = await _redis!.GetOrLeaseAsync(redisKey, leaseKey, token, _leaseMs, nowUnixMs, Descriptor.MethodId).ConfigureAwait(false);
                _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpLease);
                if (attempt == 0)
                {
                    // Whether the GET this call skipped would have found the value.
                    ScoreFirstRead(firstRead, found.Outcome == LeaseOutcome.Value);
                }

                if (found.Stale is { } stale && !fallback.Has && AcceptRedisPayload(key, stale, redisKey, stamp, out _, out var expired) == Payload.Expired)
                {
                    fallback = expired;
                }

                switch (found.Outcome)
                {
                    case LeaseOutcome.Value when found.Value is { } payload:
                        switch (AcceptRedisPayload(key, payload, redisKey, stamp, out var written, out var expiredNow))
                        {
                            case Payload.Fresh:
                                CacheTracing.Mark("l2", waitStarted == 0 ? "hit" : "lease_wait");
                                flight?.FoundInRedis = true;
                                return written;
                            case Payload.Expired:
                                fallback = fallback.Has ? fallback : expiredNow;
                                break;
                            case Payload.Unreadable when !deletedUnreadable:
                                // Deleted (sent ahead of the next script on the connection): the script again, once, finds
                                // the key gone and leases it, so the value is written back instead of read from the source
                                // by every node until someone's GET finds the key empty.
                                deletedUnreadable = true;
                                continue;
                        }

                        // Unreadable twice, or expired between the script and now: load without the lease, write nothing.
                        return await GuardFailSafeAsync(key, LoadIntoL1Async(key, state, load, stamp), fallback, cancellationToken).ConfigureAwait(false);

                    case LeaseOutcome.Acquired:
                        return await GuardFailSafeAsync(key, LoadAndFillRedisAsync(key, state, load, redisKey, leaseKey, token, stamp), fallback, cancellationToken).ConfigureAwait(false);

                    case LeaseOutcome.Held:
                        var now = _clock.NowMs;
                        if (waitStarted == 0)
                        {
                            waitStarted = now;
                            _metrics.LeaseWaits.Add(1, _methodTag);
                        }
                        else if (now - waitStarted > _leaseWaitMs)
                        {
                            // The holder is slow, crashed, or lost its lease to an outage: stop waiting, load, write nothing.
                            _metrics.LeaseTimeouts.Add(1, _methodTag);
                            return await GuardFailSafeAsync(key, LoadIntoL1Async(key, state, load, stamp), fallback, cancellationToken).ConfigureAwait(false);
                        }

                        if (fallback.Has && _policy.SoftTimeout > TimeSpan.Zero && now - waitStarted >= (long)_policy.SoftTimeout.TotalMilliseconds
                            && TryServeStale(key, fallback, "timeout", null, out var staleValue))
                        {
                            return staleValue;
                        }

                        if (filled is not null)
                        {
                            // Woken by the holder's fill when it announces itself (the lease script marked this wait).
                            var notice = await Backplane.WaitForFillAsync(filled, PollDelay(attempt), _clock.Provider, cancellationToken).ConfigureAwait(false);
                            if (notice is not null && notice.Token == found.Holder
                                && AcceptRedisPayload(key, notice.Payload, redisKey, stamp, out var announced, out _) == Payload.Fresh)
                            {
                                // Written under the very lease this caller saw held, which was taken after every write
                                // this caller could have seen (a write deletes the lease): no older than a read of Redis.
                                CacheTracing.Mark("l2", "lease_wait");
                                flight?.FoundInRedis = true;
                                return announced;
                            }
                        }
                        else
                        {
                            await Task.Delay(PollDelay(attempt), _clock.Provider, cancellationToken).ConfigureAwait(false);
                        }

                        continue;

                    default:
                        return await GuardFailSafeAsync(key, LoadIntoL1Async(key, state, load, stamp), fallback, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            if (filled is not null)
            {
                backplane!.StopExpecting(redisKey, filled);
            }
        }
    }

    /// <summary>Polling for another node's value: 2, 4, 8, 16, 32, then every 50 ms.</summary>
    private static TimeSpan PollDelay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(50, 2 << Math.Min(attempt, 5)));

    /// <summary>A miss of a method without Redis: the source, then L1.</summary>
    private async Task<TValue> LoadWithoutRedisAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, Stamp stamp, CancellationToken cancellationToken)
    {
        // Another load may have filled L1 between this caller's miss and its flight.
        if (TryPeekL1(key, out var fresh))
        {
            return fresh;
        }

        return await GuardFailSafeAsync(key, LoadIntoL1Async(key, state, load, stamp), default, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TValue> LoadIntoL1Async<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, Stamp stamp, bool refresh = false)
    {
        var context = NewContext();
        var value = await LoadFromSourceAsync(state, load, refresh, context).ConfigureAwait(false);
        if (Keeps(value, context))
        {
            WriteL1(key, value, PolicyFor(context).LocalTtlMs, stamp, 0);
        }

        return value;
    }

    private async Task<TValue> LoadAndFillRedisAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string redisKey, string leaseKey, string token, Stamp stamp, bool refresh = false)
    {
        TValue value;
        var context = NewContext();
        bool loadedAtOnce;
        try
        {
            var loading = LoadFromSourceAsync(state, load, refresh, context);
            loadedAtOnce = loading.IsCompleted;
            value = await loading.ConfigureAwait(false);
        }
        catch
        {
            // Let the next caller (here or on another node) try at once instead of waiting out the lease.
            _runtime.PendingFills.Track(_redis!.ReleaseAsync(leaseKey, token, Descriptor.MethodId));
            throw;
        }

        // Redis is guarded by the lease: an invalidation of this key deleted it, and then nothing is written. L1 is guarded
        // by the stamp: WriteL1 skips the value if the key's bucket was invalidated meanwhile (by this key, or by another
        // key sharing the bucket, which the lease rightly ignores). Either way the fill runs, and releases the lease.
        if (!Keeps(value, context))
        {
            // Null under CacheNull = false, or the source said not to cache it: served, not stored.
            _runtime.PendingFills.Track(_redis!.ReleaseAsync(leaseKey, token, Descriptor.MethodId));
            return value;
        }

        var policy = PolicyFor(context);
        if (_backgroundFill && !refresh && policy.LocalTtlMs > 0)
        {
            AnswerThenFill(key, value, redisKey, leaseKey, token, stamp, policy);
            if (!loadedAtOnce)
            {
                // This thread was handed the source's completion (a database reply, a timer): the caller's code after this
                // call would run on it at once, ahead of the work already queued, such as the Redis replies other callers
                // wait for. Queue it behind them, as an awaited fill's reply would be.
                await new ThreadPoolHop();
            }

            return value;
        }

        var (keep, expiresUnixMs) = await FillRedisAsync(redisKey, leaseKey, token, value, policy).ConfigureAwait(false);
        if (keep)
        {
            WriteL1(key, value, policy.LocalTtlMs, stamp, expiresUnixMs);
        }

        return value;
    }

    /// <summary>
    /// <see cref="CachedGenOptions.BackgroundFill"/>: the value goes to L1 now (stamped as usual: not if an invalidation
    /// reached its bucket since the load started) and the caller is answered; the fill follows under the lease, which
    /// stays held until it lands so that other nodes wait for the value. A fill that finds the lease gone means an
    /// invalidation came in while the source was read: the value may be older than that write, so the entry written
    /// here is taken back out of L1 (the backplane message, when it arrives, would make it not current anyway).
    /// </summary>
    private void AnswerThenFill(TKey key, TValue value, string redisKey, string leaseKey, string token, Stamp stamp, MethodPolicy policy)
    {
        if (_codec.Encode(redisKey, value, policy) is not { } encoded)
        {
            // Not writable to Redis (too large, not serializable): served and kept in L1, as with an awaited fill.
            _runtime.PendingFills.Track(_redis!.ReleaseAsync(leaseKey, token, Descriptor.MethodId));
            WriteL1(key, value, policy.LocalTtlMs, stamp, 0);
            return;
        }

        var entry = WriteL1(key, value, policy.LocalTtlMs, stamp, encoded.ExpiresUnixMs);
        _runtime.PendingFills.Track(FillInBackgroundAsync(key, entry, redisKey, leaseKey, token, encoded));
    }

    private async ValueTask FillInBackgroundAsync(TKey key, LocalEntry? entry, string redisKey, string leaseKey, string token, EncodedPayload encoded)
    {
        if (await WriteUnderLeaseAsync(redisKey, leaseKey, token, encoded).ConfigureAwait(false) == FillOutcome.LeaseLost && entry is not null)
        {
            _local!.TryRemove(new KeyValuePair<TKey, LocalEntry>(key, entry));
        }
    }

    /// <summary>Calls the source. It is not cancelled with the caller: the fail-safe may have answered that caller, or
    /// other callers wait for the same load, and the value is still wanted by the cache. A refresh is a source call but
    /// not a miss: no caller waits for it.</summary>
    private ValueTask<TValue> LoadFromSourceAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, bool refresh, CacheContext context)
    {
        if (!refresh)
        {
            _metrics.Misses.Add(1, _methodTag);
            CacheTracing.Mark("source", "miss");
        }

        _metrics.SourceCalls.Add(1, _methodTag);
        var started = _metrics.StartTiming();
        using (CacheContext.Enter(context))
        {
            // With a source timeout the caller may return before the source does, and the call goes on: it runs on a
            // repository of a DI scope of its own, as an early refresh does, not on the caller's (see DetachedScope).
            var loading = _policy.TimesSource
                ? LoadDetachedAsync(state, load)
                : load(state, CancellationToken.None);
            return started == 0 ? loading : TimeSourceAsync(loading, started);
        }
    }

    /// <summary>The source call in a <see cref="DetachedScope"/> frame of its own, disposed when the call ends (not when
    /// its caller returns).</summary>
    private static async ValueTask<TValue> LoadDetachedAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask<TValue>> load)
    {
        await using var detached = DetachedScope.Enter();
        return await load(state, CancellationToken.None).ConfigureAwait(false);
    }

    private async ValueTask<TValue> TimeSourceAsync(ValueTask<TValue> loading, long started)
    {
        try
        {
            return await loading.ConfigureAwait(false);
        }
        finally
        {
            _metrics.RecordDuration(started, _methodTag, CacheMetrics.Source, CacheMetrics.OpLoad);
        }
    }

    /// <summary>Writes the value under the lease; returns whether it may go to L1 (written, or not written for a reason
    /// that does not make it stale: Redis down, too large, not serializable) and the logical expiry written. A lost
    /// lease means an invalidation (or a load slower than the lease) came in between: the value is served to this
    /// caller only.</summary>
    private async ValueTask<(bool Keep, long ExpiresUnixMs)> FillRedisAsync(string redisKey, string leaseKey, string token, TValue value, MethodPolicy policy)
    {
        if (_codec.Encode(redisKey, value, policy) is not { } encoded)
        {
            _runtime.PendingFills.Track(_redis!.ReleaseAsync(leaseKey, token, Descriptor.MethodId));
            return (true, 0);
        }

        var outcome = await WriteUnderLeaseAsync(redisKey, leaseKey, token, encoded).ConfigureAwait(false);
        return (outcome != FillOutcome.LeaseLost, outcome == FillOutcome.Written ? encoded.ExpiresUnixMs : 0);
    }

    /// <summary>The fill script: <paramref name="encoded"/> written while <paramref name="token"/> holds the lease, timed,
    /// the lease given back after a failure, a lost lease counted.</summary>
    private async ValueTask<FillOutcome> WriteUnderLeaseAsync(string redisKey, string leaseKey, string token, EncodedPayload encoded)
    {
        var started = _metrics.StartTiming();
        var outcome = await _redis!.FillAsync(redisKey, leaseKey, token, encoded.Memory, encoded.Physical, Descriptor.MethodId).ConfigureAwait(false);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpFill);
        encoded.Release(outcome != FillOutcome.Failed);
        if (outcome == FillOutcome.Failed)
        {
            // The lease may still be there (a timeout, a failover): give it back, or other nodes would wait it out.
            _runtime.PendingFills.Track(_redis.ReleaseAsync(leaseKey, token, Descriptor.MethodId));
        }

        if (outcome == FillOutcome.LeaseLost)
        {
            _metrics.StaleFillsPrevented.Add(1, _methodTag);
        }
        else if (outcome == FillOutcome.Written)
        {
            _buckets.InRedis?.Add(_buckets.Of(redisKey));
        }

        return outcome;
    }
}
