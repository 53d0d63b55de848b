using System;
using System.Collections.Generic;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>What CachedGen's analyzers work out once per compilation and share: each <c>[Cached]</c> method's
/// <see cref="CachedSite"/> (its attribute read, its template parsed and resolved once, whichever rule asks first) and
/// the members MessagePack would serialize of each type a cached value holds (an interface's methods often return the
/// same type, which three rules walk). Looked up once per compilation, at its start; per method, a read of a concurrent
/// dictionary.</summary>
internal sealed class CompilationFacts
{
    // Keyed by the compilation, whose lifetime the facts share: one entry per compilation, not one per method.
    private static readonly ConditionalWeakTable<Compilation, CompilationFacts> All = new();

    private readonly ConcurrentDictionary<IMethodSymbol, CachedSite> _sites = new(SymbolEqualityComparer.Default);
    private readonly ConcurrentDictionary<ITypeSymbol, ImmutableArray<(ISymbol Member, ITypeSymbol Type)>> _members = new(SymbolEqualityComparer.Default);

    private readonly ConcurrentDictionary<INamedTypeSymbol, ImmutableArray<INamedTypeSymbol>> _closedByDerived = new(SymbolEqualityComparer.Default);

    // What a rule found walking a value type, per rule and type: the methods of one interface usually return one type.
    private readonly ConcurrentDictionary<TypeFinding, object?> _findings = new();

    /// <summary>The closed constructions of the generic interface <paramref name="definition"/> that interfaces of the
    /// compilation derive from (<see cref="FormatterRules.ClosedByDerivedInterfaces"/>), worked out once per generic
    /// interface.</summary>
    public ImmutableArray<INamedTypeSymbol> ClosedByDerivedInterfaces(INamedTypeSymbol definition, Compilation compilation, CancellationToken cancellationToken)
        => _closedByDerived.GetOrAdd(definition, d => FormatterRules.ClosedByDerivedInterfaces(d, compilation, cancellationToken));

    /// <summary>The interfaces of the compilation that close <paramref name="closed"/> (<c>IPair</c> for
    /// <c>IKeyed&lt;(int, int), string&gt;</c>), by name, for a message about the closing: looked up only when one is
    /// reported.</summary>
    public static IReadOnlyList<string> ClosingInterfaces(INamedTypeSymbol closed, Compilation compilation, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        foreach (var type in compilation.Assembly.DeclaredTypes(cancellationToken))
        {
            if (type is { TypeKind: TypeKind.Interface, IsGenericType: false } && System.Linq.Enumerable.Contains(type.AllInterfaces, closed, SymbolEqualityComparer.Default))
            {
                names.Add(type.Name);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public static CompilationFacts For(Compilation compilation) => All.GetValue(compilation, static _ => new CompilationFacts());

    /// <summary>The <c>[Cached]</c> of <paramref name="method"/> in source, if any.</summary>
    public CachedSite? Site(IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (_sites.TryGetValue(method, out var known))
        {
            return known;
        }

        // Most methods carry no [Cached]: they are looked at, never stored.
        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute))
            {
                return _sites.GetOrAdd(method, new CachedSite(this, method, attribute, cancellationToken));
            }
        }

        return null;
    }

    /// <summary>What <paramref name="find"/> says of <paramref name="type"/>, worked out once per rule, type and
    /// <paramref name="variant"/> (what else the finding depends on, such as CG0009's personal-data names; compared by
    /// reference): a value type's walk depends on the type, not on the method returning it. <paramref name="argument"/>
    /// is passed to <paramref name="find"/> and is not part of the key; <paramref name="find"/> should be static.</summary>
    public TResult PerType<TArgument, TResult>(string rule, ITypeSymbol type, TArgument argument, Func<ITypeSymbol, TArgument, TResult> find, object? variant = null)
    {
        var key = new TypeFinding(rule, type, variant);
        if (_findings.TryGetValue(key, out var known))
        {
            return (TResult)known!;
        }

        var found = find(type, argument);
        _findings.TryAdd(key, found);
        return found;
    }

    /// <summary>The generator's formatter rules for <paramref name="valueType"/> (<see cref="FormatterRules.Walk"/>), walked
    /// once per type.</summary>
    public FormatterRules Formatters(ITypeSymbol valueType, Compilation compilation, CancellationToken cancellationToken)
        => PerType("CG0020", valueType, (compilation, cancellationToken), static (type, state) => FormatterRules.Walk(type, state.compilation, state.cancellationToken));

    /// <summary>The public instance properties and fields MessagePack would serialize of <paramref name="type"/>, with
    /// their types (<see cref="TypeWalker.SerializedMembers"/>).</summary>
    public ImmutableArray<(ISymbol Member, ITypeSymbol Type)> SerializedMembers(ITypeSymbol type)
        => _members.TryGetValue(type, out var members) ? members : _members.GetOrAdd(type, TypeWalker.SerializedMembers(type));

    /// <summary>A rule's walk of a type: equal for the same rule, the same type with the same nullability, and the same
    /// variant.</summary>
    private readonly struct TypeFinding(string rule, ITypeSymbol type, object? variant) : IEquatable<TypeFinding>
    {
        private readonly string _rule = rule;
        private readonly ITypeSymbol _type = type;
        private readonly object? _variant = variant;

        public bool Equals(TypeFinding other)
            => string.Equals(_rule, other._rule, StringComparison.Ordinal) && SymbolEqualityComparer.IncludeNullability.Equals(_type, other._type) && ReferenceEquals(_variant, other._variant);

        public override bool Equals(object? obj) => obj is TypeFinding other && Equals(other);

        public override int GetHashCode()
            => unchecked((StringComparer.Ordinal.GetHashCode(_rule) * 31 + SymbolEqualityComparer.IncludeNullability.GetHashCode(_type)) * 31 + RuntimeHelpers.GetHashCode(_variant));
    }
}
