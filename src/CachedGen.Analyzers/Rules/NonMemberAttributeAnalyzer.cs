using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary><c>[Cached]</c> (CG0007), <c>[InvalidatesTags]</c> (CG0006) or <c>[CachePut]</c> (CG0012) on a local function,
/// a lambda or a property or event accessor: the generator only reads them on method declarations, and the
/// method-symbol rules never see these, so without this rule the attribute would do nothing silently.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NonMemberAttributeAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.UncacheableMethod, DiagnosticDescriptors.UnworkableInvalidation, DiagnosticDescriptors.UnworkableCachePut);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.CachedAttribute) is null)
            {
                return;
            }

            start.RegisterSyntaxNodeAction(
                Analyze,
                SyntaxKind.LocalFunctionStatement,
                SyntaxKind.ParenthesizedLambdaExpression,
                SyntaxKind.SimpleLambdaExpression,
                SyntaxKind.GetAccessorDeclaration,
                SyntaxKind.SetAccessorDeclaration,
                SyntaxKind.InitAccessorDeclaration,
                SyntaxKind.AddAccessorDeclaration,
                SyntaxKind.RemoveAccessorDeclaration);
        });
    }

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        var lists = context.Node switch
        {
            LocalFunctionStatementSyntax local => local.AttributeLists,
            LambdaExpressionSyntax lambda => lambda.AttributeLists,
            AccessorDeclarationSyntax accessor => accessor.AttributeLists,
            _ => default,
        };
        if (lists.Count == 0)
        {
            return;
        }

        var symbol = context.Node is LocalFunctionStatementSyntax or AccessorDeclarationSyntax
            ? context.SemanticModel.GetDeclaredSymbol(context.Node, context.CancellationToken) as IMethodSymbol
            : context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol as IMethodSymbol;
        if (symbol is null || SkipRules.NonMemberProblem(symbol) is not { } problem)
        {
            return;
        }

        foreach (var attribute in symbol.GetAttributes())
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken).GetLocation() ?? context.Node.GetLocation();
            if (attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UncacheableMethod, location, symbol.Name, problem));
            }
            else if (attribute.AttributeClass.HasFullName(KnownNames.InvalidatesTagsAttribute))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnworkableInvalidation, location, symbol.Name, "its tags", problem));
            }
            else if (attribute.AttributeClass.HasFullName(KnownNames.CachePutAttribute))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UnworkableCachePut, location, symbol.Name, "its entry", problem));
            }
        }
    }
}
