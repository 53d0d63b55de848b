using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CachedGen.CodeFixes.Rules;

/// <summary>CG0014: marks the back-reference member (the diagnostic's additional location, possibly in another file)
/// <c>[IgnoreDataMember]</c>, which MessagePack honours; a positional record parameter gets it with <c>property:</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BackReferenceFixer)), Shared]
public sealed class BackReferenceFixer : CodeFixProvider
{
    private const string Attribute = "global::System.Runtime.Serialization.IgnoreDataMember";

    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.BackReference);

    public override FixAllProvider? GetFixAllProvider() => null;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (diagnostic.AdditionalLocations.FirstOrDefault() is not { SourceTree: { } tree } location
            || context.Document.Project.Solution.GetDocument(tree) is not { } document)
        {
            return Task.CompletedTask;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Exclude the back-reference from the cached value ([IgnoreDataMember])", ct => IgnoreAsync(document, location, ct), nameof(BackReferenceFixer)),
            diagnostic);
        return Task.CompletedTask;
    }

    private static async Task<Solution> IgnoreAsync(Document document, Location location, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document.Project.Solution;
        }

        var node = root.FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        SyntaxNode? declaration = node.AncestorsAndSelf().FirstOrDefault(n => n is PropertyDeclarationSyntax or FieldDeclarationSyntax or ParameterSyntax);
        // The attribute list is added before the declaration (the formatter puts it on a line of its own; a record
        // parameter keeps it inline).
        var updated = declaration switch
        {
            PropertyDeclarationSyntax property => property.WithoutLeadingTrivia().AddAttributeLists(List(null)).WithLeadingTrivia(property.GetLeadingTrivia()),
            FieldDeclarationSyntax field => field.WithoutLeadingTrivia().AddAttributeLists(List(null)).WithLeadingTrivia(field.GetLeadingTrivia()),
            ParameterSyntax parameter => (SyntaxNode)parameter.WithoutLeadingTrivia()
                .AddAttributeLists(List(SyntaxFactory.AttributeTargetSpecifier(SyntaxFactory.Token(SyntaxKind.PropertyKeyword)).WithTrailingTrivia(SyntaxFactory.Space)))
                .WithLeadingTrivia(parameter.GetLeadingTrivia()),
            _ => null,
        };
        return declaration is null || updated is null
            ? document.Project.Solution
            : document.WithSyntaxRoot(root.ReplaceNode(declaration, updated)).Project.Solution;
    }

    private static AttributeListSyntax List(AttributeTargetSpecifierSyntax? target)
        => SyntaxFactory.AttributeList(target, SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(SyntaxFactory.ParseName(Attribute))))
            .WithTrailingTrivia(SyntaxFactory.Space);
}
