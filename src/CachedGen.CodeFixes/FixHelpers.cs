using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

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

    /// <summary>The <c>[Cached]</c> attribute on the method that contains <paramref name="node"/> (or that it is in),
    /// however it is qualified: <c>Cached</c>, <c>CachedGen.Cached</c>, <c>global::CachedGen.Cached</c>, or through a
    /// namespace alias (<c>C.Cached</c>).</summary>
    public static AttributeSyntax? CachedAttribute(SyntaxNode node)
    {
        var method = node.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
        return method?.AttributeLists.SelectMany(l => l.Attributes)
            .FirstOrDefault(a => UnqualifiedName(a.Name) is "Cached" or "CachedAttribute");
    }

    private static string UnqualifiedName(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax aliased => aliased.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => name.ToString(),
    };

    /// <summary>The argument of <paramref name="attribute"/> that sets the constructor parameter
    /// <paramref name="parameter"/> (at <paramref name="position"/>, or named by colon) or the property
    /// <paramref name="property"/> (<c>Name = value</c>); null when there is none. An argument named by colon and
    /// followed by positional ones stands at its own position, as C# requires.</summary>
    public static AttributeArgumentSyntax? Argument(AttributeSyntax attribute, int position, string parameter, string? property)
    {
        if (attribute.ArgumentList is not { } list)
        {
            return null;
        }

        var index = 0;
        foreach (var argument in list.Arguments)
        {
            if (argument.NameEquals is { } equals)
            {
                if (property is not null && equals.Name.Identifier.ValueText == property)
                {
                    return argument;
                }

                continue;
            }

            if (argument.NameColon is { } colon ? colon.Name.Identifier.ValueText == parameter : index == position)
            {
                return argument;
            }

            index++;
        }

        return null;
    }

    /// <summary>The name of a CachedGen attribute, written <c>global::CachedGen.{name}</c> and marked for the
    /// simplifier, so that it ends up as short as the file's usings allow (<c>NotCacheKey</c> with
    /// <c>using CachedGen;</c>, <c>C.NotCacheKey</c> with <c>using C = CachedGen;</c>) and binds with any of them.</summary>
    public static NameSyntax CachedGenName(string name)
        => SyntaxFactory.ParseName("global::CachedGen." + name).WithAdditionalAnnotations(Simplifier.Annotation);

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
