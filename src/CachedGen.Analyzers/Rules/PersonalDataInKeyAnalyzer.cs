using System;
using System.Collections.Generic;
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
        var reported = new HashSet<string>(StringComparer.Ordinal);
        Analyze(context, site, site.Method, site.Method.Name, personal, reported);

        // A generic interface's keys are rendered from what each closing gives its type parameters: the closing of
        // IRepository<TEntity, TId> by an interface with TId = EmailAddress (a [PersonalData] type) puts addresses in keys.
        // Reported at the generic method, naming the closed member; a placeholder already reported is not repeated.
        foreach (var closing in site.AllClosings(context.Compilation, context.CancellationToken))
        {
            Analyze(context, site, closing.Method, closing.Name, personal, reported);
        }
    }

    private static void Analyze(SymbolAnalysisContext context, CachedSite site, IMethodSymbol method, string name, PersonalData personal, HashSet<string> reported)
    {
        // Tags are Redis keys too ({KeyPrefix}cachedgen:tag:{...}), and travel on the backplane.
        var tags = site.NamedArrayElements("Tags");
        for (var i = 0; i < site.Data.Tags.Count; i++)
        {
            ReportRawPlaceholders(context, method, personal, site.Data.Tags[i], i < tags.Count ? tags[i] : null, site.AttributeLocation, name, reported, "tag" + i);
        }

        if (site.Data.KeyTemplate is { } text)
        {
            ReportRawPlaceholders(context, method, personal, text, site.Argument(1, "KeyTemplate")?.Expression, site.AttributeLocation, name, reported, "key");
            return;
        }

        // The default key renders every parameter that is not left out of keys (CacheRules.IsLeftOutOfKey).
        var declared = site.Method.Parameters;
        for (var i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            if (CacheRules.IsLeftOutOfKey(parameter) || reported.Contains("parameter:" + parameter.Name) || !personal.IsPersonal(parameter, parameter.Type))
            {
                continue;
            }

            reported.Add("parameter:" + parameter.Name);
            var location = (i < declared.Length ? declared[i] : parameter).Locations.FirstOrDefault() ?? site.MethodLocation;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PersonalDataInKey, location, parameter.Name, name));
        }
    }

    /// <summary>Reports each placeholder of <paramref name="template"/> (a key or tag template over
    /// <paramref name="method"/>'s parameters) that reaches personal data without <c>:hash</c>.</summary>
    internal static void ReportRawPlaceholders(SymbolAnalysisContext context, IMethodSymbol method, PersonalData personal, string template, Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax? expression, Location fallback)
        => ReportRawPlaceholders(context, method, personal, template, expression, fallback, method.Name, null, null);

    /// <summary>As above, naming the method <paramref name="name"/> (a closed member's name for a closing), and reporting a
    /// placeholder of template <paramref name="templateId"/> only once across calls sharing <paramref name="reported"/>.</summary>
    private static void ReportRawPlaceholders(SymbolAnalysisContext context, IMethodSymbol method, PersonalData personal, string template, Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionSyntax? expression, Location fallback, string name, HashSet<string>? reported, string? templateId)
    {
        if (KeyTemplate.Parse(template, out _) is not { } parsed)
        {
            return;
        }

        foreach (var part in parsed.Parts.Where(p => p.IsPlaceholder && !p.Hash))
        {
            if (reported?.Contains(templateId + ":" + part.Start) == true || Personal(method, part, personal) is null)
            {
                continue;
            }

            reported?.Add(templateId + ":" + part.Start);

            // A batch placeholder keeps its []: {emails[]} is hashed as {emails[]:hash} ({emails:hash} would name
            // the whole collection, which has no key encoding).
            var path = string.Join(".", part.Path!) + (part.IsBatch ? "[]" : string.Empty);
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.PersonalDataInKey,
                CachedSite.ValueSpan(expression, part.Start, part.Length, fallback),
                ImmutableDictionary<string, string?>.Empty.Add(PathProperty, path),
                path,
                name));
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
