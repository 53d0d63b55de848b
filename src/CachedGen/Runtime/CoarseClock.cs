using System;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// A millisecond clock read from a field that a background thread refreshes every <see cref="ResolutionMs"/> ms. On Linux,
/// <see cref="Environment.TickCount64"/> is a clock_gettime call that costs more than the rest of an L1 hit; reading
/// this field costs a load. Callers needing precision near a deadline fall back to the real clock
/// (<see cref="IsBefore"/>), so an entry is never served past its expiry because of the coarse resolution.
/// </summary>
internal static class CoarseClock
{
    public const long ResolutionMs = 10;

    // Four times the resolution: the thread may wake late, and the field may be one tick behind.
    private const long Margin = 4 * ResolutionMs;

    private static long s_nowMs = Environment.TickCount64;

    // One background thread per process advances the field. Not a thread-pool timer: when the pool is starved (a burst
    // of blocking work, a slow first serialization) its callbacks run hundreds of milliseconds late, and L1 entries
    // would outlive their lifetime by as much, which breaks the staleness bound LocalTtl promises while the backplane
    // is cut. A dedicated thread is only delayed by the OS scheduler.
    private static readonly Thread s_ticker = StartTicker();

    private static Thread StartTicker()
    {
        var thread = new Thread(static () =>
        {
            while (true)
            {
                Thread.Sleep((int)ResolutionMs);
                Volatile.Write(ref s_nowMs, Environment.TickCount64);
            }
        })
        {
            IsBackground = true,
            Name = "CachedGen clock",
        };
        thread.Start();
        return thread;
    }

    /// <summary>Whether <paramref name="deadlineMs"/> (in <see cref="Environment.TickCount64"/> time) is still ahead.</summary>
    public static bool IsBefore(long deadlineMs)
    {
        var coarse = Volatile.Read(ref s_nowMs);
        if (deadlineMs - coarse > Margin)
        {
            // Clearly fresh (the field lags the real clock by at most a scheduling delay of the ticker thread).
            return true;
        }

        return Environment.TickCount64 < deadlineMs;
    }
}
