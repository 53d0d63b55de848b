using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using CachedGen.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CachedGen;

/// <summary>Registers CachedGen in a service collection.</summary>
public static class CachedGenServiceCollectionExtensions
{
    /// <summary>Adds CachedGen with default options (L1 only until <see cref="CachedGenBuilder.UseRedis(string)"/>).</summary>
    public static CachedGenBuilder AddCachedGen(this IServiceCollection services) => services.AddCachedGen((Action<CachedGenOptions>?)null);

    /// <summary>
    /// Adds CachedGen with its options read from <paramref name="configuration"/> (<c>builder.Configuration.GetSection("CachedGen")</c>),
    /// and read again when that configuration reloads. Durations take the attribute's syntax (<c>"30s"</c>, <c>"5m"</c>)
    /// or <c>"00:00:30"</c>, secrets base64; a value that cannot be read stops the runtime at start, naming its path and
    /// value, and a reload carrying one is rejected whole (event 1015). Unlike
    /// <c>services.Configure&lt;CachedGenOptions&gt;(section)</c>, it needs no configuration binder, so it builds without
    /// warnings and runs the same under Native AOT, where the binder's source generator is on.
    /// </summary>
    public static CachedGenBuilder AddCachedGen(this IServiceCollection services, IConfiguration configuration)
        => services.AddCachedGen(configuration, null);

    /// <summary>
    /// Adds CachedGen with its options read from <paramref name="configuration"/>, as
    /// <see cref="AddCachedGen(IServiceCollection, IConfiguration)"/>, then <paramref name="configure"/> (which wins over
    /// the configuration for what it sets: secrets from a vault, a <see cref="CachedGenOptions.TimeProvider"/>).
    /// </summary>
    public static CachedGenBuilder AddCachedGen(this IServiceCollection services, IConfiguration configuration, Action<CachedGenOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CachedGenOptions>();
        services.AddSingleton<IOptionsChangeTokenSource<CachedGenOptions>>(new ConfiguredOptions.ChangeSource(configuration));
        services.AddSingleton<IConfigureOptions<CachedGenOptions>>(new ConfiguredOptions.Setup(configuration));
        return services.AddCachedGen(configure);
    }

    /// <summary>
    /// Adds CachedGen and decorates every service registered <em>before</em> this call whose service type has a
    /// generated decorator. The original registration is kept as a keyed service with the same lifetime, and the
    /// decorator wraps it. A generic interface's registrations are decorated too, closed
    /// (<c>AddScoped&lt;IRepository&lt;Order&gt;, EfRepository&lt;Order&gt;&gt;()</c>) or open
    /// (<c>AddScoped(typeof(IRepository&lt;&gt;), typeof(EfRepository&lt;&gt;))</c>, which needs an implementation type).
    /// </summary>
    public static CachedGenBuilder AddCachedGen(this IServiceCollection services, Action<CachedGenOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<CachedGenOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp =>
        {
            var redis = sp.GetService<RedisConnectionSource>();
            var monitor = sp.GetRequiredService<IOptionsMonitor<CachedGenOptions>>();
            var runtime = new CacheRuntime(
                monitor.CurrentValue,
                redis?.Connect(sp),
                redis?.OwnsConnection ?? false,
                sp.GetService<ILoggerFactory>(),
                sp.GetService<TimeProvider>());

            // Reloaded configuration (appsettings.json with reloadOnChange, or any IOptionsMonitor source) applies from
            // the next call: kill switches, per-method TTLs, early refresh, fail-safe, timeouts.
            runtime.OptionsSubscription = monitor.OnChange(runtime.TryReload);
            WarnOfUndecoratedRegistrations(services, runtime.Logger);
            return runtime;
        });

        services.TryAddSingleton<ICacheInvalidator>(static sp => sp.GetRequiredService<CacheRuntime>());
        var decorated = DecoratedTypesOf(services);
        DecorateRegisteredServices(services, decorated.Types);

        // Under a host, the runtime is built and every decorated repository checked against the options at start: a
        // missing secret stops the host instead of failing each call (CachedGenStartupCheck).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, CachedGenStartupCheck>());
        return new CachedGenBuilder(services);
    }

    /// <summary>Whether a registration is CachedGen's own: a decorator, or the original it wraps.</summary>
    private static bool IsDecoration(ServiceDescriptor descriptor)
        => descriptor.IsKeyedService
            ? descriptor.ServiceKey is InnerKey or CachedGenDecorators.InnerServiceKey || Equals(descriptor.ServiceKey, KeyedService.AnyKey)
                || descriptor.KeyedImplementationFactory?.Target is DecoratedService
            : descriptor.ImplementationFactory?.Target is DecoratedService || CachedGenDecorators.IsGenericDecorator(descriptor.ImplementationType);

    /// <summary>Generated decorators register themselves from a module initializer; makes sure it has run for the
    /// service type's assembly even when none of its code has executed yet.</summary>
    private static void EnsureDecoratorsKnown(Type serviceType, HashSet<ModuleHandle> initialized)
    {
        var module = serviceType.Module.ModuleHandle;
        if (initialized.Add(module))
        {
            RuntimeHelpers.RunModuleConstructor(module);
        }
    }

    /// <summary>Logs (1019) each service type that has a generated decorator but a registration left undecorated: made
    /// after <c>AddCachedGen()</c>, or keyed and open generic; and (1030) each registration of a generic interface whose
    /// decorator a trimmed or Native AOT build does not register. Runs once, when the runtime is first resolved (the
    /// collection is complete by then).</summary>
    private static void WarnOfUndecoratedRegistrations(IServiceCollection services, ILogger logger)
    {
        var initialized = new HashSet<ModuleHandle>();
        var warned = new HashSet<Type>();
        foreach (var descriptor in services)
        {
            var serviceType = descriptor.ServiceType;
            if (!serviceType.IsInterface || IsDecoration(descriptor) || warned.Contains(serviceType))
            {
                continue;
            }

            EnsureDecoratorsKnown(serviceType, initialized);
            if (HasDecorator(serviceType) && warned.Add(serviceType))
            {
                Runtime.Log.UndecoratedRegistration(logger, serviceType.ToString());
            }
            else if (CachedGenDecorators.IsUnusableGeneric(serviceType) && warned.Add(serviceType))
            {
                Runtime.Log.UnusableGenericRegistration(logger, serviceType.ToString(), (serviceType.IsGenericTypeDefinition ? serviceType : serviceType.GetGenericTypeDefinition()).Name);
            }
        }
    }

    /// <summary>The collection's record of decorated service types, added on the first call.</summary>
    private static DecoratedServiceTypes DecoratedTypesOf(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(DecoratedServiceTypes) && descriptor.ImplementationInstance is DecoratedServiceTypes known)
            {
                return known;
            }
        }

        var types = new DecoratedServiceTypes();
        services.AddSingleton(types);
        return types;
    }

    private static void DecorateRegisteredServices(IServiceCollection services, HashSet<Type> decoratedTypes)
    {
        var initialized = new HashSet<ModuleHandle>();
        var partitions = Partitions(services, initialized);
        var count = services.Count;
        for (var i = 0; i < count; i++)
        {
            var descriptor = services[i];
            var serviceType = descriptor.ServiceType;
            if (IsDecoration(descriptor))
            {
                continue;
            }

            EnsureDecoratorsKnown(serviceType, initialized);

            if (serviceType.IsGenericTypeDefinition)
            {
                // services.AddScoped(typeof(IRepository<>), typeof(EfRepository<>)): the container closes the decorator
                // itself, and the decorator's constructor takes the inner service by CachedGenDecorators.InnerServiceKey.
                // A keyed open registration is left as it is: the decorator's constructor names one key, which a keyed
                // and an unkeyed open registration of the same interface would share (docs/getting-started.md).
                if (!descriptor.IsKeyedService && CachedGenDecorators.TryGetGeneric(serviceType, out var open) && descriptor.ImplementationType is { } openImplementation)
                {
                    services.Add(new ServiceDescriptor(serviceType, CachedGenDecorators.InnerServiceKey, openImplementation, descriptor.Lifetime));
                    services[i] = new ServiceDescriptor(serviceType, open.Definition, descriptor.Lifetime);
                }

                continue;
            }

            Func<object, IServiceProvider, object>? decorate = null;
            if (CachedGenDecorators.TryGet(serviceType, out var factory))
            {
                decorate = (inner, provider) => factory(inner, provider.GetRequiredService<CacheRuntime>());
                decoratedTypes.Add(serviceType);
            }
            else if (serviceType.IsConstructedGenericType && CachedGenDecorators.TryGetGeneric(serviceType.GetGenericTypeDefinition(), out var generic))
            {
                // services.AddScoped<IRepository<Order>, EfRepository<Order>>(): the generic decorator closed over the
                // same type arguments, given this registration's own inner service (two registrations of one
                // interface each keep theirs, for IEnumerable<IRepository<Order>>).
                var create = ActivatorUtilities.CreateFactory(CloseDecorator(generic, serviceType), [serviceType]);
                decorate = (inner, provider) => create(provider, [inner]);
            }

            if (decorate is not null)
            {
                // A unique key per decorated registration: nobody else can resolve the undecorated service by accident,
                // and each registration of a service type (keyed or not) wraps its own original.
                var partition = partitions.GetValueOrDefault(i);
                var decorated = new DecoratedService(serviceType, decorate, descriptor.Lifetime, partition);
                services.Add(Inner(descriptor, decorated.InnerKey));
                services[i] = descriptor.IsKeyedService
                    ? new ServiceDescriptor(serviceType, descriptor.ServiceKey, decorated.CreateKeyed, descriptor.Lifetime)
                    : new ServiceDescriptor(serviceType, decorated.Create, descriptor.Lifetime);
            }
        }
    }

    /// <summary>Whether <paramref name="serviceType"/> (an interface, closed or open generic) has a generated decorator.</summary>
    private static bool HasDecorator(Type serviceType)
        => CachedGenDecorators.TryGet(serviceType, out _)
           || CachedGenDecorators.TryGetGeneric(serviceType.IsConstructedGenericType ? serviceType.GetGenericTypeDefinition() : serviceType, out _);

    /// <summary>
    /// The partitions of registrations whose entries are kept apart: where a service type has several decorated
    /// registrations (keyed ones, or two implementations of one interface for <c>IEnumerable&lt;T&gt;</c>), they are
    /// different sources, and one's cached answer must not be served for another. A keyed one is named by its service
    /// key; an unkeyed one by its implementation type (or its position among the registrations of the service type),
    /// except the last unkeyed one, the one <c>GetService&lt;T&gt;()</c> returns, which keeps the method's own entries.
    /// A service type with one decorated registration keeps the method's own entries, keyed or not, unless an earlier
    /// call decorated one of it already.
    /// </summary>
    private static Dictionary<int, string> Partitions(IServiceCollection services, HashSet<ModuleHandle> initialized)
    {
        var byType = new Dictionary<Type, List<int>>();
        // Service types an earlier AddCachedGen call decorated: that registration kept the method's own entries (or
        // its own partition), so every registration decorated now is told apart from it.
        var decoratedBefore = new HashSet<Type>();
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if ((descriptor.IsKeyedService ? descriptor.KeyedImplementationFactory?.Target : descriptor.ImplementationFactory?.Target) is DecoratedService)
            {
                decoratedBefore.Add(descriptor.ServiceType);
            }

            if (IsDecoration(descriptor) || descriptor.ServiceType.IsGenericTypeDefinition || !descriptor.ServiceType.IsInterface)
            {
                continue;
            }

            EnsureDecoratorsKnown(descriptor.ServiceType, initialized);
            if (HasDecorator(descriptor.ServiceType))
            {
                if (!byType.TryGetValue(descriptor.ServiceType, out var indexes))
                {
                    byType.Add(descriptor.ServiceType, indexes = []);
                }

                indexes.Add(i);
            }
        }

        var partitions = new Dictionary<int, string>();
        foreach (var (serviceType, indexes) in byType)
        {
            var before = decoratedBefore.Contains(serviceType);
            if (indexes.Count < 2 && !before)
            {
                continue;
            }

            var lastUnkeyed = before ? -1 : indexes.FindLastIndex(i => !services[i].IsKeyedService);
            var used = new HashSet<string>(StringComparer.Ordinal);
            for (var n = 0; n < indexes.Count; n++)
            {
                var descriptor = services[indexes[n]];
                if (n == lastUnkeyed)
                {
                    continue;
                }

                string name;
                if (descriptor.IsKeyedService)
                {
                    name = PartitionOf(descriptor.ServiceKey);
                }
                else
                {
                    var implementation = descriptor.ImplementationType ?? descriptor.ImplementationInstance?.GetType();
                    name = implementation?.FullName ?? "#" + (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                if (!used.Add(name))
                {
                    name += "#" + (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    used.Add(name);
                }

                partitions.Add(indexes[n], name);
            }
        }

        return partitions;
    }

    /// <summary>The partition of a keyed registration: its service key as text (invariant culture).</summary>
    private static string PartitionOf(object? serviceKey) => serviceKey switch
    {
        string text => text,
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        null => "",
        _ => serviceKey.ToString() ?? serviceKey.GetType().FullName ?? "",
    };

    /// <summary>The generic decorator closed over <paramref name="serviceType"/>'s type arguments, by the generated method
    /// that names it (<see cref="GenericDecoratorCloser"/>). Without dynamic code (native AOT) only reference-type
    /// arguments, which share one instantiation, can work; a value-type one is refused with a message instead of
    /// failing later. An application published with AOT is warned at build time by that generated method's
    /// <c>[RequiresDynamicCode]</c>.</summary>
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
    private static Type CloseDecorator(CachedGenDecorators.GenericDecorator decorator, Type serviceType)
    {
        var arguments = serviceType.GetGenericArguments();
        if (!RuntimeFeature.IsDynamicCodeSupported && Array.Exists(arguments, static a => a.IsValueType))
        {
            throw new NotSupportedException(
                $"{serviceType} has a value-type argument, and without dynamic code (native AOT) CachedGen cannot close its generic decorator {decorator.Definition.Name} over it: register the decorator by hand (new {decorator.Definition.Name}(inner, runtime)).");
        }

        return decorator.Close(arguments);
    }

    /// <summary>The original registration, as a service keyed by <paramref name="key"/> with the same lifetime. A keyed
    /// original's factory still receives its own service key.</summary>
    private static ServiceDescriptor Inner(ServiceDescriptor original, InnerKey key)
    {
        var serviceType = original.ServiceType;
        if (original.IsKeyedService)
        {
            var serviceKey = original.ServiceKey;
            if (original.KeyedImplementationInstance is { } keyedInstance)
            {
                return new ServiceDescriptor(serviceType, key, keyedInstance);
            }

            if (original.KeyedImplementationFactory is { } createKeyed)
            {
                return new ServiceDescriptor(serviceType, key, (sp, _) => createKeyed(sp, serviceKey), original.Lifetime);
            }

            return new ServiceDescriptor(serviceType, key, original.KeyedImplementationType!, original.Lifetime);
        }

        if (original.ImplementationInstance is { } instance)
        {
            return new ServiceDescriptor(serviceType, key, instance);
        }

        if (original.ImplementationFactory is { } create)
        {
            return new ServiceDescriptor(serviceType, key, (sp, _) => create(sp), original.Lifetime);
        }

        return new ServiceDescriptor(serviceType, key, original.ImplementationType!, original.Lifetime);
    }

    /// <summary>The key of one decorated registration's original.</summary>
    private sealed class InnerKey;

    private sealed class DecoratedService(Type serviceType, Func<object, IServiceProvider, object> decorate, ServiceLifetime lifetime, string? partition)
    {
        private DecoratorOrigin? _origin;

        public InnerKey InnerKey { get; } = new();

        public object Create(IServiceProvider provider)
        {
            var inner = provider.GetRequiredKeyedService(serviceType, InnerKey);
            // The container disposes the inner service it created: the decorator does not dispose it again.
            var decorator = CachedGenDecorators.BuildForContainer(() => partition is null ? decorate(inner, provider) : CacheRuntime.InPartition(partition, () => decorate(inner, provider)));
            // An inner service of a scope (scoped, or transient with scoped dependencies) may be gone, or busy, when the
            // cache calls the source in the background (an early refresh): the decorator is told where another comes from.
            if (lifetime != ServiceLifetime.Singleton && decorator is IScopedDecorator scoped)
            {
                scoped.AttachOrigin(_origin ??= new DecoratorOrigin(serviceType, InnerKey, provider.GetRequiredService<IServiceScopeFactory>()));
            }

            return decorator;
        }

        public object CreateKeyed(IServiceProvider provider, object? serviceKey) => Create(provider);
    }
}
