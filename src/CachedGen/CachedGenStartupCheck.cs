using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CachedGen;

/// <summary>The service types <c>AddCachedGen</c> decorated (one instance per service collection, added to by each
/// call).</summary>
internal sealed class DecoratedServiceTypes
{
    public HashSet<Type> Types { get; } = [];
}

/// <summary>
/// Runs when the host starts, before the application serves anything: builds the runtime (which checks the options and
/// logs each registration left undecorated, event 1019) and checks every decorated registration's cached methods
/// against the options (<see cref="CacheRuntime.EnsureUsable"/>). Options that cannot serve a method (a hashed key or a
/// sensitive value with Redis and no secret or key) stop the host with every such method named, where the same problem
/// would otherwise fail each call of the repository, at run time. Without a host (a console program that builds its own
/// provider) the same checks run when a decorator is first built.
/// </summary>
internal sealed class CachedGenStartupCheck(IServiceProvider provider, DecoratedServiceTypes decorated) : IHostedService
{
    private CacheRuntime? _runtime;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var runtime = _runtime = provider.GetRequiredService<CacheRuntime>();
        var problems = new List<string>();
        var methodIds = new List<string>();
        foreach (var serviceType in decorated.Types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (!CachedGenDecorators.TryGetDescriptors(serviceType, out var descriptors))
            {
                continue;
            }

            foreach (var descriptor in descriptors())
            {
                methodIds.Add(descriptor.MethodId);
                try
                {
                    runtime.EnsureUsable(descriptor);
                }
                catch (InvalidOperationException ex)
                {
                    problems.Add(ex.Message);
                }
            }
        }

        runtime.KnowMethods(methodIds);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                "CachedGen cannot serve the decorated repositories with these options:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "- " + p)));
        }

        return Task.CompletedTask;
    }

    /// <summary>The host is stopping: changes Redis has not confirmed get one last try (a short-lived writer, a job
    /// that exits, would otherwise leave them to nobody), and what is left is logged (event 1028).</summary>
    public Task StopAsync(CancellationToken cancellationToken)
        => _runtime?.ConfirmWritesBeforeStopAsync(cancellationToken) ?? Task.CompletedTask;
}
