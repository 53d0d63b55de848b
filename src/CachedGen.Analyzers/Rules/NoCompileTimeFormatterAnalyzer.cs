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

        var rules = site.Facts.Formatters(valueType, context.Compilation, context.CancellationToken);
        if (rules.Problem is { } problem && !rules.ProblemIsUnserializable)
        {
            // A [Union] type is written by MessagePack's own union resolver under the JIT: only a trimmed or Native AOT
            // build loses it, so only there is it a warning (as a generic repository's value).
            var severity = rules.ProblemWorksUnderJit && !BuildProperties.TrimmedOrAot(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions)
                ? DiagnosticSeverity.Info
                : Rule.DefaultSeverity;
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, severity, additionalLocations: null, properties: null, site.Method.Name, problem));
            return;
        }

        if (rules.Problem is null && rules.TypeParameterProblem is { } generic)
        {
            // The interfaces that close it store the closed value with formatters written at compile time: what those
            // cannot write is an ordinary CG0020 (Warning), named with the closed interface.
            foreach (var closing in site.Closings(context.Compilation, context.CancellationToken))
            {
                if (site.Facts.Formatters(closing.ValueType, context.Compilation, context.CancellationToken) is { Problem: { } closedProblem, ProblemIsUnserializable: false })
                {
                    var name = closing.Interface.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, $"closed as '{name}', {closedProblem}"));
                }
            }

            // For the severity, any interface of the compilation that closes the generic one counts, whether or not the
            // value it closes can be cached.
            var closedByDerivedInterface = site.Method.ContainingType is { TypeKind: TypeKind.Interface, IsGenericType: true } owner
                && !site.Facts.ClosedByDerivedInterfaces(owner.OriginalDefinition, context.Compilation, context.CancellationToken).IsEmpty;
            var trimmedOrAot = BuildProperties.TrimmedOrAot(context.Options.AnalyzerConfigOptionsProvider.GlobalOptions);
            var severity = FormatterRules.TypeParameterSeverity(trimmedOrAot, closedByDerivedInterface);
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, severity, additionalLocations: null, properties: null, site.Method.Name, generic));
        }
    }
}
