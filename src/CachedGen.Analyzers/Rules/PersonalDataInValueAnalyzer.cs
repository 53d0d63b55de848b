using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0009: the cached value (its members, transitively to depth 3) holds personal data and the method is not
/// <c>Sensitive = true</c>. A method of a generic interface is
/// also checked for each interface of the compilation that closes it (<see cref="CachedSite.Closings"/>).</summary>
public sealed class PersonalDataInValueAnalyzer : CachedMethodAnalyzer
{
    private const int MaxDepth = 3;

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.PersonalDataInValue;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Data.Sensitive || site.ValueType is not { } valueType)
        {
            return;
        }

        var personal = PersonalData.For(context.Options, site.Syntax?.SyntaxTree);
        var declared = Find(valueType, personal, site.Facts);
        if (declared is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.AttributeLocation, site.Method.Name, declared));
        }

        // What an interface closing a generic one stores is checked as any value, at the generic method's attribute (where
        // Sensitive = true covers every closing), named with the closed interface; a path the declared value has is not repeated.
        foreach (var closing in site.Closings(context.Compilation, context.CancellationToken))
        {
            if (Find(closing.ValueType, personal, site.Facts) is { } path && path != declared)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, site.AttributeLocation, closing.Name, path));
            }
        }
    }

    private static string? Find(ITypeSymbol valueType, PersonalData personal, CompilationFacts facts)
        => facts.PerType("CG0009", valueType, (personal, facts), static (type, state) => Find(type, state.personal, state.facts, [], new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0), variant: personal);

    /// <summary>The path to the first personal member (<c>Customer.Address → Address.Email</c>), or null. <paramref name="path"/>
    /// holds the members walked through so far (type and member names), and becomes text only for a finding.</summary>
    private static string? Find(ITypeSymbol type, PersonalData personal, CompilationFacts facts, List<(ITypeSymbol Type, ISymbol Member)> path, HashSet<ITypeSymbol> seen, int depth)
    {
        foreach (var part in TypeWalker.Constituents(type))
        {
            if (PersonalData.HasMarker(part))
            {
                return path.Count == 0 ? part.Name : Text(path);
            }

            if (part is not INamedTypeSymbol named || TypeWalker.IsFrameworkType(named) || depth >= MaxDepth || !seen.Add(named))
            {
                continue;
            }

            foreach (var (member, memberType) in facts.SerializedMembers(named))
            {
                path.Add((named, member));
                if (personal.IsPersonal(member, memberType))
                {
                    return Text(path);
                }

                if (Find(memberType, personal, facts, path, seen, depth + 1) is { } inner)
                {
                    return inner;
                }

                path.RemoveAt(path.Count - 1);
            }
        }

        return null;
    }

    private static string Text(List<(ITypeSymbol Type, ISymbol Member)> path)
        => string.Join(" → ", path.Select(step => step.Type.Name + "." + step.Member.Name));
}
