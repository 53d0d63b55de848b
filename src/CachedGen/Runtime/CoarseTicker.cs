using System;
using System.Collections.Generic;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// One background thread that writes <see cref="Environment.TickCount64"/> into the coarse copy of every registered
/// <see cref="RuntimeClock"/> every <see cref="ResolutionMs"/> ms. Runtimes share it (<see cref="Shared"/>): it starts with
/// the first registered clock and its thread ends when the last one is unregistered (its runtime disposed).
/// </summary>
/// <remarks>Not a thread-pool timer: when the pool is starved (a burst of blocking work, a slow first serialization) its
/// callbacks run hundreds of milliseconds late, and L1 entries would outlive their lifetime by as much, which breaks the
/// staleness bound LocalTtl promises while the backplane is cut. A dedicated thread is only delayed by the OS scheduler.</remarks>
internal sealed class CoarseTicker
{
    public const long ResolutionMs = 10;

    /// <summary>The ticker every runtime uses.</summary>
    public static readonly CoarseTicker Shared = new();

    private readonly object _gate = new();
    private readonly List<RuntimeClock> _clocks = new();
    private Run? _run;

    /// <summary>The running thread, or <see langword="null"/> when no clock is registered.</summary>
    public Thread? Thread
    {
        get
        {
            lock (_gate)
            {
                return _run?.Thread;
            }
        }
    }

    /// <summary>Clocks registered now.</summary>
    public int Clocks
    {
        get
        {
            lock (_gate)
            {
                return _clocks.Count;
            }
        }
    }

    public void Register(RuntimeClock clock)
    {
        lock (_gate)
        {
            Volatile.Write(ref clock.CoarseMs, Environment.TickCount64);
            _clocks.Add(clock);
            if (_run is null)
            {
                _run = new Run(this);
                _run.Thread.Start();
            }
        }
    }

    public void Unregister(RuntimeClock clock)
    {
        lock (_gate)
        {
            _clocks.Remove(clock);
            Volatile.Write(ref clock.CoarseMs, RuntimeClock.NoCoarseReading);
            if (_clocks.Count == 0 && _run is { } run)
            {
                run.Stopped = true;
                _run = null;
            }
        }
    }

    /// <summary>Writes the time into every clock; <see langword="false"/> once <paramref name="run"/> was stopped.</summary>
    private bool Tick(Run run)
    {
        lock (_gate)
        {
            if (run.Stopped)
            {
                return false;
            }

            var now = Environment.TickCount64;
            foreach (var clock in _clocks)
            {
                Volatile.Write(ref clock.CoarseMs, now);
            }

            return true;
        }
    }

    /// <summary>One start-to-stop life of the thread (a stopped run never ticks again, even if it wakes after a restart).</summary>
    private sealed class Run
    {
        public Run(CoarseTicker ticker)
        {
            Thread = new Thread(() =>
            {
                do
                {
                    Thread.Sleep((int)ResolutionMs);
                }
                while (ticker.Tick(this));
            })
            {
                IsBackground = true,
                Name = "CachedGen clock",
            };
        }

        public Thread Thread { get; }

        public volatile bool Stopped;
    }
}
