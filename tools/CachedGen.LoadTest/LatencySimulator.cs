using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.LoadTest;

/// <summary>
/// Completes tasks after a fixed delay, accurately to about 0.1 ms, without burning a core: one dedicated thread
/// sleeps (<c>usleep</c> on Linux and macOS) until the oldest pending delay is due and completes it; continuations run
/// on the thread pool.
/// </summary>
/// <remarks>
/// <see cref="Task.Delay(TimeSpan)"/> cannot stand in for a 1 ms database call: the runtime's timers use a coarse
/// clock, and on this project's Linux machines <c>Task.Delay(1)</c> takes 4 ms on average and a 0.5 ms delay none.
/// Every delay of one simulator has the same length, so pending delays are due in arrival order and a FIFO queue is
/// enough.
/// </remarks>
public sealed class LatencySimulator : IDisposable
{
    // usleep overshoots by about 0.15–0.25 ms on a loaded 2-core VM: sleep that much less, then top up in short naps.
    private static readonly long Slack = Stopwatch.Frequency / 5000; // 0.2 ms
    private readonly Queue<(long Due, TaskCompletionSource Completion)> _pending = new();
    private readonly long _delayTicks;
    private readonly Thread? _thread;
    private readonly AutoResetEvent _wake = new(false);
    private volatile bool _disposed;

    public LatencySimulator(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Delay = delay;
        _delayTicks = (long)(delay.TotalSeconds * Stopwatch.Frequency);
        if (_delayTicks > 0)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "LoadTest source latency" };
            _thread.Start();
        }
    }

    public TimeSpan Delay { get; }

    /// <summary>A task that completes <see cref="Delay"/> from now (already completed for a zero delay).</summary>
    public Task WaitAsync()
    {
        if (_delayTicks == 0)
        {
            return Task.CompletedTask;
        }

        ObjectDisposedException.ThrowIf(_disposed, this);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool wasEmpty;
        lock (_pending)
        {
            wasEmpty = _pending.Count == 0;
            _pending.Enqueue((Stopwatch.GetTimestamp() + _delayTicks, completion));
        }

        if (wasEmpty)
        {
            _wake.Set();
        }

        return completion.Task;
    }

    public void Dispose()
    {
        _disposed = true;
        _wake.Set();
        _thread?.Join(TimeSpan.FromSeconds(2));
        lock (_pending)
        {
            while (_pending.TryDequeue(out var item))
            {
                item.Completion.TrySetCanceled();
            }
        }

        _wake.Dispose();
    }

    private void Run()
    {
        while (!_disposed)
        {
            long due;
            lock (_pending)
            {
                var now = Stopwatch.GetTimestamp();
                while (_pending.TryPeek(out var head) && head.Due <= now)
                {
                    _pending.Dequeue();
                    head.Completion.TrySetResult();
                }

                due = _pending.TryPeek(out var next) ? next.Due : long.MaxValue;
            }

            if (due == long.MaxValue)
            {
                _wake.WaitOne(TimeSpan.FromMilliseconds(100));
                continue;
            }

            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                SleepTicks(wait > Slack * 2 ? wait - Slack : Math.Min(wait, Slack / 4));
            }
        }
    }

    private static void SleepTicks(long ticks)
    {
        var micros = (uint)Math.Clamp(ticks * 1_000_000 / Stopwatch.Frequency, 1, 1_000_000);
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = usleep(micros);
        }
        else
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, micros / 1000)));
        }
    }

    [DllImport("libc", EntryPoint = "usleep")]
    private static extern int usleep(uint microseconds);
}
