using System.Runtime.CompilerServices;
using System.Threading;

namespace CachedGen.LoadTest;

/// <summary>
/// Marks the reads that waited for another caller's load instead of calling the source themselves: a caller that joined
/// a load in flight in its process, or (CachedGen) waited for another node's lease. Each engine raises its own signal in
/// the read's async flow (<see cref="CachedGenHarness"/>: its <c>cachedgen.coalesced</c> and
/// <c>cachedgen.lease.waits</c> counters, whose listener runs inline; <see cref="FusionRead"/>: a memory miss followed
/// by a memory hit, the entry another caller's factory stored while this one waited for the key's lock). The runner
/// counts such a read as a wait for the source only when a source read of its form was in flight during it: a caller
/// that joined a load answered from Redis waited for Redis, not for the source.
/// </summary>
internal static class AwaitedLoads
{
    private static readonly AsyncLocal<StrongBox<bool>?> Flag = new();

    /// <summary>Set once per worker; the worker resets the box before each read.</summary>
    public static void TrackThisFlow(StrongBox<bool> box) => Flag.Value = box;

    /// <summary>Called by an engine's signal, in the flow of the read that waited.</summary>
    public static void MarkThisFlow()
    {
        if (Flag.Value is { } box)
        {
            box.Value = true;
        }
    }
}
