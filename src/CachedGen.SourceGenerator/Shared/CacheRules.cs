// CacheRules shared by the generator and the analyzers: the display format, the contracts a method belongs to, identifier escaping.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator;

/// <summary>
/// What can be cached and how keys are resolved: shared by the generator (which leaves anything that fails these
/// rules uncached) and the analyzers (which report why), so both always agree.
/// </summary>
internal static partial class CacheRules
{
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <summary>The interfaces a method is, or implements a member of: those a decorator for it would wrap.</summary>
    internal static IEnumerable<INamedTypeSymbol> ImplementedContracts(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            return [type];
        }

        return type.AllInterfaces.Where(i => i.GetMembers().OfType<IMethodSymbol>().Any(m => SymbolEqualityComparer.Default.Equals(ImplementationOf(type, m), method)));
    }

    /// <summary>Whether <paramref name="write"/> is a method an unqualified <c>invalidatedBy</c> name of
    /// <paramref name="cached"/> can mean: one of its interface or of an interface that one derives from, compared as
    /// closed (<c>IRepository&lt;Trip&gt;.UpdateAsync</c> is not <c>IRepository&lt;Trailer&gt;.UpdateAsync</c>), as
    /// <c>nameof</c> resolves it there and CG0006 looks it up. A write of the same name in another base of the decorated
    /// interface (<c>IAsset : ITracked, ILocated</c>) is another method.</summary>
    internal static bool CanBeNamedBy(IMethodSymbol cached, IMethodSymbol write)
        => ImplementedContracts(cached).Any(c => SymbolEqualityComparer.Default.Equals(c, write.ContainingType) || c.AllInterfaces.Contains(write.ContainingType, SymbolEqualityComparer.Default));

    /// <summary>The method of <paramref name="type"/> that runs for <paramref name="interfaceMethod"/>: the one
    /// implementing it, or, when that is virtual, its most derived override in <paramref name="type"/> or a base type
    /// (<c>OrderRepository : EfRepository</c> with <c>[Cached] public override GetAsync</c>; the compiler names the base's
    /// virtual method the implementation). <see langword="null"/> when nothing implements it.</summary>
    internal static IMethodSymbol? ImplementationOf(INamedTypeSymbol type, IMethodSymbol interfaceMethod)
    {
        if (type.FindImplementationForInterfaceMember(interfaceMethod) is not IMethodSymbol implementation
            || implementation.ContainingType.TypeKind == TypeKind.Interface
            || !(implementation.IsVirtual || implementation.IsOverride || implementation.IsAbstract))
        {
            return type.FindImplementationForInterfaceMember(interfaceMethod) as IMethodSymbol;
        }

        for (var current = type; current is not null && !SymbolEqualityComparer.Default.Equals(current, implementation.ContainingType); current = current.BaseType)
        {
            foreach (var candidate in current.GetMembers(implementation.Name))
            {
                for (var overridden = (candidate as IMethodSymbol)?.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                {
                    if (SymbolEqualityComparer.Default.Equals(overridden, implementation)
                        || SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, implementation.OriginalDefinition))
                    {
                        return (IMethodSymbol)candidate;
                    }
                }
            }
        }

        return implementation;
    }

    /// <summary>The identifier as generated code writes it: a keyword gets an <c>@</c>, and so does <c>await</c>, which
    /// is a keyword inside the async bodies the decorator writes (a write that invalidates awaits the inner call).</summary>
    internal static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(identifier) == SyntaxKind.AwaitKeyword
            ? "@" + identifier
            : identifier;
}
