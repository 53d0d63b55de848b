using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.TestKit;

/// <summary>Waiting on what another node, Redis or a background task does a moment later (a backplane message, a
/// reconnect, an expiry): every wait ends on an observable signal and fails the test after a generous timeout, never
/// after a fixed sleep.</summary>
public static class Eventually
{
    /// <summary>The timeout of a wait that the machine's load, not the cache, decides the length of.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);

    /// <summary>Reads every 5 ms until <paramref name="done"/> holds or <paramref name="timeout"/> passes; returns the
    /// last value read, for the test to assert on.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (done(value) || watch.Elapsed > timeout)
            {
                return value;
            }

            await Task.Delay(5); // the polling step of this wait on a condition
        }
    }

    /// <summary>Checks <paramref name="condition"/> every 5 ms until it holds; fails the test with
    /// <paramref name="what"/> when it does not within <paramref name="timeout"/> (default <see cref="Generous"/>).</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Generous;
        Assert.True(await ReadAsync(condition, done => done, limit), $"{what}: not within {limit.TotalSeconds:0.#} s");
    }

    /// <inheritdoc cref="HoldsAsync(Func{Task{bool}}, string, TimeSpan?)"/>
    public static Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => HoldsAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Waits for <paramref name="signal"/> to be released <paramref name="times"/> times; fails the test with
    /// <paramref name="what"/> after <paramref name="timeout"/> (default <see cref="Generous"/>) for each.</summary>
    public static async Task SignalledAsync(SemaphoreSlim signal, string what, int times = 1, TimeSpan? timeout = null)
    {
        var limit = timeout ?? Generous;
        for (var i = 0; i < times; i++)
        {
            Assert.True(await signal.WaitAsync(limit), $"{what} ({i} of {times}): not within {limit.TotalSeconds:0.#} s");
        }
    }
}
