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

/// <summary>CG0002: adds a TTL (<c>"5m"</c>) as the attribute's first argument.</summary>
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

        var ttl = SyntaxFactory.AttributeArgument(FixHelpers.StringLiteral(DefaultTtl));
        var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
        var updated = attribute.WithArgumentList(list.WithArguments(list.Arguments.Insert(0, ttl)));
        FixHelpers.RegisterReplacement(context, diagnostic, $"Cache for {DefaultTtl}", nameof(MissingTtlFixer), found.Root, attribute, updated);
    }
}
