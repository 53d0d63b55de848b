// Cacheable results: which return types can be cached and stored, and the kind of result a method has.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator;

internal static partial class CacheRules
{
    internal static bool TryGetCacheableResult(IMethodSymbol method, out ResultKind kind, out ITypeSymbol valueType)
        => UncacheableReason(method, out kind, out valueType) is null;

    /// <summary>Why <paramref name="method"/> cannot be cached, or <see langword="null"/> when it can.</summary>
    internal static string? UncacheableReason(IMethodSymbol method, out ResultKind kind, out ITypeSymbol valueType)
    {
        kind = ResultKind.Value;
        valueType = method.ReturnType;
        if (method.ReturnsVoid)
        {
            return "it returns no value";
        }

        if (method.IsGenericMethod)
        {
            return "generic methods are not cached (the key could not name the type argument)";
        }

        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return "it returns by reference";
        }

        foreach (var parameter in method.Parameters)
        {
            if (ParameterProblem(parameter) is { } problem)
            {
                return problem;
            }
        }

        var resultKind = KindOf(method);
        switch (resultKind)
        {
            case ResultKind.Task:
            case ResultKind.ValueTask:
                return $"'{method.ReturnType.Name}' without a result has nothing to cache";
            case ResultKind.TaskOfT:
            case ResultKind.ValueTaskOfT:
                kind = resultKind;
                valueType = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
                break;
        }

        return UnstorableResultReason(valueType);
    }

    /// <summary>Why the parameter keeps its method from being cached (CG0007), or <see langword="null"/>: passed by
    /// <c>ref</c> or <c>out</c>, or a ref struct (<c>Span&lt;T&gt;</c>) or pointer, which the loader's state cannot hold.
    /// CG0004 and CG0005 say nothing more of such a parameter: no key or template can make the method cacheable.</summary>
    internal static string? ParameterProblem(IParameterSymbol parameter)
    {
        if (parameter.RefKind is RefKind.Ref or RefKind.Out)
        {
            return $"parameter '{parameter.Name}' is passed by 'ref' or 'out'";
        }

        return parameter.Type.IsRefLikeType || parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol
            ? $"parameter '{parameter.Name}' is a ref struct or pointer"
            : null;
    }

    /// <summary>Results that cannot be shared between callers or stored: streams, lazy queries, disposables, delegates.</summary>
    internal static string? UnstorableResultReason(ITypeSymbol type)
    {
        if (type.IsRefLikeType || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            return $"'{type.ToDisplayString()}' cannot be stored";
        }

        if (type.TypeKind is TypeKind.Delegate)
        {
            return $"'{type.ToDisplayString()}' is a delegate";
        }

        // A generic interface's type parameter (IRepository<TEntity>) is closed when the decorator is, so its values can
        // be serialized; a generic method's cannot (CG0007 reports generic methods).
        if (type is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Type })
        {
            return null;
        }

        if (type.TypeKind is TypeKind.TypeParameter or TypeKind.Dynamic || type.SpecialType == SpecialType.System_Object)
        {
            return $"'{type.ToDisplayString()}' does not say what to serialize";
        }

        var definition = type.OriginalDefinition;
        if (definition.HasFullName("System.Collections.Generic.IAsyncEnumerable`1"))
        {
            return "an 'IAsyncEnumerable<T>' is a stream of results read once";
        }

        if (definition.HasFullName("System.Linq.IQueryable`1") || definition.HasFullName("System.Linq.IQueryable"))
        {
            return "an 'IQueryable' is a query, not its results";
        }

        // Names compared without being built: this runs for every cached method, over all of its result's interfaces.
        foreach (var implemented in type.AllInterfaces)
        {
            if (UnstorableInterfaceReason(type, implemented.OriginalDefinition) is { } reason)
            {
                return reason;
            }
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Interface } && UnstorableInterfaceReason(type, definition) is { } own)
        {
            return own;
        }

        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (current.HasFullName("System.IO.Stream"))
            {
                return "a 'Stream' is read once";
            }
        }

        return null;
    }

    private static string? UnstorableInterfaceReason(ITypeSymbol type, ITypeSymbol implemented)
    {
        if (implemented.HasFullName("System.Linq.IQueryable"))
        {
            return "an 'IQueryable' is a query, not its results";
        }

        return implemented.HasFullName("System.IDisposable") || implemented.HasFullName("System.IAsyncDisposable")
            ? $"'{type.ToDisplayString()}' is disposable: one caller would dispose what the others still use"
            : null;
    }

    internal static ResultKind KindOf(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return ResultKind.Void;
        }

        // Names compared without being built (this runs for every method of every decorated interface).
        var type = method.ReturnType.OriginalDefinition;
        return type.HasFullName(KnownNames.TaskOfT) ? ResultKind.TaskOfT
            : type.HasFullName(KnownNames.ValueTaskOfT) ? ResultKind.ValueTaskOfT
            : type.HasFullName(KnownNames.Task) ? ResultKind.Task
            : type.HasFullName(KnownNames.ValueTask) ? ResultKind.ValueTask
            : ResultKind.Value;
    }
}
