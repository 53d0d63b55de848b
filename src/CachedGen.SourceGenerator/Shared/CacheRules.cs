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

        return type.AllInterfaces.Where(i => i.GetMembers().OfType<IMethodSymbol>().Any(m => SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(m), method)));
    }

    /// <summary>The identifier as generated code writes it: a keyword gets an <c>@</c>, and so does <c>await</c>, which
    /// is a keyword inside the async bodies the decorator writes (a write that invalidates awaits the inner call).</summary>
    internal static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(identifier) == SyntaxKind.AwaitKeyword
            ? "@" + identifier
            : identifier;
}
