using System;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// A millisecond clock read from a field that a timer refreshes every <see cref="ResolutionMs"/> ms. On Linux,
/// <see cref="Environment.TickCount64"/> is a clock_gettime call that costs more than the rest of an L1 hit; reading
/// this field costs a load. Callers needing precision near a deadline fall back to the real clock
/// (<see cref="IsBefore"/>), so an entry is never served past its expiry because of the coarse resolution.
/// </summary>
internal static class CoarseClock
{
    public const long ResolutionMs = 10;

    // Twice the resolution: the timer may fire late, and the field may be one tick behind.
    private const long Margin = 4 * ResolutionMs;

    private static long s_nowMs = Environment.TickCount64;

    // Rooted by the static field; never disposed (one timer per process).
    private static readonly Timer s_timer = new(static _ => Volatile.Write(ref s_nowMs, Environment.TickCount64), null, ResolutionMs, ResolutionMs);

    /// <summary>Whether <paramref name="deadlineMs"/> (in <see cref="Environment.TickCount64"/> time) is still ahead.</summary>
    public static bool IsBefore(long deadlineMs)
    {
        var coarse = Volatile.Read(ref s_nowMs);
        if (deadlineMs - coarse > Margin)
        {
            // Clearly fresh. (If the timer stalls, say in a thread-starved process, the field lags by the stall and an
            // entry can outlive its L1 lifetime by as much; invalidations are unaffected: they remove entries.)
            return true;
        }

        return Environment.TickCount64 < deadlineMs;
    }
}
