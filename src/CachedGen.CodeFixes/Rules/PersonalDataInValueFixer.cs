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

/// <summary>CG0009: sets <c>Sensitive = true</c> on the attribute, in place of a <c>Sensitive = false</c> it has.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PersonalDataInValueFixer)), Shared]
public sealed class PersonalDataInValueFixer : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.PersonalDataInValue);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (await FixHelpers.FindAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } found
            || found.Node.AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault() is not { } attribute)
        {
            return;
        }

        // Sensitive = false (or any other value) is set to true where it stands; a second Sensitive = would not compile.
        var value = SyntaxFactory.LiteralExpression(SyntaxKind.TrueLiteralExpression);
        AttributeSyntax updated;
        if (FixHelpers.Argument(attribute, -1, string.Empty, "Sensitive") is { } existing)
        {
            updated = attribute.ReplaceNode(existing, existing.WithExpression(value.WithTriviaFrom(existing.Expression)));
        }
        else
        {
            var sensitive = SyntaxFactory.AttributeArgument(value).WithNameEquals(SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("Sensitive")));
            var list = attribute.ArgumentList ?? SyntaxFactory.AttributeArgumentList();
            updated = attribute.WithArgumentList(list.WithArguments(list.Arguments.Add(sensitive)));
        }

        FixHelpers.RegisterReplacement(context, diagnostic, "Mark the cached value Sensitive", nameof(PersonalDataInValueFixer), found.Root, attribute, updated);
    }
}
