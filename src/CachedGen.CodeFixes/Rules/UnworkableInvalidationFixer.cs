using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.Analyzers;
using CachedGen.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CachedGen.CodeFixes.Rules;

/// <summary>CG0006, CG0015: replaces a string naming the write method with <c>nameof(Method)</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnworkableInvalidationFixer)), Shared]
public sealed class UnworkableInvalidationFixer : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.UnworkableInvalidation, DiagnosticIds.InvalidationByString);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(UnworkableInvalidationAnalyzer.UseNameofProperty, out var name) || name is null
            || await FixHelpers.FindAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } found
            || found.Node.AncestorsAndSelf().OfType<LiteralExpressionSyntax>().FirstOrDefault() is not { } literal)
        {
            return;
        }

        // "Save" becomes nameof(Save); "IFormCommands.UpdateAsync" becomes $"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}",
        // a constant the generator reads the same way, and a rename of either part updates or breaks it visibly.
        var dot = name.IndexOf('.');
        var replacement = dot < 0
            ? SyntaxFactory.InvocationExpression(
                SyntaxFactory.IdentifierName("nameof"),
                SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(name)))))
            : SyntaxFactory.ParseExpression("$\"{nameof(" + name.Substring(0, dot) + ")}.{nameof(" + name + ")}\"");
        var title = dot < 0 ? $"Use nameof({name})" : $"Use nameof({name.Substring(0, dot)}) and nameof({name})";
        FixHelpers.RegisterReplacement(context, diagnostic, title, nameof(UnworkableInvalidationFixer), found.Root, literal, replacement.WithTriviaFrom(literal));
    }
}
