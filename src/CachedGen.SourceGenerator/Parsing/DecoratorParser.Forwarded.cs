// Forwarded members: which ones the decorator implements, the receiver it calls them through, their parameters.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static CachedGen.SourceGenerator.CacheRules;

namespace CachedGen.SourceGenerator.Parsing;

internal static partial class DecoratorParser
{
    /// <summary>Members the decorator leaves to the interface: a default implementation it could not call through
    /// <c>_inner</c> (protected), which needs no implementation.</summary>
    private static bool IsInheritedOnly(ISymbol member)
        => !member.IsAbstract && IsProtected(member);

    /// <summary>An abstract protected member: the decorator must implement it, but cannot call it on the inner
    /// implementation (only a derived interface can); it throws.</summary>
    private static bool IsUnreachable(ISymbol member) => SkipRules.IsUnreachable(member);

    private static bool IsProtected(ISymbol member) => member.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal;

    /// <summary>The interface to call a base member through, when looking its name up on the contract would find
    /// another member too (repeated by a second base, or hidden with <c>new</c>); <see langword="null"/> when the plain
    /// call finds it.</summary>
    private static string? Receiver(ISymbol member, INamedTypeSymbol contract, List<ISymbol> members, TypeCache types)
    {
        if (SymbolEqualityComparer.Default.Equals(member.ContainingType, contract))
        {
            return null;
        }

        foreach (var other in members)
        {
            if (other.Name == member.Name && !SymbolEqualityComparer.Default.Equals(other, member))
            {
                return types.Name(member.ContainingType);
            }
        }

        return null;
    }

    private static ParameterModel ToParameter(IParameterSymbol parameter) => ToParameter(parameter, null);

    private static ParameterModel ToParameter(IParameterSymbol parameter, TypeCache? types)
    {
        var passing = parameter.RefKind switch
        {
            RefKind.Ref => Passing.Ref,
            RefKind.Out => Passing.Out,
            RefKind.In => Passing.In,
            _ => parameter.RefKind.ToString() == "RefReadOnlyParameter" ? Passing.RefReadOnly : Passing.Value,
        };
        var scoped = parameter.ScopedKind != ScopedKind.None && parameter.RefKind != RefKind.Out;
        return new ParameterModel(Escape(parameter.Name), types?.Name(parameter.Type) ?? parameter.Type.ToDisplayString(TypeFormat), passing, scoped, MemberShape.ParameterAttributes(parameter), parameter.Type.IsRefLikeType || MemberShape.IsUnsafe(parameter.Type));
    }
}
