using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0008: a result type MessagePack cannot round-trip without surprises: interfaces and abstract classes
/// without <c>[Union]</c>, <c>object</c> members, delegates, types with no public constructor.</summary>
public sealed class UnserializableResultAnalyzer : CachedMethodAnalyzer
{
    private const int MaxDepth = 4;

    private static readonly HashSet<string> KnownCollectionInterfaces =
    [
        "System.Collections.Generic.IEnumerable`1", "System.Collections.Generic.ICollection`1", "System.Collections.Generic.IList`1",
        "System.Collections.Generic.IReadOnlyCollection`1", "System.Collections.Generic.IReadOnlyList`1", "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2", "System.Collections.Generic.ISet`1", "System.Collections.Generic.IReadOnlySet`1",
        "System.Linq.ILookup`2", "System.Linq.IGrouping`2",
    ];

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.UnserializableResult;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.ValueType is not { } valueType)
        {
            return;
        }

        if (Problem(valueType.WithNullableAnnotation(NullableAnnotation.NotAnnotated), "the result", new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, problem));
        }
    }

    private static string? Problem(ITypeSymbol type, string where, HashSet<ITypeSymbol> seen, int depth)
    {
        foreach (var part in TypeWalker.Constituents(type))
        {
            var display = part.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            if (part.SpecialType == SpecialType.System_Object)
            {
                return $"{where} is 'object', whose concrete type is lost on the round trip";
            }

            if (part.TypeKind == TypeKind.Delegate)
            {
                return $"{where} is the delegate '{display}'";
            }

            if (part is INamedTypeSymbol { TypeKind: TypeKind.Interface } iface && !KnownCollectionInterfaces.Contains(iface.OriginalDefinition.MetadataFullName()) && !HasUnion(iface))
            {
                return $"{where} is the interface '{display}', which has no formatter (declare its implementations with [Union])";
            }

            if (part is INamedTypeSymbol { TypeKind: TypeKind.Class, IsAbstract: true } abstractClass && !TypeWalker.IsFrameworkType(abstractClass) && !HasUnion(abstractClass))
            {
                return $"{where} is the abstract class '{display}', which cannot be created on read (declare its subtypes with [Union])";
            }

            if (part is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named || TypeWalker.IsFrameworkType(named) || depth >= MaxDepth || !seen.Add(named))
            {
                continue;
            }

            if (named.TypeKind == TypeKind.Class && !named.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public))
            {
                return $"'{display}' has no public constructor to create it on read";
            }

            foreach (var (member, memberType) in TypeWalker.SerializedMembers(named))
            {
                if (Problem(memberType, $"member '{display}.{member.Name}'", seen, depth + 1) is { } inner)
                {
                    return inner;
                }
            }
        }

        return null;
    }

    private static bool HasUnion(ITypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass.HasFullName("MessagePack.UnionAttribute"));
}
