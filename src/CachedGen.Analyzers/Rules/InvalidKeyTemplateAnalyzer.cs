using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0004: a key template that is malformed, names an unknown parameter or member, uses a value with no
/// stable encoding, or lets two placeholders touch. Reported at the exact span inside the string.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvalidKeyTemplateAnalyzer : CachedMethodAnalyzer
{
    private protected override DiagnosticDescriptor Rule => DiagnosticDescriptors.InvalidKeyTemplate;

    private protected override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.Data.KeyTemplate is not { } text)
        {
            return;
        }

        var argument = site.Argument(1, "KeyTemplate");
        var template = KeyTemplate.Parse(text, out var error);
        if (template is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(argument, error!.Start, error.Length, site.AttributeLocation), site.Method.Name, error.Message));
            return;
        }

        foreach (var part in template.Parts)
        {
            if (part.IsPlaceholder && CacheRules.ResolvePlaceholder(site.Method, part, out var problem) is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, CachedSite.ValueSpan(argument, part.Start, part.Length, site.AttributeLocation), site.Method.Name, problem));
            }
        }
    }
}
