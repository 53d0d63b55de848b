using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>The tag templates of <c>[InvalidatesTags]</c>: CG0004 for a malformed template, CG0006 for a placeholder the
/// write's parameters cannot fill (the generator skips such a tag, so the invalidation would never happen).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InvalidatesTagsAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.InvalidKeyTemplate, DiagnosticDescriptors.UnworkableInvalidation);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.InvalidatesTagsAttribute) is not { } attributeType)
            {
                return;
            }

            start.RegisterSymbolAction(c => Analyze(c, attributeType), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType)
    {
        var method = (IMethodSymbol)context.Symbol;
        var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
        if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
        {
            return;
        }

        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) as AttributeSyntax;
        var fallback = syntax?.GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
        var expressions = syntax?.ArgumentList?.Arguments.SelectMany(a => CachedSite.Elements(a.Expression)).ToList() ?? [];
        var values = attribute.ConstructorArguments[0].Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Value is not string text)
            {
                continue;
            }

            var expression = i < expressions.Count ? expressions[i] : null;
            var template = KeyTemplate.Parse(text, out var error);
            if (template is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidKeyTemplate, CachedSite.ValueSpan(expression, error!.Start, error.Length, fallback), method.Name, "tag: " + error.Message));
                continue;
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
}
