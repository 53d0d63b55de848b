using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace CachedGen.Runtime;

// Batch reads, early refresh: the L1 entries a batch call found past their refresh moment (and served) are refreshed
// together in the background, as a single read refreshes its one entry: another node's newer value from Redis if there is
// one, else, for the elements whose leases this node takes, one source call and one fill.
public sealed partial class CachedMethod<TKey, TValue>
{
    private async Task RefreshManyEarlyAsync<TElement, TState>(List<(BatchItem<TElement> Item, LocalEntry Entry)> due, TState state, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load)
        where TElement : notnull
    {
        try
        {
            // As a single refresh: the source call uses an inner service of a DI scope of its own (DetachedScope).
            // Inside the try: a scope whose disposal throws is a failed refresh, logged as such.
            await using var detached = DetachedScope.Enter();
            await Task.Yield();
            var items = new List<BatchItem<TElement>>(due.Count);
            foreach (var (item, entry) in due)
            {
                item.Refreshing = entry;
                items.Add(item);
            }

            if (_redis is not null)
            {
                if (!await EnsureGenerationsAsync().ConfigureAwait(false) || !await RenderRedisKeysAsync(items).ConfigureAwait(false))
                {
                    return;
                }
            }
            else
            {
                foreach (var item in items)
                {
                    item.Stamp = StampOf(_buckets.Of(item.Key.GetHashCode())) with { Tags = item.Refreshing!.Tags };
                }
            }

            // An element already loading (a miss, or another refresh) is left to that load.
            var refreshing = new List<BatchItem<TElement>>(items.Count);
            foreach (var item in items)
            {
                var flight = new Flight(new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously), item.Stamp);
                if (_inflight.TryAdd(item.Key, flight))
                {
                    item.Flight = flight;
                    refreshing.Add(item);
                }
            }

            if (refreshing.Count == 0)
            {
                return;
            }

            _metrics.EarlyRefreshes.Add(refreshing.Count, _methodTag);
            try
            {
                if (_redis is null)
                {
                    await LoadBatchAsync(refreshing, state, load, null, refresh: true).ConfigureAwait(false);
                    return;
                }

                var token = Guid.NewGuid().ToString("N");
                var toLoad = await LeaseForRefreshAsync(refreshing, token).ConfigureAwait(false);
                if (toLoad.Count > 0)
                {
                    await LoadBatchAsync(toLoad, state, load, token, refresh: true).ConfigureAwait(false);
                }
            }
            finally
            {
                // Elements not refreshed here (another node refreshes them, Redis was out, or the source failed): callers
                // that joined them get the entry they would have been served.
                foreach (var item in refreshing)
                {
                    if (!item.Flight!.Task.IsCompleted)
                    {
                        Complete(item, item.Refreshing!.Value);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            Log.RefreshFailed(_runtime.Logger, Descriptor.MethodId, ex);
        }
    }

    /// <summary>Takes the leases of <paramref name="items"/> whatever Redis holds, reading what it holds in the same
    /// script (so no other node's refresh can land between the read and the lease). Returns the elements this node
    /// leased and must load. An element Redis holds a newer value of (another node refreshed or filled it) takes that
    /// value and gives its lease back; one whose lease another node holds is left to that node.</summary>
    private async ValueTask<List<BatchItem<TElement>>> LeaseForRefreshAsync<TElement>(List<BatchItem<TElement>> items, string token)
    {
        var valueKeys = new RedisKey[items.Count];
        var leaseKeys = new RedisKey[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            valueKeys[i] = items[i].RedisKey;
            leaseKeys[i] = LeaseKey(items[i].RedisKey!);
        }

        var started = _metrics.StartTiming();
        var found = await _redis!.GetOrLeaseManyAsync(valueKeys, leaseKeys, token, _leaseMs, long.MaxValue, Descriptor.MethodId).ConfigureAwait(false);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpLease);
        var toLoad = new List<BatchItem<TElement>>(items.Count);
        var newer = new List<BatchItem<TElement>>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (found[i].Outcome != LeaseOutcome.Acquired)
            {
                continue;
            }

            item.Leased = true;

            // Invalidations delete and fills replace, so a payload with another expiry than the entry's is newer.
            if (found[i].Stale is { } payload && PayloadEnvelope.TryReadExpiry(payload, out var expires)
                && expires != item.Refreshing!.ValueExpiresUnixMs
                && AcceptRedisPayload(item.Key, payload, item.RedisKey!, item.Stamp, out var value, out _) == Payload.Fresh)
            {
                newer.Add(item);
                Complete(item, value);
            }
            else
            {
                toLoad.Add(item);
            }
        }

        ReleaseLeases(newer, token);
        return toLoad;
    }
}
