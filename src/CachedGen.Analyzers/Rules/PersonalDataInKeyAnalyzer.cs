using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0001: personal data placed raw in a key, through a placeholder without <c>:hash</c> or through the
/// default key (which holds every key parameter).</summary>
public sealed class PersonalDataInKeyAnalyzer : CachedMethodAnalyzer
{
    /// <summary>The placeholder path to rewrite as <c>{path:hash}</c>; a batch placeholder's ends in <c>[]</c>
    /// (<c>emails[]</c>, rewritten as <c>{emails[]:hash}</c>).</summary>
    public const string PathProperty = "Path";

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.PersonalDataInKey;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        var personal = PersonalData.For(context.Options, site.Syntax?.SyntaxTree);

        // Tags are Redis keys too ({KeyPrefix}cachedgen:tag:{...}), and travel on the backplane.
        var tags = site.NamedArrayElements("Tags");
        for (var i = 0; i < site.Data.Tags.Count; i++)
        {
            ReportRawPlaceholders(context, site.Method, personal, site.Data.Tags[i], i < tags.Count ? tags[i] : null, site.AttributeLocation);
        }

        if (site.Data.KeyTemplate is { } text)
        {
            ReportRawPlaceholders(context, site.Method, personal, text, site.Argument(1, "KeyTemplate")?.Expression, site.AttributeLocation);
            return;
        }

        // The default key renders every parameter that is not left out of keys (CacheRules.IsLeftOutOfKey).
        foreach (var parameter in site.Method.Parameters)
        {
            if (CacheRules.IsLeftOutOfKey(parameter))
            {
                continue;
            }

            if (personal.IsPersonal(parameter, parameter.Type))
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, parameter.Locations.FirstOrDefault() ?? site.MethodLocation, parameter.Name, site.Method.Name));
            }
        }
    }

    /// <summary>Reports each placeholder of <paramref name="template"/> (a key or tag template over
    /// <paramref name="method"/>'s parameters) that reaches personal data without <c>:hash</c>.</summary>
    internal static void ReportRawPlaceholders(SymbolAnalysisContext context, IMethodSymbol method, PersonalData personal, string template, Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax? expression, Location fallback)
    {
        if (KeyTemplate.Parse(template, out _) is not { } parsed)
        {
            return;
        }

        foreach (var part in parsed.Parts.Where(p => p.IsPlaceholder && !p.Hash))
        {
            if (Personal(method, part, personal) is not null)
            {
                // A batch placeholder keeps its []: {emails[]} is hashed as {emails[]:hash} ({emails:hash} would name
                // the whole collection, which has no key encoding).
                var path = string.Join(".", part.Path!) + (part.IsBatch ? "[]" : string.Empty);
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.PersonalDataInKey,
                    CachedSite.ValueSpan(expression, part.Start, part.Length, fallback),
                    ImmutableDictionary<string, string?>.Empty.Add(PathProperty, path),
                    path,
                    method.Name));
            }
        }
    }

    /// <summary>The personal-data symbol along the placeholder's path (the parameter or any member), if any.</summary>
    private static ISymbol? Personal(IMethodSymbol method, KeyTemplatePart part, PersonalData personal)
    {
        var parameter = CacheRules.FindParameter(method.Parameters, part.Path![0]);
        if (parameter is null)
        {
            return null;
        }

        // The parameter is a step of the path as each member is: a value read from personal data ({address.Value} of a
        // [PersonalData] EmailAddress) is personal data, as {customer.Contact.Value} is when Contact is.
        var members = part.Path.Skip(1).ToList();
        if (personal.IsPersonal(parameter, parameter.Type))
        {
            return parameter;
        }

        ITypeSymbol type = parameter.Type;
        foreach (var name in members)
        {
            // The member the generator renders: case and inheritance as in the key (CacheRules.FindMember).
            if (CacheRules.FindMember(type, name) is not { } member)
            {
                return null;
            }

            type = CacheRules.MemberType(member);
            if (personal.IsPersonal(member, type))
            {
                return member;
            }
        }

        return null;
    }
}
