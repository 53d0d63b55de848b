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

/// <summary>CG0005: appends <c>:{param}</c> to the key template (only when the parameter has a key encoding: a
/// placeholder naming an array or an object would be CG0004), or marks the parameter <c>[NotCacheKey]</c> (named so that
/// it binds with the file's usings, also without <c>using CachedGen;</c>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ParameterNotInKeyFixer)), Shared]
public sealed class ParameterNotInKeyFixer : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticIds.ParameterNotInKey);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics[0];
        if (!diagnostic.Properties.TryGetValue(ParameterNotInKeyAnalyzer.ParameterProperty, out var name) || name is null
            || await FixHelpers.FindAsync(context.Document, diagnostic.Location.SourceSpan, context.CancellationToken).ConfigureAwait(false) is not { } found
            || found.Node.AncestorsAndSelf().OfType<ParameterSyntax>().FirstOrDefault() is not { } parameter)
        {
            return;
        }

        var attribute = FixHelpers.CachedAttribute(parameter);
        // The key template: the second constructor argument (by position or as keyTemplate:), or KeyTemplate = ...
        var template = (attribute is null ? null : FixHelpers.Argument(attribute, 1, "keyTemplate", "KeyTemplate"))?.Expression as LiteralExpressionSyntax;
        if (template is not null && template.IsKind(SyntaxKind.StringLiteralExpression)
            && diagnostic.Properties.ContainsKey(ParameterNotInKeyAnalyzer.PlaceholderProperty))
        {
            var updatedTemplate = FixHelpers.StringLiteral(template.Token.ValueText + ":{" + name + "}").WithTriviaFrom(template);
            FixHelpers.RegisterReplacement(context, diagnostic, $"Add '{{{name}}}' to the key", nameof(ParameterNotInKeyFixer) + ".Template", found.Root, template, updatedTemplate);
        }

        var marker = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Attribute(FixHelpers.CachedGenName("NotCacheKey"))))
            .WithTrailingTrivia(SyntaxFactory.Space);
        FixHelpers.RegisterReplacement(context, diagnostic, $"Mark '{name}' [NotCacheKey]", nameof(ParameterNotInKeyFixer) + ".NotCacheKey", found.Root, parameter, parameter.WithAttributeLists(parameter.AttributeLists.Add(marker)));
    }
}
