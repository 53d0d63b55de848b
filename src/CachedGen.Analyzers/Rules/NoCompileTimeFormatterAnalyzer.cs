using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0020: a type the cached value reaches for which the generator writes no MessagePack formatter
/// (<see cref="FormatterRules"/>, the rule the generator follows). What CG0008 reports already (interfaces, abstract
/// classes, <c>object</c>, delegates, no public constructor) is left to it. A value built from a generic interface's type
/// parameters is reported with the severity <see cref="FormatterRules.TypeParameterSeverity"/> gives: Info, or Warning
/// in a build that trims or publishes with Native AOT (<see cref="BuildProperties.TrimmedOrAot"/>).</summary>
public sealed class NoCompileTimeFormatterAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.NoCompileTimeFormatter;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.ValueType is not { } valueType)
        {
            return;
        }

        var rules = FormatterRules.Walk(valueType, context.Compilation, context.CancellationToken);
        if (rules.Problem is { } problem && !rules.ProblemIsUnserializable)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, problem));
            return;
        }

        if (rules.Problem is null && rules.TypeParameterProblem is { } generic)
        {
            var closings = site.Method.ContainingType is { TypeKind: TypeKind.Interface, IsGenericType: true } owner
                ? site.Facts.ClosedByDerivedInterfaces(owner.OriginalDefinition, context.Compilation, context.CancellationToken)
                : ImmutableArray<INamedTypeSymbol>.Empty;

            // The interfaces that close it store the closed value with formatters written at compile time: what those
            // cannot write is an ordinary CG0020 (Warning), named with the closed interface.
            foreach (var closed in closings)
            {
                if (closed.GetMembers(site.Method.Name).OfType<IMethodSymbol>().FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, site.Method.OriginalDefinition)) is { } method
                    && CacheRules.UncacheableReason(method, out _, out var closedValue) is null
                    && FormatterRules.Walk(closedValue, context.Compilation, context.CancellationToken) is { Problem: { } closedProblem, ProblemIsUnserializable: false })
                {
                    var name = closed.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, $"closed as '{name}', {closedProblem}"));
                }
            }

            var trimmedOrAot = BuildProperties.TrimmedOrAot(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
            var severity = FormatterRules.TypeParameterSeverity(trimmedOrAot, closedByDerivedInterface: !closings.IsEmpty);
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, severity, additionalLocations: null, properties: null, site.Method.Name, generic));
        }
    }
}
