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

        // "Save" becomes nameof(Save); "IFormCommands.UpdateAsync" becomes $"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}"
        // ($"{nameof(IRepository<>)}.{nameof(IRepository<>.UpdateAsync)}" for a generic interface, from C# 14), a
        // constant the generator reads the same way, and a rename of either part updates or breaks it visibly. The
        // analyzer wrote the expression.
        var replacement = SyntaxFactory.ParseExpression(name);
        var title = $"Use {name}";
        FixHelpers.RegisterReplacement(context, diagnostic, title, nameof(UnworkableInvalidationFixer), found.Root, literal, replacement.WithTriviaFrom(literal));
    }
}
