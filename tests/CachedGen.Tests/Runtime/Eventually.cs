using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.Tests.Runtime;

internal static class Eventually
{
    /// <summary>Waits for a background continuation to make <paramref name="condition"/> true, yielding between looks;
    /// fails after a generous bound (a signal wait, not a timing assertion).</summary>
    public static async Task TrueAsync(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < CachedMethodHarness.Wait, $"timed out waiting for: {what}");
            await Task.Yield();
        }
    }
}
