using System;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace CachedGen.IntegrationTests;

/// <summary>
/// A miss is answered when the source answers and its value reaches Redis a round trip later
/// (<see cref="CachedGenOptions.BackgroundFill"/>): a test that reads Redis itself (a plain client, EXISTS, TTL, the
/// commands sent, fill metrics) after a miss first waits here until the fills of the nodes that missed have landed.
/// </summary>
internal static class BackgroundFills
{
    /// <summary>Completes when none of <paramref name="runtimes"/> has a fill pending.</summary>
    public static async Task LandedAsync(params CacheRuntime[] runtimes)
    {
        foreach (var runtime in runtimes)
        {
            await runtime.PendingFills.WhenIdleAsync();
        }
    }

    /// <summary>Completes when the runtime of each dependency-injection node has no fill pending.</summary>
    public static Task LandedAsync(params IServiceProvider[] nodes)
        => LandedAsync(Array.ConvertAll(nodes, node => node.GetRequiredService<CacheRuntime>()));
}
