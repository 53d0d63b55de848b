using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace CachedGen.Runtime;

// Batch reads past L1: one script reads the elements from Redis and leases those it does not find; then, for the
// elements this caller leads, one source call and one fill, and the wait for elements another node is loading. Every
// led flight is completed here, whether the caller waits or not.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>Loads the led elements and completes each one's flight: those this call leased (or could not lease,
    /// Redis being out) in one source call, those another node was loading once it has finished or given up.
    /// <paramref name="token"/> is this call's lease token, <see langword="null"/> without Redis.</summary>
    private async Task LoadLedAsync<TElement, TState>(List<BatchItem<TElement>> led, TState state, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, string? token)
        where TElement : notnull
    {
        try
        {
            if (token is null)
            {
                await LoadBatchAsync(led, state, load, null).ConfigureAwait(false);
                return;
            }

            var toLoad = new List<BatchItem<TElement>>(led.Count);
            var held = new List<BatchItem<TElement>>();
            foreach (var item in led)
            {
                (item.HeldElsewhere ? held : toLoad).Add(item);
            }

            // Elements another node is loading are waited for beside this caller's own source call, so two batches that
            // lease each other's elements never wait on each other.
            var own = toLoad.Count > 0 ? LoadBatchAsync(toLoad, state, load, token) : Task.CompletedTask;
            var others = held.Count > 0 ? WaitHeldThenLoadAsync(held, state, load, token) : Task.CompletedTask;
            await Task.WhenAll(own, others).ConfigureAwait(false);
        }
        finally
        {
            foreach (var item in led)
            {
                if (!item.Flight!.Task.IsCompleted)
                {
                    item.Flight.Completion.TrySetException(new InvalidOperationException($"{Descriptor.MethodId}: the batch load ended without a value."));
                    _ = item.Flight.Task.Exception;
                }

                _inflight.TryRemove(new KeyValuePair<TKey, Flight>(item.Key, item.Flight));
            }
        }
    }

    /// <summary>The batch's Redis read: one script (per hash slot) reads <paramref name="items"/> and leases those it
    /// does not find. Fresh values go to <paramref name="result"/> (and L1); returns the others, each leased by this call,
    /// held by another node (<see cref="BatchItem{TElement}.HeldElsewhere"/>), or neither when Redis is out. A value
    /// found but not accepted (a failed checksum) costs one more round trip, which leases it so the fill replaces it.</summary>
    private async ValueTask<List<BatchItem<TElement>>> ReadAndLeaseManyAsync<TElement>(List<BatchItem<TElement>> items, string token, Dictionary<TElement, TValue> result)
        where TElement : notnull
    {
        var missing = new List<BatchItem<TElement>>(items.Count);
        var held = new List<BatchItem<TElement>>();
        var unreadable = new List<BatchItem<TElement>>();
        await LeaseManyAsync(items, token, missing, held, unreadable, LeasePass.Read).ConfigureAwait(false);
        if (unreadable.Count > 0)
        {
            await LeaseManyAsync(unreadable, token, missing, held, missing, LeasePass.Replace).ConfigureAwait(false);
        }

        foreach (var item in held)
        {
            item.HeldElsewhere = true;
            missing.Add(item);
        }

        foreach (var item in items)
        {
            if (item.FromRedis)
            {
                Add(result, item.Element, item.Value);
            }
        }

        return missing;
    }

    /// <summary>Reads <paramref name="items"/> from Redis and takes the leases of those it does not find: found values
    /// complete their flights; those to load go to <paramref name="toLoad"/> (with <see cref="BatchItem{TElement}.Leased"/>
    /// when the lease is this caller's), those another node holds to <paramref name="held"/>, and those whose value was
    /// there but not accepted (unreadable, or expired meanwhile) to <paramref name="unreadable"/>, unleased. With
    /// <see cref="LeasePass.Replace"/>, the values there are not read again: each lease is taken whatever the value, so
    /// the fill replaces it.</summary>
    private async ValueTask LeaseManyAsync<TElement>(List<BatchItem<TElement>> items, string token, List<BatchItem<TElement>> toLoad, List<BatchItem<TElement>> held, List<BatchItem<TElement>> unreadable, LeasePass pass)
    {
        var valueKeys = new RedisKey[items.Count];
        var leaseKeys = new RedisKey[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            valueKeys[i] = items[i].RedisKey;
            leaseKeys[i] = LeaseKey(items[i].RedisKey!);
        }

        var started = _metrics.StartTiming();

        // The script hands back a value still within its logical expiry at this time, and leases the others: the end of
        // time leases whatever is there.
        var nowUnixMs = pass == LeasePass.Replace ? long.MaxValue : _policy.FailSafeMaxAgeMs > 0 ? _clock.UtcNowUnixMs : 0;
        var found = await _redis!.GetOrLeaseManyAsync(valueKeys, leaseKeys, token, _leaseMs, nowUnixMs, Descriptor.MethodId).ConfigureAwait(false);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, pass == LeasePass.Read ? CacheMetrics.OpGet : CacheMetrics.OpLease);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (pass != LeasePass.Replace && found[i].Stale is { } stale && !item.Fallback.Has
                && AcceptRedisPayload(item.Key, stale, item.RedisKey!, item.Stamp, out _, out var expired) == Payload.Expired)
            {
                item.Fallback = expired;
            }

            switch (found[i].Outcome)
            {
                case LeaseOutcome.Value when pass != LeasePass.Replace && found[i].Value is { } payload:
                    switch (AcceptRedisPayload(item.Key, payload, item.RedisKey!, item.Stamp, out var written, out var fallback))
                    {
                        case Payload.Fresh:
                            // Found by the batch's read (no flight yet), or by a poll of an element another node loaded.
                            item.FromRedis = true;
                            item.Value = written;
                            if (item.Flight is not null)
                            {
                                Complete(item, written);
                            }

                            break;
                        case Payload.Expired:
                            item.Fallback = item.Fallback.Has ? item.Fallback : fallback;
                            unreadable.Add(item);
                            break;
                        default:
                            unreadable.Add(item);
                            break;
                    }

                    break;
                case LeaseOutcome.Acquired:
                    item.Leased = true;
                    toLoad.Add(item);
                    break;
                case LeaseOutcome.Held:
                    held.Add(item);
                    break;
                default:
                    toLoad.Add(item);
                    break;
            }
        }
    }

    /// <summary>What a pass of <see cref="LeaseManyAsync{TElement}"/> is for.</summary>
    private enum LeasePass
    {
        /// <summary>The batch's read: values found are served, the missing ones leased.</summary>
        Read,

        /// <summary>Values found but not accepted: leased whatever Redis holds, to be replaced by the fill.</summary>
        Replace,

        /// <summary>Elements another node was loading, polled: their values if written meanwhile, else their leases.</summary>
        Poll,
    }

    /// <summary>Polls elements whose lease another node holds until their values appear; those whose lease frees up are
    /// leased and loaded, those still held after <see cref="CachedGenOptions.LeaseWaitTimeout"/> are loaded without
    /// writing Redis. One more source call, made only when some are left. A poll comes at once when the fill of any of
    /// them is announced (the script marked each wait), else after the poll delay.</summary>
    private async Task WaitHeldThenLoadAsync<TElement, TState>(List<BatchItem<TElement>> held, TState state, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, string token)
        where TElement : notnull
    {
        // Listening before the wait is counted. The read that found these elements held ran before: an announcement that
        // came in between is missed, and the poll delay covers it. Each poll listens before its script marks the waits.
        var backplane = _runtime.Backplane;
        var listening = backplane?.Listen(held.ConvertAll(static item => item.RedisKey!));
        _metrics.LeaseWaits.Add(held.Count, _methodTag);
        var waitStarted = _clock.NowMs;
        var toLoad = new List<BatchItem<TElement>>();
        try
        {
            for (var attempt = 0; held.Count > 0; attempt++)
            {
                if (_clock.NowMs - waitStarted > _leaseWaitMs)
                {
                    _metrics.LeaseTimeouts.Add(held.Count, _methodTag);
                    toLoad.AddRange(held);
                    break;
                }

                if (listening is not null)
                {
                    await listening.WaitAnyAsync(PollDelay(attempt), _clock.Provider).ConfigureAwait(false);
                    listening.Stop();
                    listening = backplane!.Listen(held.ConvertAll(static item => item.RedisKey!));
                }
                else
                {
                    await Task.Delay(PollDelay(attempt), _clock.Provider).ConfigureAwait(false);
                }

                var still = new List<BatchItem<TElement>>();
                await LeaseManyAsync(held, token, toLoad, still, toLoad, LeasePass.Poll).ConfigureAwait(false);
                held = still;
            }
        }
        finally
        {
            listening?.Stop();
        }

        if (toLoad.Count > 0)
        {
            await LoadBatchAsync(toLoad, state, load, token).ConfigureAwait(false);
        }
    }

    /// <summary>One source call for <paramref name="items"/>, then each element's value into Redis (those this caller
    /// leased, in one fill) and L1, and its flight completed. If the source fails, each element is served stale where the
    /// fail-safe allows; if any cannot be, the source's exception reaches the caller. A <paramref name="refresh"/> is not
    /// counted as misses, and when it fails it only gives its leases back and throws.</summary>
    private async Task LoadBatchAsync<TElement, TState>(List<BatchItem<TElement>> items, TState state, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, string? token, bool refresh = false)
        where TElement : notnull
    {
        var context = NewContext();
        if (!refresh)
        {
            // A refresh is a source call but not a miss: no caller waits for it.
            _metrics.Misses.Add(items.Count, _methodTag);
            CacheTracing.Mark("source", "miss");
        }

        _metrics.SourceCalls.Add(1, _methodTag);
        var started = _metrics.StartTiming();
        var byElement = new Dictionary<TElement, BatchItem<TElement>>(items.Count);
        foreach (var item in items)
        {
            byElement[item.Element] = item;
        }

        try
        {
            // With a source timeout the callers may return before the source does: the call then runs on a repository of
            // a DI scope of its own, not on the caller's (see LoadFromSourceAsync).
            await using var detached = _policy.TimesSource ? DetachedScope.Enter() : null;
            ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?> pending;
            using (CacheContext.Enter(context))
            {
                pending = load(state, ElementsOf(items), CancellationToken.None);
            }

            // The answer is read inside the source call: a dictionary of the application's own whose enumeration throws
            // fails the call like an exception of the source (leases given back, the fail-safe applied).
            if (await pending.ConfigureAwait(false) is { } answer)
            {
                foreach (var (element, value) in answer)
                {
                    if (element is not null && byElement.TryGetValue(element, out var item))
                    {
                        item.Value = value;
                        item.Found = true;
                    }
                }
            }
        }
        catch (Exception ex) when (!refresh)
        {
            ReleaseLeases(items, token);
            ServeStaleOrThrow(items, ex);
            return;
        }
        catch
        {
            // A failed refresh leaves the entries as they are; its caller logs it.
            ReleaseLeases(items, token);
            throw;
        }
        finally
        {
            _metrics.RecordDuration(started, _methodTag, CacheMetrics.Source, CacheMetrics.OpLoad);
        }

        // An element the source did not return is absent: cached as null (what the single-item method returns for it),
        // unless nulls are kept out, or the value type has no null.
        var absentCached = default(TValue) is null && Descriptor.CacheNull;
        var policy = PolicyFor(context);
        var fills = new List<(BatchItem<TElement> Item, EncodedPayload Payload)>();
        var releases = new List<BatchItem<TElement>>();
        var toL1 = new List<(BatchItem<TElement> Item, long ExpiresUnixMs)>(items.Count);
        foreach (var item in items)
        {
            var keep = context.WillCache && (item.Found && item.Value is not null ? true : item.Found ? Descriptor.CacheNull : absentCached);
            if (!keep)
            {
                if (item.Leased)
                {
                    releases.Add(item);
                }
            }
            else if (!item.Leased)
            {
                toL1.Add((item, 0));
            }
            else if (_codec.Encode(item.RedisKey!, item.Value, policy) is { } encoded)
            {
                fills.Add((item, encoded));
            }
            else
            {
                releases.Add(item);
                toL1.Add((item, 0));
            }
        }

        if (fills.Count > 0)
        {
            await FillManyAsync(fills, token!, releases, toL1).ConfigureAwait(false);
        }

        ReleaseLeases(releases, token);
        foreach (var (item, expiresUnixMs) in toL1)
        {
            WriteL1(item.Key, item.Value, policy.LocalTtlMs, item.Stamp, expiresUnixMs);
        }

        foreach (var item in items)
        {
            Complete(item, item.Value);
        }
    }

    private async ValueTask FillManyAsync<TElement>(List<(BatchItem<TElement> Item, EncodedPayload Payload)> fills, string token, List<BatchItem<TElement>> releases, List<(BatchItem<TElement> Item, long ExpiresUnixMs)> toL1)
    {
        var valueKeys = new RedisKey[fills.Count];
        var leaseKeys = new RedisKey[fills.Count];
        var values = new ReadOnlyMemory<byte>[fills.Count];
        var expiries = new TimeSpan[fills.Count];
        for (var i = 0; i < fills.Count; i++)
        {
            var (item, payload) = fills[i];
            valueKeys[i] = item.RedisKey;
            leaseKeys[i] = LeaseKey(item.RedisKey!);
            values[i] = payload.Memory;
            expiries[i] = payload.Physical;
        }

        var started = _metrics.StartTiming();
        var outcomes = await _redis!.FillManyAsync(valueKeys, leaseKeys, token, values, expiries, Descriptor.MethodId).ConfigureAwait(false);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpFill);
        for (var i = 0; i < fills.Count; i++)
        {
            var (item, payload) = fills[i];
            payload.Release(outcomes[i] != FillOutcome.Failed);
            switch (outcomes[i])
            {
                case FillOutcome.Written:
                    toL1.Add((item, payload.ExpiresUnixMs));
                    break;
                case FillOutcome.Failed:
                    // Redis down or slow: the value still serves this node; the lease may be there, give it back.
                    releases.Add(item);
                    toL1.Add((item, 0));
                    break;
                default:
                    // The lease was lost to an invalidation (or the load outlived it): served, not stored.
                    _metrics.StaleFillsPrevented.Add(1, _methodTag);
                    break;
            }
        }
    }

    private void ReleaseLeases<TElement>(List<BatchItem<TElement>> items, string? token)
    {
        if (token is null)
        {
            return;
        }

        var leaseKeys = new List<RedisKey>(items.Count);
        foreach (var item in items)
        {
            if (item.Leased)
            {
                leaseKeys.Add(LeaseKey(item.RedisKey!));
            }
        }

        if (leaseKeys.Count > 0)
        {
            _ = _redis!.ReleaseManyAsync(leaseKeys.ToArray(), token, Descriptor.MethodId).AsTask();
        }
    }

    /// <summary>After a failed source call: each element's expired value where the fail-safe may serve it; the others'
    /// flights fail with <paramref name="exception"/>, which is rethrown when there is any.</summary>
    private void ServeStaleOrThrow<TElement>(List<BatchItem<TElement>> items, Exception exception)
    {
        var unserved = false;
        foreach (var item in items)
        {
            var fallback = item.Fallback.Has ? item.Fallback : ReadL1Fallback(item.Key);
            if (exception is not OperationCanceledException && TryServeStale(item.Key, fallback, "error", exception, out var stale))
            {
                Complete(item, stale);
            }
            else
            {
                item.Flight!.Completion.TrySetException(exception);
                _ = item.Flight.Task.Exception;
                unserved = true;
            }
        }

        if (unserved)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        }
    }
}
