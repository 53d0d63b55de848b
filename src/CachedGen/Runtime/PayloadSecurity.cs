using System;
using System.Collections.Generic;
using MessagePack;

namespace CachedGen.Runtime;

/// <summary>
/// MessagePack's <see cref="MessagePackSecurity.UntrustedData"/> (depth limit, collision-resistant hashing of the keys
/// it knows: primitives, strings, dates, GUIDs), except that a hash set or dictionary keyed by any other type (an
/// entity in an EF-style <c>HashSet&lt;Post&gt;</c> navigation, a record key) is read with the type's own equality.
/// MessagePack refuses such keys outright under <c>UntrustedData</c>, which made every entry whose value holds one
/// unreadable: written on each miss, discarded on each read. A payload is written by this application's own nodes
/// and checked against its checksum before it is read, so the key's own hash is what the source's value used too.
/// </summary>
internal sealed class PayloadSecurity : MessagePackSecurity
{
    public static readonly PayloadSecurity Instance = new(UntrustedData);

    private PayloadSecurity(MessagePackSecurity copyFrom)
        : base(copyFrom)
    {
    }

    protected override IEqualityComparer<T> GetHashCollisionResistantEqualityComparer<T>()
        => Comparers<T>.Resolve(this);

    protected override MessagePackSecurity Clone() => new PayloadSecurity(this);

    private IEqualityComparer<T> Resistant<T>() => base.GetHashCollisionResistantEqualityComparer<T>();

    private static class Comparers<T>
    {
        private static IEqualityComparer<T>? s_comparer;

        public static IEqualityComparer<T> Resolve(PayloadSecurity security)
        {
            if (s_comparer is { } known)
            {
                return known;
            }

            IEqualityComparer<T> comparer;
            try
            {
                comparer = security.Resistant<T>();
            }
            catch (TypeAccessException)
            {
                comparer = EqualityComparer<T>.Default;
            }

            return s_comparer = comparer;
        }
    }
}
