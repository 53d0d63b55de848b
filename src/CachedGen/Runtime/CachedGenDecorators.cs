using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// The decorators generated in the loaded assemblies. Each generated file registers its decorator from a module
/// initializer, so <c>AddCachedGen</c> finds them without scanning assemblies or reflecting over types.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CachedGenDecorators
{
    private static readonly ConcurrentDictionary<Type, Func<object, CacheRuntime, object>> Factories = new();
    private static readonly ConcurrentDictionary<Type, Func<CacheMethodDescriptor[]>> Descriptors = new();

    /// <summary>Registers the decorator factory for <typeparamref name="TService"/>.</summary>
    public static void Register<TService>(Func<TService, CacheRuntime, TService> factory)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        Factories[typeof(TService)] = (inner, runtime) => factory((TService)inner, runtime);
    }

    /// <summary>Registers the decorator factory for <typeparamref name="TService"/>, and the descriptors of its cached
    /// methods, which <c>AddCachedGen</c> checks against the options when the host starts (a method that hashes its key
    /// needs <see cref="CachedGenOptions.KeyHashSecret"/> with Redis, for one): an application that cannot run them
    /// fails to start, instead of failing each call. Read when checked, not when registered.</summary>
    public static void Register<TService>(Func<TService, CacheRuntime, TService> factory, Func<CacheMethodDescriptor[]> descriptors)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        Register(factory);
        Descriptors[typeof(TService)] = descriptors;
    }

    /// <summary>Under the JIT, compiles <typeparamref name="TDecorator"/>'s implementations of
    /// <typeparamref name="TService"/>'s methods, once per decorator type; the generated constructor calls it.</summary>
    /// <remarks>A caller reaches a decorator through an interface call. The runtime lets an interface call site skip its
    /// lookup only once the target has code: the first call through a site, to a method not compiled yet, leaves the site
    /// as it was, and the second builds the site's dispatch stub in executable memory, which with W^X (the default) takes
    /// most of 100 µs. Compiled here, the first call (the first miss) builds it, and the first hit after it dispatches
    /// directly (docs/benchmarks.md, Cold start). Under Native AOT there is nothing to compile and nothing is done.</remarks>
    /// <typeparam name="TDecorator">The generated decorator.</typeparam>
    /// <typeparam name="TService">The interface it implements.</typeparam>
    public static void Prepare<
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TDecorator,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods | DynamicallyAccessedMemberTypes.Interfaces)] TService>()
        where TDecorator : class, TService
        where TService : class
    {
        if (!RuntimeFeature.IsDynamicCodeCompiled || Prepared<TDecorator>.Done)
        {
            return;
        }

        Prepared<TDecorator>.Done = true; // two first constructions may both compile: harmless, the second finds code
        var decorator = typeof(TDecorator);
        var instantiation = decorator.IsGenericType ? Array.ConvertAll(decorator.GetGenericArguments(), static a => a.TypeHandle) : null;
        PrepareImplementations(decorator, typeof(TService), instantiation);
        foreach (var inherited in typeof(TService).GetInterfaces())
        {
            PrepareInherited(decorator, inherited, instantiation);
        }
    }

    // The methods of an inherited interface that a trimmed application keeps are those something calls; one the
    // trimmer removed has no call to prepare for, and the mapping simply leaves it out.
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Only methods that are kept need compiling ahead of their first call.")]
    private static void PrepareInherited(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type decorator,
        Type inherited,
        RuntimeTypeHandle[]? instantiation)
        => PrepareImplementations(decorator, inherited, instantiation);

    private static void PrepareImplementations(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type decorator,
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] Type service,
        RuntimeTypeHandle[]? instantiation)
    {
        foreach (var method in decorator.GetInterfaceMap(service).TargetMethods)
        {
            // A generic method has no code until it is called with type arguments; a default interface method is the
            // interface's, not the decorator's.
            if (method.DeclaringType == decorator && !method.IsStatic && !method.IsAbstract && !method.IsGenericMethodDefinition)
            {
                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle, instantiation);
                }
                catch (Exception e) when (e is TypeLoadException or System.IO.IOException or BadImageFormatException or InvalidProgramException or MissingMemberException)
                {
                    // A method whose signature or body cannot be loaded now (a type of an assembly not deployed, say) is
                    // left to its first call, which fails as it would without the decorator; the others are prepared.
                }
            }
        }
    }

    /// <summary>Whether <see cref="Prepare{TDecorator, TService}"/> ran for <typeparamref name="TDecorator"/>.</summary>
    private static class Prepared<TDecorator>
    {
        public static bool Done;
    }

    [ThreadStatic]
    private static bool t_buildingForContainer;

    /// <summary>Whether the decorator being constructed on this thread wraps an inner service that <c>AddCachedGen</c>
    /// resolved from the DI container. The container disposes the services it created (and leaves alone the instances
    /// it was given), so such a decorator's <see cref="IDisposable.Dispose"/> and <see cref="IAsyncDisposable.DisposeAsync"/>
    /// do not dispose the inner service again; a decorator built by hand passes disposal on to the inner service it
    /// was given. Read by the generated constructor of a decorator whose interface is disposable.</summary>
    public static bool InnerOwnedByContainer => t_buildingForContainer;

    /// <summary>Runs <paramref name="build"/>, which constructs a decorator around an inner service resolved from the
    /// container (<see cref="InnerOwnedByContainer"/> is <see langword="true"/> meanwhile, on this thread).</summary>
    internal static T BuildForContainer<T>(Func<T> build)
    {
        var outer = t_buildingForContainer;
        t_buildingForContainer = true;
        try
        {
            return build();
        }
        finally
        {
            t_buildingForContainer = outer;
        }
    }

    /// <summary>The service key under which <c>AddCachedGen</c> keeps a decorated generic service's original registration;
    /// a generated generic decorator's constructor takes its inner service with
    /// <c>[FromKeyedServices(InnerServiceKey)]</c>.</summary>
    public const string InnerServiceKey = "CachedGen.Inner";

    private static readonly ConcurrentDictionary<Type, GenericDecorator> GenericDecorators = new();
    private static readonly ConcurrentDictionary<Type, bool> GenericDecoratorDefinitions = new();

    /// <summary>Registers the generic decorator <paramref name="decoratorDefinition"/> (<c>CachedRepository&lt;&gt;</c>)
    /// of the generic interface <paramref name="serviceDefinition"/> (<c>IRepository&lt;&gt;</c>); <paramref name="close"/>
    /// closes it for a closed registration of the interface.</summary>
    public static void RegisterGeneric(Type serviceDefinition, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type decoratorDefinition, GenericDecoratorCloser close)
    {
        ArgumentNullException.ThrowIfNull(serviceDefinition);
        ArgumentNullException.ThrowIfNull(decoratorDefinition);
        ArgumentNullException.ThrowIfNull(close);
        if (!serviceDefinition.IsGenericTypeDefinition || !decoratorDefinition.IsGenericTypeDefinition)
        {
            throw new ArgumentException("Both types must be generic type definitions.", nameof(decoratorDefinition));
        }

        GenericDecorators[serviceDefinition] = new GenericDecorator(decoratorDefinition, close);
        GenericDecoratorDefinitions[decoratorDefinition] = true;
    }

    private static readonly ConcurrentDictionary<Type, bool> UnregisteredGenerics = new();

    /// <summary>Notes that the generic interface <paramref name="serviceDefinition"/> (<c>IRepository&lt;&gt;</c>) has a
    /// generated decorator this build does not register: it trims or publishes with Native AOT, where closing a generic
    /// decorator is dynamic code. <c>AddCachedGen</c> then logs each registration of the interface it leaves
    /// undecorated (event 1030), instead of leaving it uncached without a word.</summary>
    public static void RegisterUnusableGeneric(Type serviceDefinition)
    {
        ArgumentNullException.ThrowIfNull(serviceDefinition);
        if (!serviceDefinition.IsGenericTypeDefinition)
        {
            throw new ArgumentException("The type must be a generic type definition.", nameof(serviceDefinition));
        }

        UnregisteredGenerics[serviceDefinition] = true;
    }

    /// <summary>Whether <paramref name="serviceType"/> is (a closed form of) a generic interface whose decorator this build
    /// does not register (<see cref="RegisterUnusableGeneric"/>).</summary>
    internal static bool IsUnusableGeneric(Type serviceType)
        => serviceType.IsGenericType && UnregisteredGenerics.ContainsKey(serviceType.IsGenericTypeDefinition ? serviceType : serviceType.GetGenericTypeDefinition());

    /// <summary>Finds the generic decorator of the generic interface <paramref name="serviceDefinition"/>.</summary>
    internal static bool TryGetGeneric(Type serviceDefinition, out GenericDecorator decorator)
        => GenericDecorators.TryGetValue(serviceDefinition, out decorator);

    /// <summary>Whether <paramref name="type"/> is (a closed form of) a registered generic decorator.</summary>
    internal static bool IsGenericDecorator(Type? type)
        => type is { IsGenericType: true } && GenericDecoratorDefinitions.ContainsKey(type.IsGenericTypeDefinition ? type : type.GetGenericTypeDefinition());

    /// <summary>Finds the decorator factory for <paramref name="serviceType"/>.</summary>
    internal static bool TryGet(Type serviceType, out Func<object, CacheRuntime, object> factory)
        => Factories.TryGetValue(serviceType, out factory!);

    /// <summary>The descriptors of <paramref name="serviceType"/>'s decorator, if it registered them.</summary>
    internal static bool TryGetDescriptors(Type serviceType, out Func<CacheMethodDescriptor[]> descriptors)
        => Descriptors.TryGetValue(serviceType, out descriptors!);

    /// <summary>A registered generic decorator; the annotated field carries the trimmer's requirement from
    /// <see cref="RegisterGeneric"/> to <see cref="TryGetGeneric"/>.</summary>
    internal readonly struct GenericDecorator([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type definition, GenericDecoratorCloser close)
    {
        /// <summary>The open decorator (<c>CachedRepository&lt;&gt;</c>).</summary>
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
        public readonly Type Definition = definition;

        /// <summary>Closes <see cref="Definition"/> over a closed service type's arguments.</summary>
        public readonly GenericDecoratorCloser Close = close;
    }
}
