using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using CachedGen.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CachedGen;

/// <summary>Registers CachedGen in a service collection.</summary>
public static class CachedGenServiceCollectionExtensions
{
    /// <summary>Adds CachedGen with default options (L1 only until <see cref="CachedGenBuilder.UseRedis(string)"/>).</summary>
    public static CachedGenBuilder AddCachedGen(this IServiceCollection services) => services.AddCachedGen(null);

    /// <summary>
    /// Adds CachedGen and decorates every service registered <em>before</em> this call whose service type has a
    /// generated decorator. The original registration is kept as a keyed service with the same lifetime, and the
    /// decorator wraps it.
    /// </summary>
    public static CachedGenBuilder AddCachedGen(this IServiceCollection services, Action<CachedGenOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CachedGenOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(static sp =>
        {
            var redis = sp.GetService<RedisConnectionSource>();
            var monitor = sp.GetRequiredService<IOptionsMonitor<CachedGenOptions>>();
            var runtime = new CacheRuntime(
                monitor.CurrentValue,
                redis?.Connect(),
                redis?.OwnsConnection ?? false,
                sp.GetService<ILoggerFactory>(),
                sp.GetService<TimeProvider>());

            // Reloaded configuration (appsettings.json with reloadOnChange, or any IOptionsMonitor source) applies from
            // the next call: kill switches, per-method TTLs, early refresh, fail-safe, timeouts.
            runtime.OptionsSubscription = monitor.OnChange(runtime.TryReload);
            return runtime;
        });

        services.TryAddSingleton<ICacheInvalidator>(static sp => sp.GetRequiredService<CacheRuntime>());
        DecorateRegisteredServices(services);
        return new CachedGenBuilder(services);
    }

    private static void DecorateRegisteredServices(IServiceCollection services)
    {
        var initialized = new HashSet<ModuleHandle>();
        var count = services.Count;
        for (var i = 0; i < count; i++)
        {
            var descriptor = services[i];
            var serviceType = descriptor.ServiceType;
            if (descriptor.IsKeyedService || serviceType.IsGenericTypeDefinition || descriptor.ImplementationFactory?.Target is DecoratedService)
            {
                continue;
            }

            // Generated decorators register themselves from a module initializer; make sure it has run even when the
            // interface lives in an assembly none of whose code has executed yet.
            var module = serviceType.Module.ModuleHandle;
            if (initialized.Add(module))
            {
                RuntimeHelpers.RunModuleConstructor(module);
            }

            if (!CachedGenDecorators.TryGet(serviceType, out var factory))
            {
                continue;
            }

            var decorated = new DecoratedService(serviceType, factory);
            services.Add(decorated.InnerDescriptor(descriptor));
            services[i] = new ServiceDescriptor(serviceType, decorated.Create, descriptor.Lifetime);
        }
    }

    private sealed class DecoratedService(Type serviceType, Func<object, CacheRuntime, object> factory)
    {
        // A unique key per decorated registration: nobody else can resolve the undecorated service by accident.
        private readonly object _innerKey = new();

        public ServiceDescriptor InnerDescriptor(ServiceDescriptor original)
        {
            if (original.ImplementationInstance is { } instance)
            {
                return new ServiceDescriptor(serviceType, _innerKey, instance);
            }

            if (original.ImplementationFactory is { } create)
            {
                return new ServiceDescriptor(serviceType, _innerKey, (sp, _) => create(sp), original.Lifetime);
            }

            return new ServiceDescriptor(serviceType, _innerKey, original.ImplementationType!, original.Lifetime);
        }

        public object Create(IServiceProvider provider)
            => factory(provider.GetRequiredKeyedService(serviceType, _innerKey), provider.GetRequiredService<CacheRuntime>());
    }
}
