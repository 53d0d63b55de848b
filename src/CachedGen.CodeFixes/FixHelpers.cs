using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
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
}
