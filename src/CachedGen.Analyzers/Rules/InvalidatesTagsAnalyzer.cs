using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>The tag templates of <c>[InvalidatesTags]</c>: CG0004 for a malformed or null template, CG0006 for a placeholder the
/// write's parameters cannot fill, or on a write after which the decorator cannot run (the generator skips such a tag,
/// so the invalidation would never happen), CG0001 for
/// personal data placed raw in a tag.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvalidatesTagsAnalyzer : WriteAttributeAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidKeyTemplate, DiagnosticDescriptors.UnworkableInvalidation, DiagnosticDescriptors.PersonalDataInKey);

    private protected override string AttributeName => KnownNames.InvalidatesTagsAttribute;

    private protected override void AnalyzeNull(SymbolAnalysisContext context, IMethodSymbol method, Location location)
        => context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidKeyTemplate, location, method.Name, "tag: null is not a tag template; name the tags the write invalidates, or remove the attribute"));

    private protected override void AnalyzeValue(SymbolAnalysisContext context, IMethodSymbol method, string text, ExpressionSyntax? expression, Location fallback)
    {
        var template = KeyTemplate.Parse(text, out var error);
        if (template is null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidKeyTemplate, CachedSite.ValueSpan(expression, error!.Start, error.Length, fallback), method.Name, "tag: " + error.Message));
            return;
        }

        if (CacheRules.TagTextProblem(text) is { } empty)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidKeyTemplate, LocationOf(expression, fallback), method.Name, "tag: " + empty));
            return;
        }

        PersonalDataInKeyAnalyzer.ReportRawPlaceholders(context, method, PersonalData.For(context.Options, expression?.SyntaxTree), text, expression, fallback);
        if (SkipRules.DecoratedWriterProblem(method) is { } afterWrite)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnworkableInvalidation, LocationOf(expression, fallback), method.Name, "tag " + text, afterWrite));
            return;
        }

        foreach (var part in template.Parts)
        {
            if (part.IsPlaceholder && CacheRules.ResolvePlaceholder(method, part, out var problem) is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.UnworkableInvalidation,
                    CachedSite.ValueSpan(expression, part.Start, part.Length, fallback),
                    method.Name,
                    "tag " + text,
                    "its parameters cannot fill the tag template: " + problem));
            }
        }
    }
}
