using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

/// <summary>
/// The decisions that make the generator leave a <c>[Cached]</c> method uncached or a write's invalidation, tag or put
/// out of its decorator. Each is one function: the generator calls it to skip, the analyzers call it to report the
/// same reason as an error, so nothing is skipped without a diagnostic.
/// </summary>
internal static class SkipRules
{
    /// <summary>The oldest C# version the generated code compiles under (it uses <c>file</c> types, C# 11).</summary>
    internal const int MinimumLanguageVersion = 11;

    /// <summary>Whether code generated for a tree parsed with <paramref name="options"/> compiles: C# 11 or later. Below,
    /// the generator writes nothing and each <c>[Cached]</c> method is reported (CG0021).</summary>
    internal static bool LanguageVersionSupported(ParseOptions? options)
        => options is not Microsoft.CodeAnalysis.CSharp.CSharpParseOptions csharp
            || csharp.LanguageVersion >= Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11;

    /// <summary>Why no decorator can be generated for <paramref name="contract"/>, or <see langword="null"/> when one can:
    /// an interface a separate class cannot see, or one with a static abstract member (it cannot be a type argument, so
    /// neither the decorator's registration nor DI can use it). Static virtual members with a body are fine.</summary>
    internal static string? ContractProblem(INamedTypeSymbol contract)
    {
        for (var current = contract; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return $"interface '{contract.Name}' is {Describe(current.DeclaredAccessibility)}{(ReferenceEquals(current, contract) ? "" : $" (inside '{current.Name}')")}, so the generated decorator, a class of its own, cannot implement it: make it internal or public";
            }

            if (current.IsFileLocal)
            {
                return $"interface '{contract.Name}' is file-local{(ReferenceEquals(current, contract) ? "" : $" (inside '{current.Name}')")}, so the generated decorator, in a file of its own, cannot see it: make it internal or public";
            }
        }

        if (StaticAbstractMember(contract) is { } member)
        {
            return $"interface '{contract.Name}' has the static abstract member '{member.ContainingType.Name}.{member.Name}', so it cannot be a type argument and no decorator of it can be registered: move the static abstract member to an interface of its own, or give it a body (static virtual)";
        }

        return null;
    }

    /// <summary>Whether a decorator implements <paramref name="member"/> of an interface (it forwards, caches or
    /// invalidates it): an instance member that is abstract or virtual. Static and sealed members are the interface's own.</summary>
    internal static bool IsImplementedByDecorator(ISymbol member) => !member.IsStatic && (member.IsAbstract || member.IsVirtual);

    /// <summary>Whether the signature of a member the decorator implements names a type the compiler could not resolve.
    /// The generator then writes nothing for the interface: the compiler's own error (CS0246) says what to fix, and a
    /// decorator over the interface would repeat it in generated files. No CachedGen diagnostic either.</summary>
    internal static bool HasUnresolvedType(ISymbol member) => member switch
    {
        IMethodSymbol method => method.ReturnType.ContainsErrorType() || method.Parameters.Any(static p => p.Type.ContainsErrorType()),
        IPropertySymbol property => property.Type.ContainsErrorType() || property.Parameters.Any(static p => p.Type.ContainsErrorType()),
        IEventSymbol @event => @event.Type.ContainsErrorType(),
        _ => false,
    };

    /// <summary>Why an interface method with <c>[Cached]</c> cannot be implemented by a decorator, or <see langword="null"/>.</summary>
    internal static string? InterfaceMemberProblem(IMethodSymbol method)
    {
        if (method.ContainingType.TypeKind != TypeKind.Interface)
        {
            return null;
        }

        if (method.IsStatic)
        {
            return "it is a static interface member, which a decorator instance does not implement: make it an instance method";
        }

        return IsImplementedByDecorator(method)
            ? null
            : "it is a sealed or private interface member with a body, which a decorator cannot implement: make it abstract (no body) or virtual";
    }

    /// <summary>Why the decorator of <paramref name="contract"/> cannot cache its member <paramref name="method"/> (an
    /// interface method, or the class method carrying <c>[Cached]</c> for it) although the method itself could be
    /// cached, or <see langword="null"/>: a protected abstract member, which the decorator cannot call on the inner
    /// implementation, or a signature naming an <c>[Obsolete(error: true)]</c> type, which the decorator names outside
    /// the method (descriptor, field, loader) where only an obsolete interface excuses it.</summary>
    internal static string? CachedMemberProblem(IMethodSymbol method, INamedTypeSymbol contract)
    {
        if (IsUnreachable(method))
        {
            return $"it is a {Describe(method.DeclaredAccessibility)} abstract interface member, which the decorator cannot call on the inner implementation (only a derived interface can): make it public or internal";
        }

        for (INamedTypeSymbol? container = contract; container is not null; container = container.ContainingType)
        {
            if (container.GetAttributes().Any(a => a.AttributeClass.HasFullName(ObsoleteAttribute)))
            {
                return null;
            }
        }

        return ErrorObsoleteType(method) is { } obsolete
            ? $"its signature names '{obsolete.ToDisplayString()}', which is [Obsolete(error: true)], and the decorator names the cached value and key types outside the method (descriptor, field, loader), where no [Obsolete] on the method excuses them: use a type that is not obsolete, or mark the interface [Obsolete] too"
            : null;
    }

    /// <summary>Why the <c>[Cached]</c> on the class method <paramref name="method"/> is not the one a decorator uses,
    /// or <see langword="null"/>: the interface method it implements carries its own <c>[Cached]</c>, and the
    /// interface's attribute wins (the generator reads it first, <c>DecoratorParser.FindCachedAttribute</c>), so the
    /// class's TTL, template and invalidations would be ignored.</summary>
    internal static string? ShadowedByInterfaceProblem(IMethodSymbol method)
    {
        if (method.ContainingType.TypeKind == TypeKind.Interface || method.IsStatic)
        {
            return null;
        }

        foreach (var contract in CacheRules.ImplementedContracts(method))
        {
            foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
            {
                if (!SymbolEqualityComparer.Default.Equals(CacheRules.ImplementationOf(method.ContainingType, member), method))
                {
                    continue;
                }

                if (member.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.CachedAttribute)))
                {
                    return $"the interface method '{contract.Name}.{member.Name}' it implements has its own [Cached], which the decorator uses, so this one would be ignored: keep one of the two";
                }

                if (member.GetAttributes().FirstOrDefault(a => a.AttributeClass.HasFullName(KnownNames.CachePutAttribute) || a.AttributeClass.HasFullName(KnownNames.InvalidatesTagsAttribute)) is { } write)
                {
                    return $"the interface method '{contract.Name}.{member.Name}' it implements is a write ([{write.AttributeClass!.Name.Replace("Attribute", "")}]), which the decorator follows and does not cache, so this [Cached] would be ignored: keep one of the two";
                }
            }
        }

        return null;
    }

    /// <summary>How a synchronous write's result defers the write's work past the call, or <see langword="null"/>: a stream
    /// or sequence interface (an async iterator, or an iterator, runs its body as the caller enumerates it), an awaitable
    /// other than Task and ValueTask (the decorator cannot await it), a delegate or a <c>Lazy&lt;T&gt;</c> (the work runs
    /// when the caller invokes it). Materialized collections (<c>List&lt;T&gt;</c>, <c>IReadOnlyList&lt;T&gt;</c>,
    /// arrays) are not deferred.</summary>
    internal static string? DeferredWork(ITypeSymbol result)
    {
        var definition = result.OriginalDefinition;
        if (definition.HasFullName("System.Collections.Generic.IAsyncEnumerable`1") || definition.HasFullName("System.Collections.Generic.IAsyncEnumerator`1"))
        {
            return "is an asynchronous stream, whose body (an async iterator's) runs as the caller enumerates it";
        }

        if (definition.HasFullName("System.Collections.Generic.IEnumerable`1") || definition.HasFullName("System.Collections.IEnumerable")
            || definition.HasFullName("System.Collections.Generic.IEnumerator`1") || definition.HasFullName("System.Collections.IEnumerator"))
        {
            return "may be an iterator, whose body runs as the caller enumerates it";
        }

        if (result.TypeKind == TypeKind.Delegate)
        {
            return "is a delegate, whose work runs when the caller invokes it";
        }

        if (definition.HasFullName("System.Lazy`1"))
        {
            return "is a Lazy<T>, whose work runs when the caller reads its Value";
        }

        foreach (var member in result.GetMembers("GetAwaiter"))
        {
            if (member is IMethodSymbol { IsStatic: false, Parameters.Length: 0 })
            {
                return "is awaitable but neither a Task nor a ValueTask, so the decorator cannot await the work it stands for";
            }
        }

        return null;
    }

    /// <summary>The full name of <see cref="ObsoleteAttribute"/>.</summary>
    internal const string ObsoleteAttribute = "System.ObsoleteAttribute";

    /// <summary>The type named by the method's signature (result, parameters, their elements, type arguments and
    /// containing types) that is <c>[Obsolete(..., error: true)]</c>, or <see langword="null"/>.</summary>
    internal static ITypeSymbol? ErrorObsoleteType(IMethodSymbol method)
        => ErrorObsolete(method.ReturnType) ?? method.Parameters.Select(p => ErrorObsolete(p.Type)).FirstOrDefault(t => t is not null);

    /// <summary>Whether the symbol itself carries <c>[Obsolete(..., error: true)]</c>.</summary>
    internal static bool IsErrorObsolete(ISymbol symbol)
        => symbol.GetAttributes().Any(a => a.AttributeClass.HasFullName(ObsoleteAttribute) && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[1].Value is true);

    /// <summary>Whether the symbol itself carries <c>[Obsolete]</c>.</summary>
    internal static bool IsObsolete(ISymbol symbol) => symbol.GetAttributes().Any(a => a.AttributeClass.HasFullName(ObsoleteAttribute));

    /// <summary>Whether the type, one of its elements, type arguments or containing types is <c>[Obsolete]</c>.</summary>
    internal static bool NamesObsolete(ITypeSymbol type)
        => type switch
        {
            IArrayTypeSymbol array => NamesObsolete(array.ElementType),
            IPointerTypeSymbol pointer => NamesObsolete(pointer.PointedAtType),
            INamedTypeSymbol named => Containers(named).Any(IsObsolete) || named.TypeArguments.Any(NamesObsolete),
            _ => false,
        };

    private static IEnumerable<INamedTypeSymbol> Containers(INamedTypeSymbol type)
    {
        // The special types (int, string, IEnumerable<T>, Nullable<T>...) are not obsolete: their attributes are not read.
        for (var current = type; current is { SpecialType: SpecialType.None }; current = current.ContainingType)
        {
            yield return current;
        }
    }

    internal static ITypeSymbol? ErrorObsolete(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return ErrorObsolete(array.ElementType);
            case IPointerTypeSymbol pointer:
                return ErrorObsolete(pointer.PointedAtType);
            case INamedTypeSymbol named:
                // The special types (int, string, IEnumerable<T>, Nullable<T>...) are not obsolete: their attributes
                // are not read.
                for (var current = named; current is { SpecialType: SpecialType.None }; current = current.ContainingType)
                {
                    if (current.GetAttributes().Any(a => a.AttributeClass.HasFullName(ObsoleteAttribute) && a.ConstructorArguments.Length == 2 && a.ConstructorArguments[1].Value is true))
                    {
                        return current;
                    }
                }

                return named.TypeArguments.Select(ErrorObsolete).FirstOrDefault(t => t is not null);
            default:
                return null;
        }
    }

    /// <summary>Why CachedGen's method attributes on <paramref name="method"/> are never read, or <see langword="null"/>:
    /// the generator reads them on method declarations only (the predicate of its pipelines), never on a local function,
    /// a lambda, or a property or event accessor (C# lets a method attribute sit on <c>get</c>, <c>set</c>, <c>init</c>,
    /// <c>add</c> and <c>remove</c>).</summary>
    internal static string? NonMemberProblem(IMethodSymbol method)
        => method.MethodKind switch
        {
            MethodKind.LocalFunction or MethodKind.AnonymousFunction
                => $"it is a {(method.MethodKind == MethodKind.LocalFunction ? "local function" : "lambda")}, which no decorator wraps: put the attribute on a method of an interface (or of a class implementing one)",
            MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove
                => $"it is the {Accessor(method)} accessor of {(method.AssociatedSymbol is IEventSymbol ? "event" : "property")} '{method.AssociatedSymbol?.Name}', and decorators cache and invalidate methods only (accessors are forwarded): declare a method instead{(method.MethodKind switch { MethodKind.PropertyGet => " (Task<int> GetCountAsync())", MethodKind.PropertySet => " (Task SetCurrentAsync(int value))", _ => "" })}",
            _ => null,
        };

    private static string Accessor(IMethodSymbol accessor) => accessor.MethodKind switch
    {
        MethodKind.PropertyGet => "get",
        MethodKind.PropertySet => accessor.IsInitOnly ? "init" : "set",
        MethodKind.EventAdd => "add",
        _ => "remove",
    };

    /// <summary>Why a TTL or LocalTtl text cannot be used (<paramref name="allowZero"/>: LocalTtl may be 0, no L1), or
    /// <see langword="null"/> with its value.</summary>
    internal static string? TtlProblem(string text, bool allowZero, out TimeSpan value)
    {
        if (!TtlParser.TryParse(text, out value))
        {
            // "-1m": a negative duration in the unit form, said as for "-00:01:00".
            return text.TrimStart().StartsWith("-", StringComparison.Ordinal) && TtlParser.TryParse(text.TrimStart().Substring(1), out _)
                ? "must be positive"
                : "is not a duration: write 30s, 5m, 1h30m, 1d, 250ms or hh:mm:ss";
        }

        return value < TimeSpan.Zero || (value == TimeSpan.Zero && !allowZero) ? "must be positive" : null;
    }

    /// <summary>Whether a cached method has a TTL to use: its own (checked by <see cref="TtlProblem"/>), or a valid
    /// assembly default (<c>[assembly: CachedDefaults(Ttl = ...)]</c>).</summary>
    internal static bool HasTtl(string? own, string? assemblyDefault)
        => own is not null || (assemblyDefault is not null && TtlProblem(assemblyDefault, allowZero: false, out _) is null);

    /// <summary>Why the decorator cannot run code after <paramref name="writer"/> (to invalidate, invalidate tags, or put
    /// its result), or <see langword="null"/> when it can. An asynchronous write with <c>in</c>, <c>ref readonly</c> or
    /// ref struct (<c>Span</c>) parameters is honoured: the decorator calls it first and awaits its task in a local
    /// function given the other parameters by value.</summary>
    internal static string? AfterWriteProblem(IMethodSymbol writer)
    {
        if (writer.ReturnsByRef || writer.ReturnsByRefReadonly)
        {
            return "it returns by reference, so the caller writes through that reference after the decorator has returned and nothing can follow the write: return a value instead, or invalidate with ICacheInvalidator after writing";
        }

        if (IsUnreachable(writer))
        {
            return $"it is a {Describe(writer.DeclaredAccessibility)} abstract interface member, which the decorator cannot call on the inner implementation (its implementation throws NotSupportedException), so no write follows: make it public or internal, or invalidate with ICacheInvalidator in the implementation";
        }

        if (CacheRules.KindOf(writer) == Model.ResultKind.Value && DeferredWork(writer.ReturnType) is { } deferred)
        {
            return $"its result, a '{writer.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}', {deferred}: that work runs after the decorator has followed the write, and an entry read in between would stay stale for its TTL; return Task, ValueTask or a materialized result (IReadOnlyList<T>, T[]), or invalidate with ICacheInvalidator once the work has run";
        }

        if (CacheRules.KindOf(writer) is Model.ResultKind.Task or Model.ResultKind.ValueTask or Model.ResultKind.TaskOfT or Model.ResultKind.ValueTaskOfT)
        {
            foreach (var parameter in writer.Parameters)
            {
                if (parameter.RefKind is RefKind.Ref or RefKind.Out)
                {
                    return $"it is asynchronous and its parameter '{parameter.Name}' passed by '{(parameter.RefKind == RefKind.Ref ? "ref" : "out")}', which the decorator does not carry past the write: pass it by value or with 'in', or invalidate with ICacheInvalidator after the write";
                }

                if (IsUnsafe(parameter.Type))
                {
                    return $"it is asynchronous and its parameter '{parameter.Name}' is a pointer, which needs an unsafe context where the decorator cannot await the write: pass a Memory<T> or an array instead, or invalidate with ICacheInvalidator after the write";
                }
            }
        }

        return null;
    }

    /// <summary>Why no decorator follows an interface member that is not <see cref="IsImplementedByDecorator"/>.</summary>
    internal const string NotImplementedByDecorator = "it is a static or sealed interface member, which a decorator does not implement: make it an abstract instance method";

    /// <summary>Why the decorator cannot invalidate after <paramref name="writer"/>, a write an <c>invalidatedBy</c> entry
    /// names, or <see langword="null"/> when it can: a static or sealed interface member is the interface's own (no
    /// decorator implements it, so none sees it called), then <see cref="AfterWriteProblem"/>. The generator skips such
    /// an entry, CG0006 reports it with this reason.</summary>
    internal static string? InvalidatingWriteProblem(IMethodSymbol writer)
        => writer.ContainingType.TypeKind == TypeKind.Interface && !IsImplementedByDecorator(writer)
            ? NotImplementedByDecorator
            : AfterWriteProblem(writer);

    /// <summary>Whether the type is, or is built of, a pointer or function pointer (a member naming one is <c>unsafe</c>).</summary>
    internal static bool IsUnsafe(ITypeSymbol type)
        => type switch
        {
            IPointerTypeSymbol or IFunctionPointerTypeSymbol => true,
            IArrayTypeSymbol array => IsUnsafe(array.ElementType),
            INamedTypeSymbol named => named.TypeArguments.Any(IsUnsafe),
            _ => false,
        };

    /// <summary>Whether <paramref name="member"/> is an abstract protected (or private protected) interface member: the
    /// decorator must implement it, but cannot call it on the inner implementation (only a derived interface can); it throws.</summary>
    internal static bool IsUnreachable(ISymbol member)
        => member.IsAbstract && member.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal;

    /// <summary>Why a decorator cannot run the attribute of <paramref name="writer"/> (<c>[InvalidatesTags]</c>): it must
    /// be a member a decorator implements, of an interface one can be generated for (a class method: implementing such
    /// a member), and followed by <see cref="AfterWriteProblem"/>. <see langword="null"/> when it can. (Generic
    /// interfaces are left to CG0007.)</summary>
    internal static string? DecoratedWriterProblem(IMethodSymbol writer)
    {
        if (writer.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.CachedAttribute)))
        {
            return "it is itself cached ([Cached]): the decorator serves a cached method from the cache, as a read, and follows no write of it; remove [Cached], or put this attribute on the method that writes";
        }

        if (writer.ContainingType.TypeKind == TypeKind.Interface)
        {
            if (!IsImplementedByDecorator(writer))
            {
                return NotImplementedByDecorator;
            }

            if (((writer.ContainingType.IsGenericType ? null : ContractProblem(writer.ContainingType)) ?? GenericContractProblem(writer.ContainingType)) is { } problem)
            {
                return problem;
            }
        }
        else
        {
            var any = false;
            foreach (var contract in CacheRules.ImplementedContracts(writer))
            {
                any = true;
                if (((contract.IsGenericType ? null : ContractProblem(contract)) ?? GenericContractProblem(contract)) is { } problem)
                {
                    return problem;
                }
            }

            if (!any)
            {
                return "it implements no interface method, and decorators wrap interfaces: put it on (or implement with it) a method of the interface";
            }
        }

        return AfterWriteProblem(writer);
    }

    /// <summary>Whether <paramref name="contract"/> gets a generic decorator: a generic interface whose type arguments
    /// are distinct type parameters (the interface itself, or a generic class's view of it).</summary>
    internal static bool IsOpenGeneric(INamedTypeSymbol contract)
        => contract.IsGenericType && contract.TypeArguments.All(t => t.TypeKind == TypeKind.TypeParameter)
           && contract.TypeArguments.Distinct<ITypeSymbol>(SymbolEqualityComparer.Default).Count() == contract.TypeArguments.Length;

    /// <summary>Why no generic or closed decorator can be generated for the generic <paramref name="contract"/>, or
    /// <see langword="null"/>: an interface nested in a generic type, or one whose type arguments are partly open
    /// (<c>Repo&lt;T&gt; : IRepository&lt;T, int&gt;</c>) or name a type generated code cannot see.</summary>
    internal static string? GenericContractProblem(INamedTypeSymbol contract)
    {
        for (var container = contract.ContainingType; container is not null; container = container.ContainingType)
        {
            if (container.IsGenericType)
            {
                return $"interface '{contract.Name}' is nested in the generic type '{container.ToDisplayString()}', and a decorator is generated only for an interface outside generic types: declare the interface at namespace level (or in a non-generic type)";
            }
        }

        if (!contract.IsGenericType)
        {
            return null;
        }

        if (IsOpenGeneric(contract))
        {
            return RefStructTypeParameter(contract) is { } refStruct
                ? $"its type parameter '{refStruct}' allows ref struct, and the generic decorator, which keeps values and keys of its type arguments in its caches, cannot: remove 'allows ref struct', or cache through an interface that closes this one with a type that is not a ref struct"
                : null;
        }

        if (contract.TypeArguments.Any(SymbolExtensions.ContainsTypeParameter))
        {
            return $"'{contract.ToDisplayString()}' is partly closed: a decorator is generated for a generic interface whose type arguments are all distinct type parameters (a generic decorator) or all closed types (a closed one): implement the interface fully open (Repo<TEntity, TKey> : IRepository<TEntity, TKey>) or fully closed (OrderRepo : IRepository<Order, int>), or derive an interface that closes it";
        }

        return contract.TypeArguments.FirstOrDefault(t => !IsVisible(t)) is { } hidden
            ? $"'{contract.ToDisplayString()}' is closed with '{hidden.ToDisplayString()}', which the generated decorator, a class of its own, cannot see: make that type internal or public"
            : null;
    }

    /// <summary>The name of a type parameter of <paramref name="contract"/> declared <c>allows ref struct</c> (C# 13) in
    /// source, or <see langword="null"/>. Read from the syntax: the Roslyn version CachedGen builds against has no symbol
    /// property for that anti-constraint.</summary>
    internal static string? RefStructTypeParameter(INamedTypeSymbol contract)
    {
        foreach (var reference in contract.OriginalDefinition.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax declaration)
            {
                foreach (var clause in declaration.ConstraintClauses)
                {
                    if (clause.Constraints.Any(c => c.ToString().StartsWith("allows", StringComparison.Ordinal)))
                    {
                        return clause.Name.Identifier.ValueText;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Why a cached method of <paramref name="contract"/> cannot be invalidated by a write of
    /// <paramref name="writeType"/> (type-qualified <c>invalidatedBy</c>), or <see langword="null"/>: a generic
    /// decorator's entries are keyed by its type arguments, which another interface's decorator cannot name.</summary>
    internal static string? ExternalWriteProblem(INamedTypeSymbol contract, INamedTypeSymbol writeType)
        => IsOpenGeneric(contract) && !SymbolEqualityComparer.Default.Equals(writeType, contract) && !contract.AllInterfaces.Contains(writeType, SymbolEqualityComparer.Default)
            && !CacheRules.Inherits(writeType, contract)
            ? $"'{contract.Name}' is generic, and the decorator of another interface cannot name a generic decorator's entries (their keys depend on its type arguments): tag the entries and put [InvalidatesTags] on the write, or name a write of '{contract.Name}' itself"
            : null;


    private static bool IsVisible(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => IsVisible(array.ElementType),
        INamedTypeSymbol named => IsReachable(named) && named.TypeArguments.All(IsVisible),
        _ => false,
    };

    private static bool IsReachable(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal) || current.IsFileLocal)
            {
                return false;
            }
        }

        return true;
    }

    private static ISymbol? StaticAbstractMember(INamedTypeSymbol contract)
    {
        foreach (var member in contract.GetMembers())
        {
            if (member.IsStatic && member.IsAbstract)
            {
                return member;
            }
        }

        foreach (var implemented in contract.AllInterfaces)
        {
            foreach (var member in implemented.GetMembers())
            {
                if (member.IsStatic && member.IsAbstract)
                {
                    return member;
                }
            }
        }

        return null;
    }

    private static string Describe(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => accessibility.ToString().ToLowerInvariant(),
    };
}
