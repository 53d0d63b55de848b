using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>Walks the members MessagePack would serialize (public instance properties and fields), depth-bounded.</summary>
internal static class TypeWalker
{
    public static ITypeSymbol? CachedValueType(IMethodSymbol method)
        => CacheRules.UncacheableReason(method, out _, out var valueType) is null ? valueType : null;

    public static IEnumerable<(ISymbol Member, ITypeSymbol Type)> SerializedMembers(ITypeSymbol type)
        => type.GetMembers()
            .Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && !m.IsImplicitlyDeclared)
            .Where(m => m is IPropertySymbol { IsIndexer: false, GetMethod: not null } or IFieldSymbol)
            .Where(m => !m.GetAttributes().Any(a => a.AttributeClass?.Name is "IgnoreMemberAttribute" or "IgnoreDataMemberAttribute"))
            .Select(m => (m, m is IPropertySymbol p ? p.Type : ((IFieldSymbol)m).Type));

    /// <summary>Whether the type's shape is the framework's (collections, primitives, dates): not walked into.</summary>
    public static bool IsFrameworkType(ITypeSymbol type)
    {
        if (type.SpecialType != SpecialType.None)
        {
            return true;
        }

        // The outermost namespace, without building the full name (this runs for every member type walked).
        var root = type.OriginalDefinition.ContainingNamespace;
        while (root?.ContainingNamespace is { IsGlobalNamespace: false })
        {
            root = root.ContainingNamespace;
        }

        return root is { IsGlobalNamespace: false, Name: "System" or "Microsoft" };
    }

    /// <summary>The type itself, array elements, nullable underlying types and generic arguments.</summary>
    public static IEnumerable<ITypeSymbol> Constituents(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                foreach (var inner in Constituents(array.ElementType))
                {
                    yield return inner;
                }

                yield break;
            case INamedTypeSymbol { IsGenericType: true } generic:
                if (!IsFrameworkType(generic))
                {
                    yield return generic;
                }

                foreach (var argument in generic.TypeArguments)
                {
                    foreach (var inner in Constituents(argument))
                    {
                        yield return inner;
                    }
                }

                yield break;
            default:
                yield return type;
                yield break;
        }
    }
}
