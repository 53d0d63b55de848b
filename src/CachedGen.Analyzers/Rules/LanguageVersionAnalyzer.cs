using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0021: a <c>[Cached]</c> method in a project compiled below C# 11, for which the generator writes nothing
/// (its code would not compile).</summary>
public sealed class LanguageVersionAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.LanguageVersionTooOld;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        var options = site.AttributeLocation.SourceTree?.Options;
        if (SkipRules.LanguageVersionSupported(options))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, site.AttributeLocation, site.Method.Name, ((CSharpParseOptions)options!).LanguageVersion.ToDisplayString()));
    }
}
