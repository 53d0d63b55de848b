using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The one clock of a <see cref="CacheRuntime"/>: every deadline, expiry, refresh moment, fail-safe age, tag freshness,
/// breaker window and payload timestamp is read from <see cref="Provider"/> (<see cref="CachedGenOptions.TimeProvider"/>).
/// Deadlines are milliseconds on the provider's monotonic timestamp (<see cref="NowMs"/>); wall-clock instants (payload
/// expiry, audit events) are <see cref="TimeProvider.GetUtcNow"/>.
/// </summary>
/// <remarks>
/// With <see cref="TimeProvider.System"/>, <see cref="NowMs"/> is <see cref="Environment.TickCount64"/>, and the L1 hit
/// path reads a coarse copy of it that the <see cref="CoarseTicker"/> refreshes every
/// <see cref="CoarseTicker.ResolutionMs"/> ms (on Linux the real clock is a clock_gettime call that costs more than the
/// rest of a hit). The ticker starts when the first method with an L1 is made (<see cref="StartTicking"/>) and this clock
/// stops taking its ticks when the runtime is disposed. With any other provider (a <c>FakeTimeProvider</c> in tests) the
/// provider is read directly, so advancing it drives everything.
/// </remarks>
internal sealed class RuntimeClock : IDisposable
{
    // Four times the resolution: the ticker may wake late, and the copy may be one tick behind.
    private const long Margin = 4 * CoarseTicker.ResolutionMs;

    // A coarse reading "far in the future": every deadline looks near, so IsBefore reads the precise clock. The value
    // while no ticker writes here (not started, stopped, or not the system clock).
    internal const long NoCoarseReading = long.MaxValue / 2;

    private readonly CoarseTicker _ticker;
    private readonly bool _system;
    private readonly long _frequency;
    private int _ticking; // 0 never started, 1 registered with the ticker, 2 disposed

    // Written by the ticker while registered (under its lock), read on the L1 hit path.
    internal long CoarseMs = NoCoarseReading;

    private readonly Func<long> _pausedMs;

    /// <param name="provider">The runtime's time source.</param>
    /// <param name="ticker">The coarse clock's ticker (default: the process's).</param>
    /// <param name="pausedMs">The process's total time paused for garbage collection, in milliseconds (tests give their
    /// own). By default the runtime's with the system clock, and none with any other provider, whose time does not pass
    /// during the process's pauses.</param>
    public RuntimeClock(TimeProvider provider, CoarseTicker? ticker = null, Func<long>? pausedMs = null)
    {
        ArgumentNullException.ThrowIfNull(provider);
        Provider = provider;
        _system = ReferenceEquals(provider, TimeProvider.System);
        _frequency = provider.TimestampFrequency;
        _ticker = ticker ?? CoarseTicker.Shared;
        _pausedMs = pausedMs ?? (_system ? static () => (long)GC.GetTotalPauseDuration().TotalMilliseconds : static () => 0);
    }

    /// <summary>The process's total time paused for garbage collection so far, in milliseconds: the Redis budget does not
    /// count it (<see cref="CachedGenOptions.RedisOperationTimeout"/>), since a pause holds up the reply and the timeout
    /// alike.</summary>
    public long PausedMs() => _pausedMs();

    /// <summary>The runtime's time source.</summary>
    public TimeProvider Provider { get; }

    /// <summary>Whether a ticker keeps <see cref="CoarseMs"/> current for this clock.</summary>
    public bool IsTicking => Volatile.Read(ref _ticking) == 1;

    /// <summary>Milliseconds on the provider's monotonic clock (<see cref="Environment.TickCount64"/> for the system).</summary>
    public long NowMs => _system ? Environment.TickCount64 : ProviderMs();

    /// <summary>Unix milliseconds of the provider's wall clock.</summary>
    public long UtcNowUnixMs => Provider.GetUtcNow().ToUnixTimeMilliseconds();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long ProviderMs()
    {
        var timestamp = Provider.GetTimestamp();
        return _frequency % 1000 == 0 ? timestamp / (_frequency / 1000) : (long)(timestamp * 1000.0 / _frequency);
    }

    /// <summary>A millisecond reading for sampling, as cheap as the hit path's: the coarse copy while a ticker keeps it
    /// (it moves every <see cref="CoarseTicker.ResolutionMs"/> ms), else <see cref="NowMs"/> (a test's provider moves it
    /// when advanced).</summary>
    public long SampleMs
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var coarse = Volatile.Read(ref CoarseMs);
            return coarse != NoCoarseReading ? coarse : NowMs;
        }
    }

    /// <summary>Whether <paramref name="deadlineMs"/> (in <see cref="NowMs"/> time) is still ahead. Clearly fresh
    /// deadlines are answered from the coarse copy; near ones (or with no ticker) from the precise clock, so nothing is
    /// served past its deadline because of the coarse resolution.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsBefore(long deadlineMs) => deadlineMs - Volatile.Read(ref CoarseMs) > Margin || NowMs < deadlineMs;

    /// <summary>Starts (or joins) the coarse ticker for the system clock; nothing for any other provider. Idempotent.</summary>
    public void StartTicking()
    {
        if (_system && Volatile.Read(ref _ticking) == 0 && Interlocked.CompareExchange(ref _ticking, 1, 0) == 0)
        {
            _ticker.Register(this);
        }
    }

    /// <summary>Stops taking the ticker's readings (the ticker stops with its last clock); reads go to the precise clock.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ticking, 2) == 1)
        {
            _ticker.Unregister(this);
        }

        Volatile.Write(ref CoarseMs, NoCoarseReading);
    }
}
