using System;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The L1 invalidation state of one method: a generation per bucket of keys. An entry is served, and a load is cached,
/// only while its bucket's generation is the one its load started under. Remote invalidations name a rendered key, not
/// a key tuple, and this is how one reaches the entry: bump the generation of the key's bucket (a hash of the rendered
/// key, the same on every node); the entry and the few that share its bucket are no longer served.
/// </summary>
/// <remarks>A struct over one array, held in a <see langword="readonly"/> field: the hit path reads the array as if it
/// were the method's own field.</remarks>
internal readonly struct BucketGenerations
{
    private readonly int[] _generations;

    /// <summary>Buckets for an L1 of <paramref name="capacity"/> entries: rounded up to a power of two (64 to 65,536), so
    /// an invalidation costs about one neighbouring entry at full capacity.</summary>
    public BucketGenerations(int capacity)
        => _generations = new int[(int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 64, 1 << 16))];

    public int Count => _generations.Length;

    /// <summary>The bucket of a rendered Redis key (without generations or tags), the same on every node.</summary>
    public int Of(string redisKey)
        => (int)(XxHash3.HashToUInt64(MemoryMarshal.AsBytes(redisKey.AsSpan())) & (uint)(_generations.Length - 1));

    /// <summary>The bucket of a key without Redis (its hash code: only this node invalidates it).</summary>
    public int Of(int hashCode) => hashCode & (_generations.Length - 1);

    /// <summary>The bucket's generation now.</summary>
    public int Read(int bucket) => Volatile.Read(ref _generations[bucket]);

    /// <summary>Whether <paramref name="bucket"/> (masked to the array when it was taken, so no bounds check is needed)
    /// is still at <paramref name="generation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsAt(int bucket, int generation)
        => generation == Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_generations), bucket));

    /// <summary>Moves the bucket on: its entries are no longer served, its loads in flight are not cached.</summary>
    public void Bump(int bucket) => Interlocked.Increment(ref _generations[bucket]);

    /// <summary>Moves every bucket on.</summary>
    public void BumpAll()
    {
        for (var i = 0; i < _generations.Length; i++)
        {
            Interlocked.Increment(ref _generations[i]);
        }
    }
}
