using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0015: an <c>invalidatedBy</c> string literal that names a write the generator honours: advice to write
/// <c>nameof()</c>, so a rename breaks the build instead of the invalidation. An entry that cannot work is CG0006.</summary>
public sealed class InvalidationByStringAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.InvalidationByString;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        var expressions = site.InvalidatedByExpressions().ToList();
        var index = 0;
        // Null names kept in place (CG0006 reports them), so each name lines up with its expression.
        foreach (var raw in site.RawStrings(2, "InvalidatedBy"))
        {
            var expression = index < expressions.Count ? expressions[index] : null;
            index++;
            if (raw is not { } name || expression is not LiteralExpressionSyntax literal || !literal.IsKind(SyntaxKind.StringLiteralExpression)
                || name.IndexOf('.') != name.LastIndexOf('.'))
            {
                continue;
            }

            var (problem, found) = UnworkableInvalidationAnalyzer.Check(site, name, context.Compilation);
            // Advice only where nameof can name the write (a generic interface's needs C# 14).
            if (found && problem is null && UnworkableInvalidationAnalyzer.NameofExpression(name, site, context.Compilation) is { } nameof)
            {
                var properties = ImmutableDictionary<string, string?>.Empty.Add(UnworkableInvalidationAnalyzer.UseNameofProperty, nameof);
                context.ReportDiagnostic(Diagnostic.Create(Rule, literal.GetLocation(), properties, name, site.Method.Name));
            }
        }
    }
}
