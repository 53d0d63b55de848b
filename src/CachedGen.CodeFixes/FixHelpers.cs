using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CachedGen.CodeFixes;

internal static class FixHelpers
{
    public static async Task<(SyntaxNode Root, SyntaxNode Node)?> FindAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        return (root, root.FindNode(span, getInnermostNodeForTie: true));
    }

    /// <summary>The <c>[Cached]</c> attribute on the method that contains <paramref name="node"/> (or that it is in).</summary>
    public static AttributeSyntax? CachedAttribute(SyntaxNode node)
    {
        var method = node.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        return method?.AttributeLists.SelectMany(l => l.Attributes)
            .FirstOrDefault(a => a.Name.ToString() is "Cached" or "CachedAttribute" or "CachedGen.Cached" or "CachedGen.CachedAttribute" or "global::CachedGen.Cached" or "global::CachedGen.CachedAttribute");
    }

    public static LiteralExpressionSyntax StringLiteral(string value)
        => SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(value));

    /// <summary>Offers one fix that replaces <paramref name="original"/> with <paramref name="replacement"/>.</summary>
    public static void RegisterReplacement(CodeFixContext context, Diagnostic diagnostic, string title, string key, SyntaxNode root, SyntaxNode original, SyntaxNode replacement)
        => context.RegisterCodeFix(
            CodeAction.Create(
                title,
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(original, replacement))),
                equivalenceKey: key),
            diagnostic);
}
