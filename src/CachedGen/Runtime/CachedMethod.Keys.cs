using System;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Redis keys: the rendered key, the generations of everything and of the method, the lease key.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>The Redis key of <paramref name="key"/>: options prefix, assembly prefix, then the rendered template in
    /// braces (a Redis Cluster hash tag, so the entry and its lease share a slot), then the version.</summary>
    internal string RenderKey(in TKey key) => RenderKey(key, _runtime.Hasher);

    private string RenderKey(in TKey key, KeyHasher? hasher)
    {
        var builder = new CacheKeyBuilder(stackalloc char[256], hasher);
        builder.AppendLiteral(_keyPrefix);
        builder.AppendLiteral("{");
        _renderKey(in key, ref builder);
        builder.AppendLiteral("}");
        builder.AppendLiteral(Descriptor.KeySuffix);
        builder.AppendLiteral(_policy.KeyGeneration);
        return builder.ToStringAndClear();
    }

    /// <summary>The tags of <paramref name="key"/> under the generations this node knows (read from Redis where it knows
    /// none, or an old one); <see langword="null"/> when one cannot be known.</summary>
    private ValueTask<TagSnapshot?> TagSnapshotAsync(in TKey key) => _runtime.Tags.SnapshotAsync(_renderTags!(in key, _runtime.TagRenderer));

    /// <summary>Makes sure the generations of everything and of this method are known and recent (at once in the common
    /// case); <see langword="false"/> when one was never known and Redis cannot be asked.</summary>
    private ValueTask<bool> EnsureGenerationsAsync() => _runtime.Tags.EnsureAsync(_generation);

    /// <summary>What the generations of everything and of this method add to a Redis key: nothing while both are 0
    /// (never invalidated), else <c>.r{all}.{method}</c> in hexadecimal.</summary>
    private string GenerationSuffix()
    {
        var all = _runtime.Tags.All.Value;
        var method = _generation.Value;
        var cached = _generationSuffix;
        if (cached.All == all && cached.Method == method)
        {
            return cached.Text;
        }

        var text = GenerationSuffix(all, method);
        _generationSuffix = new GenerationSuffixText(all, method, text);
        return text;
    }

    private static string GenerationSuffix(long all, long method)
        => all == 0 && method == 0
            ? ""
            : ".r" + all.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "." + method.ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>After a write changed the entry of <paramref name="baseKey"/> under <paramref name="usedSuffix"/> (this
    /// node's generations of everything and of the method): deletes the entry (and its lease) under the generations Redis
    /// has now (<paramref name="redisScopes"/>), when they differ (another node's <c>InvalidateAllAsync</c> or
    /// <c>InvalidateMethodAsync</c> this node has not heard of yet, whose nodes may fill the entry under the new
    /// generation with what they read before this write; or a <c>FLUSHALL</c> after which new nodes use generation 0).
    /// Nothing when they do not, or Redis cannot be asked. <paramref name="tagSuffix"/> ends a tagged entry's key.</summary>
    /// <remarks>The caller starts the read beside its delete or put, once the source has the write: a generation that
    /// moves after the read is taken by loads that start after it, so they read the source after the write.</remarks>
    private async ValueTask DeleteUnderRedisGenerationsAsync(ValueTask<(long All, long Method)?> redisScopes, string baseKey, string usedSuffix, string? tagSuffix)
    {
        if (await redisScopes.ConfigureAwait(false) is var (all, method)
            && GenerationSuffix(all, method) is var now && now != usedSuffix)
        {
            await DeleteQuietlyAsync(baseKey + now + tagSuffix).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes the entry of <paramref name="redisKey"/> and its lease without telling other nodes (they heard of
    /// the change already, or never held this key); whether Redis confirmed it.</summary>
    private ValueTask<bool> DeleteQuietlyAsync(string redisKey)
        => _redis!.InvalidateAsync(redisKey, LeaseKey(redisKey), null, Descriptor.MethodId);

    private sealed record GenerationSuffixText(long All, long Method, string Text);

    /// <summary>The Redis key of <paramref name="key"/> with the generations and tags this node knows now, and the stamp a
    /// read of it starts under (taken first, so an invalidation that comes in meanwhile keeps what it reads out of L1).
    /// The key is <see langword="null"/> when a generation or a tag cannot be known now (Redis unreachable or slow since
    /// start); the stamp, without tags, still guards a load that leaves Redis out.</summary>
    /// <remarks>Completes at once, without an async state machine, when the generations are known and recent and the
    /// method has no tags (the common case on the L2 hit path).</remarks>
    private ValueTask<(string? RedisKey, Stamp Stamp)> CurrentRedisKeyAsync(TKey key)
    {
        var redisKey = RenderKey(key);
        var stamp = StampOf(_buckets.Of(redisKey));
        var known = EnsureGenerationsAsync();
        if (!known.IsCompletedSuccessfully || _tagged)
        {
            return CurrentRedisKeyAsync(key, redisKey, stamp, known);
        }

        return new(known.Result ? (redisKey + GenerationSuffix(), stamp) : (null, Offline(stamp, key)));
    }

    /// <summary>The rest of <see cref="CurrentRedisKeyAsync(TKey)"/> once <paramref name="redisKey"/> and
    /// <paramref name="stamp"/> are taken: waits for the generations (<paramref name="known"/>) and the tags.</summary>
    private async ValueTask<(string? RedisKey, Stamp Stamp)> CurrentRedisKeyAsync(TKey key, string redisKey, Stamp stamp, ValueTask<bool> known)
    {
        if (!await known.ConfigureAwait(false))
        {
            return (null, Offline(stamp, key));
        }

        redisKey += GenerationSuffix();
        if (_tagged)
        {
            if (await TagSnapshotAsync(key).ConfigureAwait(false) is not { } tags)
            {
                return (null, Offline(stamp, key));
            }

            stamp = stamp with { Tags = tags };
            redisKey += tags.Suffix;
        }

        return (redisKey, stamp);
    }

    /// <summary>The stamp of a load that leaves Redis out because a generation cannot be read now: for a tagged method,
    /// with its tags under what this node knows (<see cref="TagGenerations.OfflineSnapshot"/>), so that the value still
    /// lives in L1 and concurrent callers share one source call, as for an untagged method in an outage.</summary>
    private Stamp Offline(Stamp stamp, in TKey key)
        => _tagged ? stamp with { Tags = _runtime.Tags.OfflineSnapshot(_renderTags!(in key, _runtime.TagRenderer)) } : stamp;

    /// <summary>Whether <paramref name="redisKey"/> has this method's prefix and a hash tag, with the length of its
    /// logical part (up to the tag's closing brace, <see cref="BucketGenerations.LogicalKey"/>) and, when the tail after it
    /// starts with this version's (key suffix, then key generation), the length up to its end, else -1 (another version
    /// of the code, or another <c>Version</c>). Generations and tags follow, and never contain a brace.</summary>
    private bool SplitKey(string redisKey, out int logical, out int own)
    {
        logical = redisKey.LastIndexOf('}') + 1;
        own = -1;
        if (logical == 0 || !redisKey.StartsWith(_keyPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var tail = redisKey.AsSpan(logical);
        var suffix = Descriptor.KeySuffix;
        var generation = _policy.KeyGeneration;
        if (tail.StartsWith(suffix, StringComparison.Ordinal) && tail[suffix.Length..].StartsWith(generation, StringComparison.Ordinal))
        {
            own = logical + suffix.Length + generation.Length;
        }

        return true;
    }

    /// <summary>The key of the lease on <paramref name="redisKey"/>: same hash tag, so same cluster slot.</summary>
    internal static string LeaseKey(string redisKey) => redisKey + ":lease";
}
