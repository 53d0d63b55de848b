using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CachedGen.CodeFixes.Rules;

/// <summary>CG0002: sets the TTL to <c>"5m"</c>: in place of a TTL argument that is null, or as the attribute's first
/// argument when it has none.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissingTtlFixer)), Shared]
public sealed class MissingTtlFixer : CodeFixProvider
{
    public const string DefaultTtl = "5m";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.MissingTtl);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (await FixHelpers.FindAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } found
            || found.Node.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault() is not { } attribute)
        {
            return;
        }

        // A TTL argument that is there (null: [Cached(null!, "k:{id}")], [Cached(ttl: null)]) gets the value in its place,
        // so the arguments after it keep their meaning; otherwise the TTL becomes the first argument.
        AttributeSyntax updated;
        if (FixHelpers.Argument(attribute, 0, "ttl", null) is { } existing)
        {
            updated = attribute.ReplaceNode(existing, existing.WithExpression(FixHelpers.StringLiteral(DefaultTtl).WithTriviaFrom(existing.Expression)));
        }
        else
        {
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            updated = attribute.WithArgumentList(list.WithArguments(list.Arguments.Insert(0, SyntaxFactory.AttributeArgument(FixHelpers.StringLiteral(DefaultTtl)))));
        }

        FixHelpers.RegisterReplacement(context, diagnostic, $"Cache for {DefaultTtl}", nameof(MissingTtlFixer), found.Root, attribute, updated);
    }
}
