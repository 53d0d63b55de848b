using System;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Following remote changes (CachedGenOptions.FollowRemoteChanges): when another node's write made this node's L1 copy
// of an entry stale, and the new value is in Redis (a put wrote it, or the next fill after an invalidation did; both
// announce it on the backplane), read it from Redis in the background, so the next call here is an L1 hit.
public sealed partial class CachedMethod<TKey, TValue>
{
    // One L1 entry per invalidation bucket (same index as BucketGenerations), so that an announcement, which names a
    // rendered Redis key, can find the entry it concerns (the entry carries its key and its slot). A new entry of
    // another key takes the place unless the one there was served from since the last time one tried (a second chance,
    // as in the CLOCK policy): the entries worth following are the ones read again, and a stream of entries loaded once
    // must not push them out; one no longer read, or evicted, gives way at the next try. The check reads no L1 entry,
    // so it moves none in the LRU. Null when nothing is followed (no L1, no Redis, no backplane, or the option is off).
    private readonly LocalEntry?[]? _remembered;

    /// <summary>The remembered entries when this method follows changes: L1, Redis and a backplane that follows.</summary>
    private static LocalEntry?[]? RememberedEntriesFor(CacheRuntime runtime, bool hasLocal, int buckets)
        => hasLocal && runtime.Entries is not null && runtime.Backplane is { FollowWindowMs: > 0 } ? new LocalEntry?[buckets] : null;

    /// <summary>Remembers <paramref name="entry"/>, just written to L1, in its bucket's place (see
    /// <see cref="_remembered"/>).</summary>
    private void Remember(LocalEntry entry)
    {
        if (_remembered is not { } remembered)
        {
            return;
        }

        ref var place = ref remembered[entry.Bucket & (remembered.Length - 1)];
        var there = place;
        if (there is null || there.Bucket == entry.Bucket || !there.TakeHit())
        {
            place = entry;
        }
    }

    /// <inheritdoc/>
    void ICachedMethodStatistics.FollowRemoteFill(string redisKey, bool isBaseKey)
    {
        if ((isBaseKey ? redisKey : BaseKeyOf(redisKey)) is not { } baseKey)
        {
            return;
        }

        // Another node wrote the value: whether or not this node follows it, its next read of the key starts with a GET.
        var slot = _buckets.Of(baseKey);
        _buckets.InRedis?.Add(slot);
        if (_remembered is not { } remembered || !_enabled
            || remembered[slot & (remembered.Length - 1)] is not { } there || there.Bucket != slot
            || !_local!.TryGet(there.Key, out var held) || held.Bucket != slot
            || IsCurrent(held) || !_clock.IsBefore(held.ExpiresAt))
        {
            // Not remembered, no longer held, already read again, or expired: nothing to follow.
            return;
        }

        _runtime.PendingFills.Track(FollowAsync(held.Key));
    }

    /// <summary>The rendered key without the generations and tags <paramref name="redisKey"/> carries; <see langword="null"/>
    /// when it is not one of this method's keys in this version (<see cref="SplitKey"/>).</summary>
    private string? BaseKeyOf(string redisKey)
        => SplitKey(redisKey, out _, out var own) && own > 0 ? redisKey[..own] : null;

    /// <summary>Reads the key's value from Redis into L1 as a read would (under a stamp taken first, so a change that
    /// comes in meanwhile keeps it out), without counting a hit. Never throws.</summary>
    private async ValueTask FollowAsync(TKey key)
    {
        try
        {
            var (redisKey, stamp) = await CurrentRedisKeyAsync(key).ConfigureAwait(false);
            if (redisKey is null)
            {
                return;
            }

            using var read = await _redis!.GetAsync(redisKey, Descriptor.MethodId).ConfigureAwait(false);
            if (read is not null && AcceptRedisPayload(key, read.Memory, redisKey, stamp, out _, out _, countHit: false) == Payload.Fresh)
            {
                _metrics.Follows.Add(1, _methodTag);
            }
        }
        catch (Exception ex)
        {
            Log.FollowFailed(_runtime.Logger, Descriptor.MethodId, ex);
        }
    }
}
