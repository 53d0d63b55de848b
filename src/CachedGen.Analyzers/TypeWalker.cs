using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>Walks the members MessagePack would serialize (public instance properties and fields), depth-bounded.</summary>
internal static class TypeWalker
{
    public static ITypeSymbol? CachedValueType(IMethodSymbol method)
        => CacheRules.UncacheableReason(method, out _, out var valueType) is null ? valueType : null;

    /// <summary>The public instance properties (with a getter, not indexers) and fields of <paramref name="type"/> that
    /// no <c>[IgnoreMember]</c> or <c>[IgnoreDataMember]</c> excludes, with their types. The rules read them through
    /// <see cref="CompilationFacts.SerializedMembers"/>, which computes them once per type.</summary>
    public static ImmutableArray<(ISymbol Member, ITypeSymbol Type)> SerializedMembers(ITypeSymbol type)
    {
        var members = ImmutableArray.CreateBuilder<(ISymbol Member, ITypeSymbol Type)>();
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public || member.IsImplicitlyDeclared)
            {
                continue;
            }

            var memberType = member switch
            {
                IPropertySymbol { IsIndexer: false, GetMethod: not null } property => property.Type,
                IFieldSymbol field => field.Type,
                _ => null,
            };
            if (memberType is not null && !IsIgnored(member))
            {
                members.Add((member, memberType));
            }
        }

        return members.ToImmutable();
    }

    private static bool IsIgnored(ISymbol member)
    {
        foreach (var attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass?.Name is "IgnoreMemberAttribute" or "IgnoreDataMemberAttribute")
            {
                return true;
            }
        }

        return false;
    }

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
                // A framework generic is described by its arguments, except a delegate (Func<int>), which is itself the problem.
                if (!IsFrameworkType(generic) || generic.TypeKind == TypeKind.Delegate)
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
