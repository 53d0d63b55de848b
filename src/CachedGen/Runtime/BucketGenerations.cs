using System;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The L1 invalidation state of one method: a generation per bucket of keys, which key moved it last, and how many of
/// the latest moves were that key's. An entry is served, and a load is cached, only while its bucket is at the
/// generation its load started under, or has moved on since only by one other key of the bucket (any number of times:
/// a hot key written again and again spares its neighbours). Remote invalidations name a rendered key, not a key tuple,
/// and this is how one reaches the entry: bump the generation of the key's bucket (a hash of the rendered key, the same
/// on every node) and record the key's fingerprint (16 other bits of the same hash). The named entry is no longer
/// served; the few that share its bucket are, until a second key's invalidation reaches the bucket before they are
/// reloaded. A local write bumps its bucket twice (before and after Redis changes), which spares the neighbours too.
/// </summary>
/// <remarks>
/// <para>A key's place is a <em>slot</em>: the bucket index (masked to the array, so reads need no bounds check) in the
/// low 16 bits and the key's fingerprint (never 0) in the high 16 bits. Each bucket is one 64-bit word: the generation
/// in the low 32 bits, the run (how many of the latest bumps were by the last key, saturating) in the next 16, and the
/// fingerprint of the key that moved it last (0: every key, <see cref="BumpAll"/>) in the top 16, read and written
/// whole, so a reader never pairs a generation with another bump's key. A fingerprint shared by two keys of a bucket
/// only makes one's invalidation drop the other too.</para>
/// <para>A struct over one array, held in a <see langword="readonly"/> field: the hit path reads the array as if it were
/// the method's own field, and compares the low half with the entry's generation.</para>
/// </remarks>
internal readonly struct BucketGenerations
{
    private const int MaxBuckets = 1 << 16; // the index must fit the slot's low 16 bits
    private const int FingerprintMark = 0x8000; // makes every fingerprint non-zero

    private readonly long[] _words;
    private readonly KnownInRedis? _inRedis;

    /// <summary>Buckets for an L1 of <paramref name="capacity"/> entries: rounded up to a power of two (64 to 65,536); with
    /// <paramref name="trackRedis"/>, also which keys are known to be in Redis (<see cref="InRedis"/>).</summary>
    public BucketGenerations(int capacity, bool trackRedis = false)
    {
        _words = new long[(int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 64, MaxBuckets))];
        _inRedis = trackRedis ? new KnownInRedis(Math.Min(capacity, MaxBuckets)) : null;
    }

    /// <summary>Which keys this node knows to have a value in Redis (cleared for a key when its bucket moves for it);
    /// <see langword="null"/> when not tracked.</summary>
    public KnownInRedis? InRedis => _inRedis;

    public int Count => _words.Length;

    /// <summary>The slot of a rendered Redis key, the same on every node and in every version of the code: only the part
    /// up to the hash tag's closing brace is hashed (prefix and rendered template, see <see cref="LogicalKey"/>), not the
    /// version, shape fingerprint, generations or tags after it, so that a node whose value type has another shape (a
    /// rolling deploy) finds the bucket of the entry another version's write names.</summary>
    public int Of(string redisKey)
    {
        var hash = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(LogicalKey(redisKey)));
        return Slot((int)(hash & (uint)(_words.Length - 1)), (int)(hash >> 48));
    }

    /// <summary>A rendered key up to and including the closing brace of its hash tag: prefix and rendered template, the
    /// part every version of the code renders alike (encoded values never contain a brace).</summary>
    public static ReadOnlySpan<char> LogicalKey(string redisKey)
    {
        var close = redisKey.LastIndexOf('}');
        return close < 0 ? redisKey : redisKey.AsSpan(0, close + 1);
    }

    /// <summary>The slot of a key without Redis (its hash code: only this node invalidates it).</summary>
    public int Of(int hashCode) => Slot(hashCode & (_words.Length - 1), (int)(((uint)hashCode * 0x9E3779B1u) >> 16));

    private static int Slot(int index, int fingerprint) => ((fingerprint | FingerprintMark) << 16) | index;

    private static int FingerprintOf(int slot) => (int)((uint)slot >> 16);

    /// <summary>The generation of the slot's bucket now.</summary>
    public int Read(int slot) => (int)Volatile.Read(ref _words[slot & 0xFFFF]);

    /// <summary>Whether the key of <paramref name="slot"/> was not invalidated since its bucket was at
    /// <paramref name="generation"/>: the bucket is still there, or one past it and moved by another key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsAt(int slot, int generation)
    {
        var word = Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_words), slot & 0xFFFF));
        return (int)word == generation || MovedOnlyByAnother(word, slot, generation);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool MovedOnlyByAnother(long word, int slot, int generation)
        => LastOf(word) is var last && last != 0 && last != FingerprintOf(slot) && unchecked((int)word - RunOf(word)) == generation;

    private const int MaxRun = 0xFFFF;

    private static int LastOf(long word) => (int)((ulong)word >> 48);

    private static int RunOf(long word) => (int)((ulong)word >> 32) & MaxRun;

    /// <summary>Moves the slot's bucket on for its key: that key's entries are no longer served, its loads in flight are
    /// not cached, and it is no longer known to be in Redis.</summary>
    public void Bump(int slot)
    {
        Move(ref _words[slot & 0xFFFF], FingerprintOf(slot));
        _inRedis?.Remove(slot);
    }

    /// <summary>Moves every bucket on for every key; no key is known to be in Redis any more.</summary>
    public void BumpAll()
    {
        for (var i = 0; i < _words.Length; i++)
        {
            Move(ref _words[i], 0);
        }

        _inRedis?.Clear();
    }

    private static void Move(ref long word, int fingerprint)
    {
        var seen = Volatile.Read(ref word);
        while (true)
        {
            // The same key again lengthens the run (saturating: past it, older neighbours are no longer spared); another
            // key starts one; every key (0) leaves none.
            var run = fingerprint == 0 ? 0 : LastOf(seen) == fingerprint ? Math.Min(RunOf(seen) + 1, MaxRun) : 1;
            var next = ((long)fingerprint << 48) | ((long)run << 32) | (uint)unchecked((int)seen + 1);
            var found = Interlocked.CompareExchange(ref word, next, seen);
            if (found == seen)
            {
                return;
            }

            seen = found;
        }
    }
}
