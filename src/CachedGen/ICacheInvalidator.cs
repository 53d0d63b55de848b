using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace CachedGen;

/// <summary>
/// Invalidation from outside the decorated repositories (event handlers, migrations, admin endpoints), resolved from
/// dependency injection. Each generated decorator has a typed helper per cached method that takes this interface, so
/// callers pass placeholder values, not keys:
/// <code>
/// await CachedFormRepository.InvalidateGetSchemaAsync(invalidator, formId);
/// </code>
/// Every invalidation reaches Redis and every node's L1 (through the backplane). None throws: a Redis failure is
/// logged and counted (<c>cachedgen.invalidation.failures</c>).
/// </summary>
public interface ICacheInvalidator
{
    /// <summary>Removes the entry of the method described by <paramref name="descriptor"/> for <paramref name="key"/>;
    /// the generated <c>Invalidate…</c> helpers call this.</summary>
    ValueTask InvalidateAsync<TKey, TValue>(Runtime.CacheMethodDescriptor<TKey, TValue> descriptor, TKey key)
        where TKey : struct, IEquatable<TKey>;

    /// <summary>Invalidates every entry carrying the tag, on every node, in O(1): the tag's generation moves on in Redis
    /// (part of every tagged entry's key) and the backplane tells the other nodes. Write it as the <c>Tags</c> template
    /// of <c>[Cached]</c> is written, with values in the holes: <c>invalidator.InvalidateTagAsync($"tenant:{tenantId}:forms")</c>
    /// (values are encoded as in keys, <c>{email:hash}</c> hashes). Returns whether Redis confirmed it; never throws.</summary>
    ValueTask<bool> InvalidateTagAsync([InterpolatedStringHandlerArgument("")] ref Runtime.CacheTagHandler tag);

    /// <summary>Invalidates a tag given already rendered (for example received in a message from another service that
    /// rendered it with <see cref="InvalidateTagAsync(ref Runtime.CacheTagHandler)"/>'s encoding).</summary>
    ValueTask<bool> InvalidateTagAsync(string tag);

    /// <summary>Invalidates every entry of every cached method, in Redis and in every node's L1, in O(1): a generation
    /// that is part of every key moves on in Redis (entries written before are never read again and expire with their
    /// TTL; no <c>FLUSHDB</c>, no key scan) and the backplane tells the other nodes. Returns whether Redis confirmed it.</summary>
    ValueTask<bool> InvalidateAllAsync();

    /// <summary>As <see cref="InvalidateAllAsync"/>, for the entries of one method:
    /// <c>invalidator.InvalidateMethodAsync(CachedFormRepository.GetSchemaAsyncDescriptor)</c>.</summary>
    ValueTask<bool> InvalidateMethodAsync(Runtime.CacheMethodDescriptor descriptor);

    /// <summary>Removes every L1 entry of every cached method on every node. Redis is untouched; to drop Redis entries
    /// too, use <see cref="InvalidateAllAsync"/>.</summary>
    ValueTask<bool> ClearLocalEverywhereAsync();
}
