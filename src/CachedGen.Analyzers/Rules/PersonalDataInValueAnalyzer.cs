using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0009: the cached value (its members, transitively to depth 3) holds personal data and the method is not
/// <c>Sensitive = true</c>.</summary>
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
        if (Find(valueType, personal, "", new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default), 0) is { } path)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.AttributeLocation, site.Method.Name, path));
        }
    }

    private static string? Find(ITypeSymbol type, PersonalData personal, string prefix, HashSet<ITypeSymbol> seen, int depth)
    {
        foreach (var part in TypeWalker.Constituents(type))
        {
            if (PersonalData.HasMarker(part))
            {
                return prefix.Length == 0 ? part.Name : prefix.TrimEnd('.');
            }

            if (part is not INamedTypeSymbol named || TypeWalker.IsFrameworkType(named) || depth >= MaxDepth || !seen.Add(named))
            {
                continue;
            }

            foreach (var (member, memberType) in TypeWalker.SerializedMembers(named))
            {
                if (personal.IsPersonal(member, memberType))
                {
                    return prefix + named.Name + "." + member.Name;
                }

                if (Find(memberType, personal, prefix + named.Name + "." + member.Name + " → ", seen, depth + 1) is { } inner)
                {
                    return inner;
                }
            }
        }

        return null;
    }
}
