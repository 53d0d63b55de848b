using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace CachedGen.IntegrationTests;

/// <summary>Polling for what another node or Redis does a moment later (a backplane message, a reconnect).</summary>
internal static class Eventually
{
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

            await Task.Delay(5);
        }
    }
}
