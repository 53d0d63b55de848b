using System;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code. A decorator whose inner service DI resolves in a scope (registered scoped or transient, as an
/// EF Core repository is): <c>AddCachedGen</c> attaches where that service comes from
/// (<see cref="DecoratorOrigin"/>) right after it builds the decorator.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IScopedDecorator
{
    /// <summary>Called once, by <c>AddCachedGen</c>, after construction.</summary>
    void AttachOrigin(DecoratorOrigin origin);
}

/// <summary>For generated code. Where DI resolves a decorated registration's inner service: its service type and the
/// key of the original registration, and the root scope factory, to resolve another one in a scope of its own.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class DecoratorOrigin
{
    private readonly Type _serviceType;
    private readonly object _innerKey;

    internal DecoratorOrigin(Type serviceType, object innerKey, IServiceScopeFactory scopes)
    {
        _serviceType = serviceType;
        _innerKey = innerKey;
        Scopes = scopes;
    }

    internal IServiceScopeFactory Scopes { get; }

    /// <summary>For generated code: the origin of a generic decorator the container builds for an open generic
    /// registration, whose original it resolves by <see cref="CachedGenDecorators.InnerServiceKey"/>.</summary>
    public static DecoratorOrigin OfOpenGeneric(Type serviceType, IServiceScopeFactory scopes)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        ArgumentNullException.ThrowIfNull(scopes);
        return new DecoratorOrigin(serviceType, CachedGenDecorators.InnerServiceKey, scopes);
    }

    internal object Resolve(IServiceProvider services) => services.GetRequiredKeyedService(_serviceType, _innerKey);
}

/// <summary>
/// For generated code. The cache calls the source after its caller has returned in two cases: an early refresh
/// (docs/runtime.md, step 3), which runs in the background while callers are served from the entry, and a source call
/// of a method with a source timeout, which its caller may stop waiting for. The caller's
/// inner service may belong to a DI scope that has ended (an HTTP request's: its <c>DbContext</c> is disposed) or
/// that is still in use by the caller (a <c>DbContext</c> allows one operation at a time). Such work runs in a
/// <see cref="Frame"/>: a decorator with an <see cref="DecoratorOrigin"/> then calls an inner service resolved in a
/// scope of the work's own, created on first use and disposed when the work ends. Everywhere else, and for decorators
/// built by hand or over a singleton, the decorator's own inner service is called.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DetachedScope
{
    private static readonly AsyncLocal<Frame?> Current = new();

    /// <summary>The inner service a source call of the decorator uses: <paramref name="inner"/>, unless the call is
    /// background work of the cache and the decorator has an <paramref name="origin"/>.</summary>
    public static TService Inner<TService>(TService inner, DecoratorOrigin? origin)
        where TService : class
        => origin is not null && Current.Value is { } frame && frame.Resolve(origin) is TService detached ? detached : inner;

    /// <summary>Starts background work: source calls in this asynchronous flow use inner services of the frame's own
    /// scope until it is disposed. Call at the start of the work's own async method (the caller's flow is not
    /// changed).</summary>
    internal static Frame Enter()
    {
        var frame = new Frame();
        Current.Value = frame;
        return frame;
    }

    /// <summary>One piece of background work: the scope its source calls resolve inner services in.</summary>
    internal sealed class Frame : IAsyncDisposable
    {
        private readonly object _gate = new();
        private AsyncServiceScope? _scope;
        private DecoratorOrigin? _origin;
        private object? _inner;
        private bool _disposed;

        /// <summary>The inner service of <paramref name="origin"/> in this frame's scope (one per origin and frame), or
        /// null once the frame is disposed.</summary>
        internal object? Resolve(DecoratorOrigin origin)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return null;
                }

                if (ReferenceEquals(_origin, origin))
                {
                    return _inner;
                }

                _scope ??= origin.Scopes.CreateAsyncScope();
                _inner = origin.Resolve(_scope.Value.ServiceProvider);
                _origin = origin;
                return _inner;
            }
        }

        public ValueTask DisposeAsync()
        {
            AsyncServiceScope? scope;
            lock (_gate)
            {
                _disposed = true;
                scope = _scope;
                _inner = null;
            }

            if (ReferenceEquals(Current.Value, this))
            {
                Current.Value = null;
            }

            return scope?.DisposeAsync() ?? default;
        }
    }
}
