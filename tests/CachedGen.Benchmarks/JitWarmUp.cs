using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Threading.Tasks;

namespace CachedGen.Benchmarks;

/// <summary>
/// The warm-up of the interleaved harnesses and of <c>l2-alone</c>: rounds of every path, unmeasured, until the JIT is done with them, that is
/// until a <see cref="QuietWindow"/> in which it compiled <see cref="QuietMethods"/> methods or fewer
/// (<see cref="JitInfo.GetCompiledMethodCount"/>), or for at most <see cref="Limit"/>.
/// </summary>
/// <remarks>
/// Tiered compilation recompiles hot methods in the background (instrumented, then optimized) in batches, and on a busy
/// machine it goes on for tens of seconds: about 17 s for one L2 path alone with client and Redis on one core, with gaps
/// of 2 s and more between batches (a 3 s window once ended a one-path warm-up at 9 s, with calls still 60 % slower
/// than after 30 s; 5 s has not). Until then a call runs slower (an L2 hit about twice as long), and more so for the path
/// with more code: rounds measured then time code that a long-running service no longer runs, and charge each path for
/// the compiler's thread. A trickle of a few methods goes on after it (timers, rarely called code).
/// </remarks>
public static class JitWarmUp
{
    public static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(5);
    public const int QuietMethods = 5;
    public static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>Runs <paramref name="round"/> until the JIT is quiet; returns the line that says how long it took.</summary>
    public static async Task<string> UntilQuietAsync(Func<ValueTask> round)
    {
        var watch = new Watch();
        do
        {
            await round().ConfigureAwait(false);
        }
        while (!watch.RoundDone());

        return watch.Describe();
    }

    /// <summary>Runs <paramref name="round"/> until the JIT is quiet; returns the line that says how long it took.</summary>
    public static string UntilQuiet(Action round)
    {
        var watch = new Watch();
        do
        {
            round();
        }
        while (!watch.RoundDone());

        return watch.Describe();
    }

    private sealed class Watch
    {
        private readonly long _started = Stopwatch.GetTimestamp();
        private long _windowStarted = Stopwatch.GetTimestamp();
        private long _windowCompiled = JitInfo.GetCompiledMethodCount();
        private int _rounds;
        private bool _quiet;

        /// <summary>Counts a round; whether the warm-up is over.</summary>
        public bool RoundDone()
        {
            _rounds++;
            if (Stopwatch.GetElapsedTime(_windowStarted) >= QuietWindow)
            {
                var compiled = JitInfo.GetCompiledMethodCount();
                if (compiled - _windowCompiled <= QuietMethods)
                {
                    _quiet = true;
                    return true;
                }

                _windowStarted = Stopwatch.GetTimestamp();
                _windowCompiled = compiled;
            }

            return Stopwatch.GetElapsedTime(_started) >= Limit;
        }

        public string Describe()
        {
            var ending = _quiet
                ? string.Create(CultureInfo.InvariantCulture, $"{QuietMethods} or fewer in the last {QuietWindow.TotalSeconds:0} s.")
                : string.Create(CultureInfo.InvariantCulture, $"still more than {QuietMethods} every {QuietWindow.TotalSeconds:0} s when the warm-up stopped at {Limit.TotalMinutes:0} min (the measured rounds include compilation).");
            return string.Create(
                CultureInfo.InvariantCulture,
                $"Warm-up: {_rounds} rounds in {Stopwatch.GetElapsedTime(_started).TotalSeconds:0.0} s; the JIT compiled {JitInfo.GetCompiledMethodCount()} methods in all, {ending}");
        }
    }
}
