using System.Numerics;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// What one method on this node last learned of each key in Redis, one bit per hash of a key's slot: set when the node
/// read the key's value there, wrote it (a fill, a put) or heard another node write it (an announced fill, a remote put);
/// cleared when the key's bucket moves for it (an invalidation, here or on another node, see
/// <see cref="BucketGenerations.Bump"/>), and all at once with every bucket. A hint for the first read of an L1 miss (a
/// GET for a value that is there, the lease script otherwise), never for what is served: a wrong bit costs a round trip,
/// not a value.
/// </summary>
/// <remarks>Kept for untagged methods with Redis. 32 bits per L1 entry (64 KB for 10,000 entries), so that a node remembers about three times its L1 capacity
/// of keys: the keys it evicted are the ones it reads back from Redis. Keys share bits, so a key this node never learned
/// of can look known (then its GET finds nothing and the lease script follows, one round trip more); to keep that rare,
/// the bits are all cleared once a sixteenth of them are set (at most 6 % of unknown keys look known, 3 % on
/// average), and the known keys become unknown, which costs them the lease script's slightly dearer read, nothing
/// more.</remarks>
internal sealed class KnownInRedis
{
    private readonly long[] _bits;
    private readonly int _shift;
    private readonly int _resetAfter;
    private int _set;

    /// <summary>Bits for an L1 of <paramref name="entries"/> entries (at least 64).</summary>
    public KnownInRedis(int entries)
    {
        var bits = BitOperations.RoundUpToPowerOf2((uint)System.Math.Max(64, entries) * 32);
        _bits = new long[bits / 64];
        _shift = 32 - BitOperations.Log2(bits);
        _resetAfter = (int)(bits / 16);
    }

    /// <summary>Whether the key of <paramref name="slot"/> is known to have a value in Redis.</summary>
    public bool Contains(int slot)
    {
        var bit = BitOf(slot);
        return (Volatile.Read(ref _bits[bit >> 6]) & (1L << bit)) != 0;
    }

    /// <summary>Records that the key of <paramref name="slot"/> has a value in Redis now.</summary>
    public void Add(int slot)
    {
        var bit = BitOf(slot);
        ref var word = ref _bits[bit >> 6];
        if ((Volatile.Read(ref word) & (1L << bit)) != 0 || (Interlocked.Or(ref word, 1L << bit) & (1L << bit)) != 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _set) >= _resetAfter)
        {
            Clear();
        }
    }

    /// <summary>Records that the key of <paramref name="slot"/> may have no value in Redis.</summary>
    public void Remove(int slot)
    {
        var bit = BitOf(slot);
        ref var word = ref _bits[bit >> 6];
        if ((Volatile.Read(ref word) & (1L << bit)) != 0 && (Interlocked.And(ref word, ~(1L << bit)) & (1L << bit)) != 0)
        {
            Interlocked.Decrement(ref _set);
        }
    }

    /// <summary>No key is known to be in Redis any more.</summary>
    public void Clear()
    {
        Volatile.Write(ref _set, 0);
        for (var i = 0; i < _bits.Length; i++)
        {
            Volatile.Write(ref _bits[i], 0);
        }
    }

    // A slot is its bucket index and fingerprint (up to 31 bits of the key's hash): spread over the bits.
    private int BitOf(int slot) => (int)(((uint)slot * 0x9E3779B1u) >> _shift);
}
