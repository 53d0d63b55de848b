using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using CachedGen.Analyzers;
using CachedGen.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CachedGen.CodeFixes.Rules;

/// <summary>CG0001: rewrites <c>{email}</c> as <c>{email:hash}</c>, and a batch placeholder <c>{emails[]}</c> as
/// <c>{emails[]:hash}</c> (the path in the diagnostic's properties keeps the <c>[]</c>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PersonalDataInKeyFixer)), Shared]
public sealed class PersonalDataInKeyFixer : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.PersonalDataInKey);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(PersonalDataInKeyAnalyzer.PathProperty, out var path) || path is null
            || await FixHelpers.FindAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } found
            || FindLiteral(found.Node) is not { } literal)
        {
            return;
        }

        var value = literal.Token.ValueText.Replace("{" + path + "}", "{" + path + ":hash}");
        FixHelpers.RegisterReplacement(context, diagnostic, $"Hash '{path}' in the key", nameof(PersonalDataInKeyFixer), found.Root, literal, FixHelpers.StringLiteral(value).WithTriviaFrom(literal));
    }

    private static LiteralExpressionSyntax? FindLiteral(SyntaxNode node)
    {
        foreach (var candidate in node.AncestorsAndSelf())
        {
            if (candidate is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression))
            {
                return literal;
            }

            if (candidate is AttributeArgumentSyntax { Expression: LiteralExpressionSyntax inner } && inner.IsKind(SyntaxKind.StringLiteralExpression))
            {
                return inner;
            }
        }

        return null;
    }
}
