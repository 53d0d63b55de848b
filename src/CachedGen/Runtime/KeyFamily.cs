using System;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The methods of one process whose entries may be the same Redis entries: the same key prefix and version segment
/// (<see cref="CacheMethodDescriptor.KeySuffix"/>, which carries the value's shape). A batch method whose single-item twin
/// is declared in another interface renders that twin's keys under a method id of its own; when one member's entry is
/// invalidated or replaced, the others drop their L1 copy of the same key, so no write leaves a stale copy in this node's
/// L1 behind another method. A member whose keys never match loses nothing: its bucket moves on for a key none of its
/// entries has (see <see cref="BucketGenerations"/>).
/// </summary>
internal sealed class KeyFamily(string keySuffix)
{
    private ICachedMethodStatistics[] _members = [];

    public string KeySuffix { get; } = keySuffix;

    public ICachedMethodStatistics[] Members => Volatile.Read(ref _members);

    /// <summary>Adds a method (under the runtime's registration lock).</summary>
    public void Add(ICachedMethodStatistics method) => Volatile.Write(ref _members, [.. _members, method]);

    /// <summary>Tells every member but <paramref name="changed"/> that the entry rendered as <paramref name="redisKey"/> changed.</summary>
    public void Invalidate(ICachedMethodStatistics? changed, string redisKey)
    {
        var members = Members;
        if (members.Length < 2 && changed is not null)
        {
            return;
        }

        foreach (var member in members)
        {
            if (!ReferenceEquals(member, changed))
            {
                member.InvalidateLocalCopy(redisKey);
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
