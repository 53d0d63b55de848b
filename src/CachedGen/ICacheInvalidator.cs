using System;
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
    ValueTask InvalidateAsync<TKey, TValue>(Runtime.CacheMethodDescriptor descriptor, TKey key)
        where TKey : struct, Runtime.ICacheKey, IEquatable<TKey>;

    /// <summary>Removes every L1 entry of every cached method on every node. Redis is untouched; to drop Redis entries
    /// too, change <see cref="CachedGenOptions.Generation"/>.</summary>
    ValueTask<bool> ClearLocalEverywhereAsync();
}
