using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0008: a result type MessagePack cannot round-trip without surprises: interfaces and abstract classes
/// without <c>[Union]</c>, <c>object</c> members, delegates, types with no public constructor (and no non-public parameterless one a generated
/// formatter can call), and classes that come back with less than they had (<see cref="LossRules"/>). A method of a generic interface is
/// also checked for each interface of the compilation that closes it (<see cref="CachedSite.Closings"/>).</summary>
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

        var declared = Problem(valueType, site.Facts, context.Compilation);
        if (declared is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, declared));
        }

        // What an interface closing a generic one stores (IRepository<Product, int>: a Product) is checked as any value,
        // at the generic method, named with the closed interface; a finding that reads as the declared one's is not repeated.
        foreach (var closing in site.Closings(context.Compilation, context.CancellationToken))
        {
            if (Problem(closing.ValueType, site.Facts, context.Compilation) is { } problem && problem != declared)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, closing.Name, problem));
            }
        }
    }

    private static string? Problem(ITypeSymbol valueType, CompilationFacts facts, Compilation compilation)
        => facts.PerType(
            "CG0008",
            valueType.WithNullableAnnotation(NullableAnnotation.NotAnnotated),
            (facts, compilation),
            static (type, state) => Problem(type, null, null, state.facts, state.compilation, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0));

    /// <summary>Why <paramref name="type"/> (the result, or the member <paramref name="member"/> of
    /// <paramref name="owner"/>) cannot round-trip, or null. Names are written out only for a finding.</summary>
    private static string? Problem(ITypeSymbol type, INamedTypeSymbol? owner, ISymbol? member, CompilationFacts facts, Compilation compilation, HashSet<ITypeSymbol> seen, int depth)
    {
        foreach (var part in TypeWalker.Constituents(type))
        {
            if (part.SpecialType == SpecialType.System_Object)
            {
                return $"{Where(owner, member)} is 'object', whose concrete type is lost on the round trip";
            }

            if (part.TypeKind == TypeKind.Delegate)
            {
                return $"{Where(owner, member)} is the delegate '{Display(part)}'";
            }

            if (part is INamedTypeSymbol { TypeKind: TypeKind.Interface } iface && !IsKnownCollection(iface) && !HasUnion(iface))
            {
                return $"{Where(owner, member)} is the interface '{Display(part)}', which has no formatter (declare its implementations with [Union])";
            }

            if (part is INamedTypeSymbol { TypeKind: TypeKind.Class, IsAbstract: true } abstractClass && !TypeWalker.IsFrameworkType(abstractClass) && !HasUnion(abstractClass))
            {
                return $"{Where(owner, member)} is the abstract class '{Display(part)}', which cannot be created on read (declare its subtypes with [Union])";
            }

            if (part is not INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named || TypeWalker.IsFrameworkType(named) || depth >= MaxDepth || !seen.Add(named))
            {
                continue;
            }

            // A [Union] base is written with its subtype's key and read back as that subtype: its own constructor and
            // members do not matter, each subtype's do.
            if (HasUnion(named))
            {
                foreach (var subtype in UnionSubtypes(named))
                {
                    if (Problem(subtype, owner, member, facts, compilation, seen, depth + 1) is { } inner)
                    {
                        return inner;
                    }
                }

                continue;
            }

            if (named.TypeKind == TypeKind.Class && !named.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public)
                && FormatterRules.HiddenParameterlessConstructor(named) is null)
            {
                return $"'{Display(named)}' has no public constructor to create it on read";
            }

            if (LossRules.Loss(named, compilation) is { } loss)
            {
                return $"{Where(owner, member)} is {loss}";
            }

            foreach (var (serialized, memberType) in facts.SerializedMembers(named))
            {
                if (Problem(memberType, named, serialized, facts, compilation, seen, depth + 1) is { } inner)
                {
                    return inner;
                }
            }
        }

        return null;
    }

    private static string Where(INamedTypeSymbol? owner, ISymbol? member)
        => owner is null || member is null ? "the result" : $"member '{Display(owner)}.{member.Name}'";

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    /// <summary>A collection interface of the framework, which MessagePack reads into a concrete collection. Only
    /// generic framework interfaces are looked up, so a project's own interfaces never have their names built.</summary>
    private static bool IsKnownCollection(INamedTypeSymbol type)
        => type.IsGenericType && TypeWalker.IsFrameworkType(type) && KnownCollectionInterfaces.Contains(type.OriginalDefinition.MetadataFullName());

    /// <summary>The subtypes <c>[Union(key, typeof(T))]</c> declares on <paramref name="type"/>.</summary>
    private static IEnumerable<ITypeSymbol> UnionSubtypes(ITypeSymbol type)
        => type.GetAttributes()
            .Where(a => a.AttributeClass.HasFullName("MessagePack.UnionAttribute") && a.ConstructorArguments.Length >= 2)
            .Select(a => a.ConstructorArguments[1].Value)
            .OfType<ITypeSymbol>();

    private static bool HasUnion(ITypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass.HasFullName("MessagePack.UnionAttribute"));
}
