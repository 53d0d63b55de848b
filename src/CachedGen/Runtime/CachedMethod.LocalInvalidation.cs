using System;

namespace CachedGen.Runtime;

// Local invalidation: the generation buckets of L1 (BucketGenerations), the stamp a load starts under, and the
// invalidations that reach only this node's L1 (ClearLocal, the backplane's).
public sealed partial class CachedMethod<TKey, TValue>
{
    // See BucketGenerations.
    private readonly BucketGenerations _buckets;

    private Stamp StampOf(int bucket) => new(bucket, _buckets.Read(bucket));

    private bool IsCurrent(Stamp stamp)
        => _buckets.IsAt(stamp.Bucket, stamp.Generation) && (stamp.Tags is null || _runtime.Tags.IsCurrent(stamp.Tags));

    /// <summary>What a load started under: its key's slot (bucket and fingerprint) and the bucket's generation and, for a tagged method, its tags' generations.</summary>
    private readonly record struct Stamp(int Bucket, int Generation, TagSnapshot? Tags = null);

    /// <summary>Removes every L1 entry of this method on this node; loads in flight do not cache their result.</summary>
    public void ClearLocal()
    {
        _buckets.BumpAll();
        _local?.Clear();
    }

    /// <summary>An invalidation that came over the backplane: <paramref name="redisKey"/> is the entry's rendered key,
    /// or <see langword="null"/> for every entry of the method.</summary>
    void ICachedMethodStatistics.InvalidateLocal(string? redisKey)
    {
        _metrics.AddInvalidation(CacheMetrics.KindRemote, _methodTag);
        if (redisKey is null)
        {
            ClearLocal();
        }
        else
        {
            // The entry cannot be found from its rendered key, so its bucket's generation moves on for its fingerprint:
            // the entry is no longer served, and a load in flight under it is not cached (see BucketGenerations).
            _buckets.Bump(_buckets.Of(redisKey));
        }
    }

    /// <summary>The methods of this process that may render the same keys; set by the runtime when it registers this one.</summary>
    internal KeyFamily? Family { get; set; }

    KeyFamily? ICachedMethodStatistics.Family => Family;

    /// <inheritdoc/>
    void ICachedMethodStatistics.InvalidateLocalCopy(string redisKey)
    {
        // Its keys are rendered as the other member's are (prefix, braces, version, generation): the same key is the same
        // bucket and fingerprint here.
        if (_local is not null && _redis is not null && redisKey.StartsWith(_keyPrefix, StringComparison.Ordinal))
        {
            _buckets.Bump(_buckets.Of(redisKey));
        }
    }
}
