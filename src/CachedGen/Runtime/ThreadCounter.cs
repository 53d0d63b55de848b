using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// An exact count of a hot-path event that costs no atomic instruction: each thread adds to its own cell (one writer
/// per cell, so a plain increment loses nothing), and <see cref="Count"/> sums the cells of every thread that ever
/// counted. Used for the L1 and L2 hits, which the meter publishes through an observable counter when a listener
/// collects; an atomic or striped increment would cost the L1 hit path about as much as the lookup itself.
/// </summary>
/// <remarks>Each counter is a slot in every thread's array of cells: the hit path reads a thread-static array and the
/// counter's slot, and increments. Slots are never reused, so a process that creates runtimes in a loop grows the arrays
/// of the threads that count (8 bytes per method per thread).</remarks>
internal readonly struct ThreadCounter
{
    private static readonly List<Cells> Threads = [];
    private static int _slots;

    [ThreadStatic]
    private static long[]? _mine;

    private readonly int _slot;

    private ThreadCounter(int slot) => _slot = slot;

    /// <summary>A new counter at 0.</summary>
    public static ThreadCounter Create() => new(Interlocked.Increment(ref _slots) - 1);

    /// <summary>Adds one on this thread's cell.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment()
    {
        var cells = _mine;
        if (cells is not null && (uint)_slot < (uint)cells.Length)
        {
            cells[_slot]++;
        }
        else
        {
            IncrementOnNewCells(_slot);
        }
    }

    /// <summary>The sum over every thread's cell (each read whole; a count being added meanwhile may be left out).</summary>
    public long Count()
    {
        long total = 0;
        lock (Threads)
        {
            foreach (var thread in Threads)
            {
                var cells = thread.Values;
                if (_slot < cells.Length)
                {
                    total += Volatile.Read(ref cells[_slot]);
                }
            }
        }

        return total;
    }

    /// <summary>The thread's first count, or the first of a counter created after its cells: (re)allocates them, copying
    /// what this thread counted so far (only this thread writes them, so nothing is lost).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void IncrementOnNewCells(int slot)
    {
        var old = _mine;
        var grown = new long[Math.Max(slot + 1, Math.Max(64, (old?.Length ?? 0) * 2))];
        old?.CopyTo(grown, 0);
        grown[slot]++;
        if (old is null)
        {
            var registered = new Cells { Values = grown };
            lock (Threads)
            {
                Threads.Add(registered);
            }

            _holder = registered;
        }
        else
        {
            _holder!.Values = grown;
        }

        _mine = grown;
    }

    [ThreadStatic]
    private static Cells? _holder;

    private sealed class Cells
    {
        private long[] _values = [];

        public long[] Values
        {
            get => Volatile.Read(ref _values);
            set => Volatile.Write(ref _values, value);
        }
    }
}
