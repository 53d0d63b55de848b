using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0022: a numeric setting of <c>[Cached]</c> that cannot mean what it says (<see cref="CachedAttributeData.SettingProblems"/>):
/// a negative <c>Version</c>, <c>MaxLocalEntries</c> or <c>MaxValueBytes</c>, which the runtime would otherwise replace
/// with its default, or a <c>MaxLocalEntries</c> below the smallest L1.</summary>
public sealed class InvalidSettingAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.InvalidSetting;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        foreach (var (name, value, problem) in site.Data.SettingProblems())
        {
            var location = site.Argument(-1, name)?.GetLocation() ?? site.AttributeLocation;
            context.ReportDiagnostic(Diagnostic.Create(Rule, location, name, value.ToString(System.Globalization.CultureInfo.InvariantCulture), site.Method.Name, problem));
        }
    }
}
