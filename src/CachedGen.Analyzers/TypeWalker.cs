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

    /// <summary>The members MessagePack serializes (<see cref="SerializedShape.Members"/>, the shape fingerprint's
    /// rule). The rules read them through <see cref="CompilationFacts.SerializedMembers"/>, which computes them once per
    /// type.</summary>
    public static ImmutableArray<(ISymbol Member, ITypeSymbol Type)> SerializedMembers(ITypeSymbol type) => SerializedShape.Members(type);

    /// <summary>Whether the type's shape is the framework's (<see cref="SerializedShape.IsFrameworkType"/>).</summary>
    public static bool IsFrameworkType(ITypeSymbol type) => SerializedShape.IsFrameworkType(type);

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
