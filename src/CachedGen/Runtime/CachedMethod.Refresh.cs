using System;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Step 3 of docs/runtime.md, early refresh in the background.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>An early refresh: another node's newer value from Redis if there is one, else (when this node takes the
    /// lease) the source. Callers keep getting the current entry meanwhile; failures are logged, never thrown.</summary>
    private async Task RefreshEarlyAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, LocalEntry entry)
    {
        try
        {
            // The caller's inner service may belong to a DI scope that ends with the caller, or that the caller goes on using:
            // the source calls of this refresh use one of a scope of their own (DetachedScope).
            // Inside the try: a scope whose disposal throws is a failed refresh, logged as such.
            await using var detached = DetachedScope.Enter();
            await Task.Yield();
            if (_redis is null)
            {
                var localStamp = StampOf(_buckets.Of(key.GetHashCode())) with { Tags = entry.Tags };
                await RefreshFlightAsync(key, localStamp, () => LoadIntoL1Async(key, state, load, localStamp, refresh: true)).ConfigureAwait(false);
                return;
            }

            var (redisKey, stamp) = await CurrentRedisKeyAsync(key).ConfigureAwait(false);
            if (redisKey is null)
            {
                return;
            }

            if (await TookNewerFromRedisAsync(key, entry, redisKey, stamp).ConfigureAwait(false))
            {
                return;
            }

            var leaseKey = LeaseKey(redisKey);
            var token = Guid.NewGuid().ToString("N");
            if (!await _redis.TryLeaseAsync(leaseKey, token, _leaseMs, Descriptor.MethodId).ConfigureAwait(false))
            {
                return; // another node is refreshing it; this node picks its value up from Redis at expiry
            }

            // Another node may have filled its refresh (and released its lease, in one script) between the read above and
            // this lease: read once more, so the value is not refreshed twice.
            if (await TookNewerFromRedisAsync(key, entry, redisKey, stamp).ConfigureAwait(false))
            {
                await _redis.ReleaseAsync(leaseKey, token, Descriptor.MethodId).ConfigureAwait(false);
                return;
            }

            if (!await RefreshFlightAsync(key, stamp, () => LoadAndFillRedisAsync(key, state, load, redisKey, leaseKey, token, stamp, refresh: true)).ConfigureAwait(false))
            {
                await _redis.ReleaseAsync(leaseKey, token, Descriptor.MethodId).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.RefreshFailed(_runtime.Logger, Descriptor.MethodId, ex);
        }
    }

    /// <summary>Whether Redis holds a payload other than this entry's (invalidations delete, fills replace, so it is newer),
    /// now taken into L1.</summary>
    private async ValueTask<bool> TookNewerFromRedisAsync(TKey key, LocalEntry entry, string redisKey, Stamp stamp)
    {
        using var read = await _redis!.GetAsync(redisKey, Descriptor.MethodId).ConfigureAwait(false);
        return read is not null && PayloadEnvelope.TryReadExpiry(read.Memory.Span, out var expires) && expires != entry.ValueExpiresUnixMs
            && AcceptRedisPayload(key, read.Memory, redisKey, stamp, out _, out _) == Payload.Fresh;
    }
}
