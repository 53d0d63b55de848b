using System;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The methods of one process whose entries may be the same Redis entries: the same version segment
/// (<see cref="CacheMethodDescriptor.KeySuffix"/>, which carries the value's shape) and key prefix. A batch method whose
/// single-item twin is declared in another interface renders that twin's keys under a method id of its own; when any
/// method invalidates or replaces an entry, the batch readers of its family drop their L1 copy of the same key, so no
/// write leaves a stale copy in this node's L1 behind another method. Only methods that have served a batch read are
/// told (<see cref="AddReader"/>): the others share no entry they could hold a copy of, and a bucket moved for a key
/// none of a member's entries has costs that member a neighbour at most (see <see cref="BucketGenerations"/>).
/// </summary>
internal sealed class KeyFamily(string keySuffix)
{
    private readonly Lock _gate = new();
    private ICachedMethodStatistics[] _readers = [];

    public string KeySuffix { get; } = keySuffix;

    /// <summary>Adds a method that serves batch reads (once, on its first batch call).</summary>
    public void AddReader(ICachedMethodStatistics method)
    {
        lock (_gate)
        {
            if (Array.IndexOf(_readers, method) < 0)
            {
                Volatile.Write(ref _readers, [.. _readers, method]);
            }
        }
    }

    /// <summary>Tells every batch reader but <paramref name="changed"/> that the entry rendered as
    /// <paramref name="redisKey"/> changed.</summary>
    public void Invalidate(ICachedMethodStatistics? changed, string redisKey)
    {
        foreach (var reader in Volatile.Read(ref _readers))
        {
            if (!ReferenceEquals(reader, changed))
            {
                reader.InvalidateLocalCopy(redisKey);
            }
        }
    }

    /// <summary>Whether <paramref name="redisKey"/> ends with this family's version segment (then any generations).</summary>
    public bool Renders(string redisKey)
    {
        var close = redisKey.LastIndexOf('}');
        return close >= 0 && redisKey.AsSpan(close + 1).StartsWith(KeySuffix, StringComparison.Ordinal);
    }
}
