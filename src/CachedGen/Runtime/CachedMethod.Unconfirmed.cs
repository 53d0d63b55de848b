namespace CachedGen.Runtime;

// Invalidations Redis did not confirm: retried until it does (UnconfirmedWrites), and meanwhile this node reads those
// keys from the source, not from Redis, which may still hold the value from before the write.
public sealed partial class CachedMethod<TKey, TValue>
{
    // Retried with InvalidateCoreAsync(key, retry: true), which adds the key again or confirms it.
    private readonly UnconfirmedChanges<TKey> _unconfirmed;

    /// <summary>Whether <paramref name="key"/>'s last invalidation here waits for Redis to confirm it: this node then
    /// leaves Redis out of its reads, which could return the value from before the write (read-your-writes).</summary>
    private bool IsUnconfirmed(in TKey key) => _unconfirmed.Contains(key);

    /// <summary>Whether one of a batch's elements waits for Redis to confirm its invalidation: the batch then leaves Redis
    /// out for all of them (rare, and brief: the retries run every second).</summary>
    private bool AnyUnconfirmed<TElement>(System.Collections.Generic.List<BatchItem<TElement>> items)
    {
        if (!_unconfirmed.HasUnconfirmed)
        {
            return false;
        }

        foreach (var item in items)
        {
            if (_unconfirmed.Contains(item.Key))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Redis did not confirm the invalidation (or put) of <paramref name="key"/>: it is tried again until it does.</summary>
    private void Unconfirmed(TKey key) => _unconfirmed.Add(key);

    /// <summary>Redis confirmed a change of <paramref name="key"/>: nothing of it waits any more.</summary>
    private void Confirmed(TKey key) => _unconfirmed.Confirmed(key);
}
