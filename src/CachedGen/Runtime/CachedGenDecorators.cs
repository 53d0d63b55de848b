using System;
using System.Collections.Concurrent;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>
/// The decorators generated in the loaded assemblies. Each generated file registers its decorator from a module
/// initializer, so <c>AddCachedGen</c> finds them without scanning assemblies or reflecting over types.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CachedGenDecorators
{
    private static readonly ConcurrentDictionary<Type, Func<object, CacheRuntime, object>> Factories = new();

    /// <summary>Registers the decorator factory for <typeparamref name="TService"/>.</summary>
    public static void Register<TService>(Func<TService, CacheRuntime, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factories[typeof(TService)] = (inner, runtime) => factory((TService)inner, runtime);
    }

    /// <summary>Finds the decorator factory for <paramref name="serviceType"/>.</summary>
    public static bool TryGet(Type serviceType, out Func<object, CacheRuntime, object> factory)
        => Factories.TryGetValue(serviceType, out factory!);
}
