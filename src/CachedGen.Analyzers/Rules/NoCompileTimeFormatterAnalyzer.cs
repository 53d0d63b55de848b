using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0020: a type the cached value reaches for which the generator writes no MessagePack formatter
/// (<see cref="FormatterRules"/>, the rule the generator follows). What CG0008 reports already (interfaces, abstract
/// classes, <c>object</c>, delegates, no public constructor) is left to it.</summary>
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
        }
    }
}
