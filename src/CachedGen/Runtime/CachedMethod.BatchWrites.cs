using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Batch writes: a write whose collection fills a batch method's placeholder invalidates one entry per element.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>Invalidates the entry of each key, as <see cref="InvalidateAsync"/> does, all at once; duplicates once.</summary>
    /// <param name="keys">The entries' keys (a write's collection, one key per element).</param>
    public async ValueTask InvalidateEachAsync(IEnumerable<TKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var pending = new List<Task>();
        foreach (var key in new HashSet<TKey>(keys))
        {
            pending.Add(InvalidateAsync(key).AsTask());
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <summary>Synchronous form of <see cref="InvalidateEachAsync"/>.</summary>
    /// <param name="keys">The entries' keys.</param>
    public void InvalidateEach(IEnumerable<TKey> keys) => InvalidateEachAsync(keys).AsTask().GetAwaiter().GetResult();
}
