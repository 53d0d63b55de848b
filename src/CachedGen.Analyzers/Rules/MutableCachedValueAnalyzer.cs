using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0011 (info): the cached value is mutable (setters, non-readonly fields, mutable collections), and L1
/// hands the same instance to every caller. A method of a generic interface is
/// also checked for each interface of the compilation that closes it (<see cref="CachedSite.Closings"/>).</summary>
public sealed class MutableCachedValueAnalyzer : CachedMethodAnalyzer
{
    private static readonly HashSet<string> MutableCollections =
    [
        "System.Collections.Generic.List`1", "System.Collections.Generic.Dictionary`2", "System.Collections.Generic.HashSet`1",
        "System.Collections.Generic.IList`1", "System.Collections.Generic.ICollection`1", "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.ISet`1", "System.Collections.Generic.SortedDictionary`2", "System.Collections.Generic.SortedSet`1",
        "System.Collections.Generic.Queue`1", "System.Collections.Generic.Stack`1", "System.Collections.Generic.LinkedList`1",
    ];

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.MutableCachedValue;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Data.LocalTtl is "0s" or "0ms" || site.ValueType is not { } valueType)
        {
            return;
        }

        var declared = Reason(valueType, site.Facts);
        if (declared is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, valueType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), declared));
        }

        // What an interface closing a generic one stores (IRepository<Product, int>: a Product) is checked as any value,
        // at the generic method, named with the closed interface; a reason the declared value has is not repeated.
        foreach (var closing in site.Closings(context.Compilation, context.CancellationToken))
        {
            if (Reason(closing.ValueType, site.Facts) is { } reason && reason != declared)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, closing.Name, closing.ValueType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat), reason));
            }
        }
    }

    private static string? Reason(ITypeSymbol type, CompilationFacts facts)
        => facts.PerType("CG0011", type, facts, static (type, facts) => ReasonOf(type, facts));

    private static string? ReasonOf(ITypeSymbol type, CompilationFacts facts)
    {
        if (MutableKind(type) is { } kind)
        {
            return kind;
        }

        if (type.IsValueType || TypeWalker.IsFrameworkType(type))
        {
            return null;
        }

        foreach (var (member, memberType) in facts.SerializedMembers(type))
        {
            if (member is IPropertySymbol { SetMethod: { IsInitOnly: false, DeclaredAccessibility: Accessibility.Public } })
            {
                return $"property '{member.Name}' has a public setter";
            }

            if (member is IFieldSymbol { IsReadOnly: false, IsConst: false })
            {
                return $"field '{member.Name}' is not readonly";
            }

            if (MutableKind(memberType) is { } kind2)
            {
                return $"'{member.Name}' is {kind2}";
            }
        }

        return null;
    }

    private static string? MutableKind(ITypeSymbol type)
    {
        if (type is IArrayTypeSymbol)
        {
            return "an array";
        }

        // Only generic framework types are looked up: a project's own types never have their names built.
        return type is INamedTypeSymbol { IsGenericType: true } && TypeWalker.IsFrameworkType(type) && MutableCollections.Contains(type.OriginalDefinition.MetadataFullName())
            ? $"a mutable '{type.OriginalDefinition.Name}'"
            : null;
    }
}
