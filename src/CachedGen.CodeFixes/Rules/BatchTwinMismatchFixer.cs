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

/// <summary>CG0019: gives the batch method its twin's TTL and Version, so the entries they share agree.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BatchTwinMismatchFixer)), Shared]
public sealed class BatchTwinMismatchFixer : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.BatchTwinMismatch);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (await FixHelpers.FindAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } found
            || FixHelpers.CachedAttribute(found.Node) is not { ArgumentList: { } list } attribute
            || !diagnostic.Properties.TryGetValue(BatchTwinMismatchAnalyzer.TwinVersionProperty, out var versionText) || !int.TryParse(versionText, out var version))
        {
            return;
        }

        diagnostic.Properties.TryGetValue(BatchTwinMismatchAnalyzer.TwinTtlProperty, out var ttl);
        var arguments = list.Arguments;

        // The TTL: the first positional argument, when both have one.
        if (ttl is not null && arguments.Count > 0 && arguments[0].NameEquals is null && arguments[0].NameColon is null)
        {
            arguments = arguments.Replace(arguments[0], arguments[0].WithExpression(FixHelpers.StringLiteral(ttl)));
        }

        // The Version: set when the twin's is not the default, removed when it is.
        var existing = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Version");
        var versionArgument = SyntaxFactory.AttributeArgument(SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(version)))
            .WithNameEquals(SyntaxFactory.NameEquals("Version"));
        if (existing is not null)
        {
            arguments = version == 1 ? arguments.Remove(existing) : arguments.Replace(existing, versionArgument);
        }
        else if (version != 1)
        {
            arguments = arguments.Add(versionArgument);
        }

        var updated = attribute.WithArgumentList(list.WithArguments(arguments));
        FixHelpers.RegisterReplacement(context, diagnostic, "Use the twin's TTL and Version", nameof(BatchTwinMismatchFixer), found.Root, attribute, updated);
    }
}
