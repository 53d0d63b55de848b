using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CachedGen;

/// <summary>Warm-up: entries filled through the cache when the application starts.</summary>
public static class CachedGenWarmUpExtensions
{
    /// <summary>
    /// Declares entries to fill at start: for each item <paramref name="items"/> returns, <paramref name="call"/> calls a
    /// cached method of <typeparamref name="TService"/> (the decorated service), at most
    /// <paramref name="maxConcurrency"/> at a time. Entries other nodes already wrote to Redis are read from there; the
    /// rest come from the source, one call per key across nodes. A hosted service runs every declaration in the
    /// background when the host starts; a failing item is logged and skipped, and never stops the application.
    /// </summary>
    /// <example><code>
    /// services.AddCachedGen().UseRedis("localhost:6379")
    ///     .WarmUp&lt;IFormRepository, int&gt;(_ =&gt; [1, 2, 3], (forms, id, ct) =&gt; forms.GetSchemaAsync(id, ct));
    /// </code></example>
    public static CachedGenBuilder WarmUp<TService, TItem>(
        this CachedGenBuilder builder,
        Func<IServiceProvider, IEnumerable<TItem>> items,
        Func<TService, TItem, CancellationToken, Task> call,
        int maxConcurrency = 4)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);

        builder.Services.AddSingleton(new WarmUpDeclaration(
            typeof(TService).Name,
            async (provider, cancellationToken) =>
            {
                // Scopes, as a request has: the repository is usually scoped (an EF Core DbContext behind it), which the
                // root provider must not hand out, and which must not serve two items at once. The items are listed in
                // a scope of their own (they may come from the database too), each item is loaded in its own.
                var failed = 0;
                var count = 0;
                await using var listing = provider.CreateAsyncScope();
                await Parallel.ForEachAsync(
                    items(listing.ServiceProvider),
                    new ParallelOptions { MaxDegreeOfParallelism = maxConcurrency, CancellationToken = cancellationToken },
                    async (item, ct) =>
                    {
                        try
                        {
                            await using var scope = provider.CreateAsyncScope();
                            await call(scope.ServiceProvider.GetRequiredService<TService>(), item, ct).ConfigureAwait(false);
                            Interlocked.Increment(ref count);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                        {
                            if (Interlocked.Increment(ref failed) == 1)
                            {
                                WarmUpLog.ItemFailed(provider.GetService<ILoggerFactory>()?.CreateLogger("CachedGen") ?? NullLogger.Instance, typeof(TService).Name, ex);
                            }
                        }
                    }).ConfigureAwait(false);
                return (count, failed);
            }));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CachedGenWarmUpService>());
        return builder;
    }
}

internal sealed record WarmUpDeclaration(string Service, Func<IServiceProvider, CancellationToken, Task<(int Count, int Failed)>> Run);

/// <summary>Runs the <see cref="CachedGenWarmUpExtensions.WarmUp{TService, TItem}"/> declarations in the background at start.</summary>
internal sealed class CachedGenWarmUpService(IServiceProvider provider, IEnumerable<WarmUpDeclaration> declarations, ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = loggerFactory?.CreateLogger("CachedGen") ?? NullLogger.Instance;

    /// <summary>Completes when every declaration has run (tests wait for it).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Completion = Task.Run(RunAllAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task RunAllAsync()
    {
        // The runtime's one clock (CachedGenOptions.TimeProvider, or the container's), so a test's provider drives it.
        var runtime = provider.GetService<CacheRuntime>();
        var time = runtime?.Time ?? TimeProvider.System;
        foreach (var declaration in declarations)
        {
            var started = time.GetTimestamp();
            try
            {
                var (count, failed) = await declaration.Run(provider, _stopping.Token).ConfigureAwait(false);
                if (runtime is not null)
                {
                    // Misses are answered before their Redis fill lands (CachedGenOptions.BackgroundFill): done means
                    // the values are in Redis for the other nodes too.
                    await runtime.PendingFills.WhenIdleAsync().ConfigureAwait(false);
                }

                WarmUpLog.Done(_logger, declaration.Service, count, failed, (long)time.GetElapsedTime(started).TotalMilliseconds);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                WarmUpLog.ItemFailed(_logger, declaration.Service, ex);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

internal static partial class WarmUpLog
{
    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "CachedGen: warm-up of {Service} filled {Count} entries in {ElapsedMs} ms ({Failed} failed)")]
    public static partial void Done(ILogger logger, string service, int count, int failed, long elapsedMs);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "CachedGen: warm-up of {Service} could not fill an entry (further failures are counted, not logged)")]
    public static partial void ItemFailed(ILogger logger, string service, Exception exception);
}
