using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Sample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace CachedGen.LoadTest;

/// <summary>The form contract as the docs tell users to cache a hot, written entity: read-through, and write-through
/// (<c>[CachePut]</c>) on the write, which returns the form as stored.</summary>
public interface IWarmFormRepository
{
    // The key of the sample's IFormRepository.GetSchemaAsync, and of FusionCache's hand-written decorator: the warm and
    // the cold mode each run alone in a process, and compare the same keys.
#pragma warning disable CG0010
    [Cached("1h", "form:{formId}:schema")]
    Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default);
#pragma warning restore CG0010

    [CachePut(nameof(GetSchemaAsync))]
    Task<FormSchema?> SaveSchemaAsync(int formId, FormSchema schema, CancellationToken ct = default);
}

/// <summary>The warm mode's source: <see cref="InMemoryFormSource"/>; a save returns the form as stored after it (a
/// newer revision a concurrent write stored wins, as <c>UPDATE … WHERE revision &lt; @rev</c> then a read would).</summary>
internal sealed class WarmFormSource(InMemoryFormSource source) : IWarmFormRepository
{
    public Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default) => source.GetSchemaAsync(formId, ct);

    public async Task<FormSchema?> SaveSchemaAsync(int formId, FormSchema schema, CancellationToken ct = default)
    {
        await source.UpdateSchemaAsync(formId, WarmMode.Tenant, schema, ct).ConfigureAwait(false);
        return source.Committed(formId);
    }
}

/// <summary>
/// The warm mode (<c>--mode warm</c>): every node fills its cache before the run, hottest keys last, and writes put the
/// stored value in the cache instead of removing it. Writes of one form are serialized (one writer per form, as an
/// application whose writes of an entity go through one queue or row lock): write-through is safe only for entries not
/// written concurrently (docs/consistency.md), and both engines get the same lock.
/// </summary>
internal static class WarmMode
{
    public static readonly Guid Tenant = new("5b0d6f1e-9c8a-4e43-9a51-2f8f1c7a3d10");

    /// <summary>Warm-up calls in flight per node.</summary>
    public const int WarmUpConcurrency = 16;

    /// <summary>The hot set, in the order it is warmed: under Zipf(1.0) over 100,000 keys 95 % of draws need the top
    /// 55,000, so the hot set is every key; the least popular first, so that the hottest are the last written to an L1
    /// smaller than the key space.</summary>
    public static IEnumerable<int> HotSetOrder(int keys) => Enumerable.Range(1, keys).Reverse();

    public static string DescribeWarmUp(TimeSpan took, int nodes, int keys)
        => string.Create(CultureInfo.InvariantCulture, $"warm-up of {keys:N0} keys on {nodes} nodes took {took.TotalSeconds:F1} s");

    /// <summary>A CachedGen node as an application builds it: the source registered, <c>AddCachedGen</c> (which
    /// decorates it), Redis, and the warm-up feature over the hot set; the host's hosted services started and the
    /// warm-up waited for.</summary>
    public static async Task<(CacheRuntime Runtime, IFormRepository Node, IAsyncDisposable Owned)> CreateCachedGenNodeAsync(
        InMemoryFormSource source, IConnectionMultiplexer mux, Action<CachedGenOptions> configure, ILoggerFactory logs, Action<Action> constructing, LoadTestOptions options)
    {
        var services = new ServiceCollection();
        services.AddSingleton(logs);
        services.AddSingleton<IWarmFormRepository>(new WarmFormSource(source));
        var warmed = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        services.AddCachedGen(configure)
            .UseRedis(mux)
            .WarmUp<IWarmFormRepository, int>(
                _ => HotSetOrder(options.Keys),
                async (forms, id, ct) =>
                {
                    try
                    {
                        await forms.GetSchemaAsync(id, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        if (Interlocked.Increment(ref warmed) == options.Keys)
                        {
                            done.TrySetResult();
                        }
                    }
                },
                WarmUpConcurrency);
        var provider = services.BuildServiceProvider();
        CacheRuntime runtime = null!;
        constructing(() => runtime = provider.GetRequiredService<CacheRuntime>());
        var hosted = provider.GetServices<IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        var node = new WarmCachedGenNode(provider.GetRequiredService<IWarmFormRepository>(), source);
        return (runtime, node, new Owned(provider, hosted));
    }

    /// <summary>FusionCache's own way to fill a node before traffic: the same calls, in the same order and concurrency.</summary>
    public static Task WarmFusionCacheAsync(IFusionCache cache, IFormRepository source, int keys)
        => Parallel.ForEachAsync(
            HotSetOrder(keys),
            new ParallelOptions { MaxDegreeOfParallelism = WarmUpConcurrency },
            async (id, ct) => await cache.GetOrSetAsync<FormSchema?>(FusionFormRepository.Key(id), (_, token) => source.GetSchemaAsync(id, token), token: ct).ConfigureAwait(false));

    public static async Task<TimeSpan> TimeAsync(Func<Task> warm)
    {
        var started = Stopwatch.GetTimestamp();
        await warm().ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    private sealed class Owned(ServiceProvider provider, IHostedService[] hosted) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var service in hosted)
            {
                await service.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await provider.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>One writer per form: the warm mode's writes of a form run one at a time (1,024 stripes).</summary>
internal static class FormWriteLocks
{
    private static readonly SemaphoreSlim[] Stripes = Enumerable.Range(0, 1024).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    private static readonly AsyncLocal<StrongBox<long>?> Waited = new();

    /// <summary>From now on, the writes of this async flow (a worker) report their wait for their form's turn, in
    /// <see cref="Stopwatch"/> ticks, in <paramref name="waited"/>.</summary>
    public static void TrackWaitsOfThisFlow(StrongBox<long> waited) => Waited.Value = waited;

    public static async Task RunAsync(int formId, Func<Task> write)
    {
        var stripe = Stripes[formId & (Stripes.Length - 1)];
        var asked = Stopwatch.GetTimestamp();
        await stripe.WaitAsync().ConfigureAwait(false);
        if (Waited.Value is { } waited)
        {
            waited.Value = Stopwatch.GetTimestamp() - asked;
        }

        try
        {
            await write().ConfigureAwait(false);
        }
        finally
        {
            stripe.Release();
        }
    }
}

/// <summary>The workers' view of a warm CachedGen node: reads through the generated decorator, writes through its
/// <c>[CachePut]</c> method, one writer per form.</summary>
internal sealed class WarmCachedGenNode(IWarmFormRepository cached, IFormRepository source) : IFormRepository
{
    public Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default) => cached.GetSchemaAsync(formId, ct);

    public Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default)
        => FormWriteLocks.RunAsync(formId, () => cached.SaveSchemaAsync(formId, schema, ct));

    public Task DeleteFormAsync(int formId, CancellationToken ct = default) => source.DeleteFormAsync(formId, ct);

    public ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default) => source.ListFormsAsync(tenantId, page, ct);

    public Task<UserProfile?> GetProfileAsync(string email, CancellationToken ct = default) => source.GetProfileAsync(email, ct);
}

/// <summary>FusionCache's own write path for the warm mode: the source write, then <c>SetAsync</c> with the form as
/// stored (memory, Redis, and the other nodes' memory through the backplane), one writer per form.</summary>
internal sealed class FusionWriteThroughRepository(InMemoryFormSource inner, IFusionCache cache, FusionCacheHarness harness) : IFormRepository
{
    public Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default)
        => FusionRead.CountAsync(harness, () => cache.GetOrSetAsync<FormSchema?>(FusionFormRepository.Key(formId), (_, token) => inner.GetSchemaAsync(formId, token), token: ct));

    public Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default)
        => FormWriteLocks.RunAsync(formId, async () =>
        {
            await inner.UpdateSchemaAsync(formId, tenantId, schema, ct).ConfigureAwait(false);
            await cache.SetAsync(FusionFormRepository.Key(formId), inner.Committed(formId), token: ct).ConfigureAwait(false);
        });

    public Task DeleteFormAsync(int formId, CancellationToken ct = default) => inner.DeleteFormAsync(formId, ct);

    public ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default) => inner.ListFormsAsync(tenantId, page, ct);

    public Task<UserProfile?> GetProfileAsync(string email, CancellationToken ct = default) => inner.GetProfileAsync(email, ct);
}
