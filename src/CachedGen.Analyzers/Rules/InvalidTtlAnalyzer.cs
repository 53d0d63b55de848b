using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0003: a TTL or LocalTtl that does not parse, is not positive, or exceeds its cap
/// (<c>cachedgen.max_ttl</c>; for <c>Sensitive</c> entries <c>cachedgen.max_sensitive_ttl</c>, default 30m).</summary>
public sealed class InvalidTtlAnalyzer : CachedMethodAnalyzer
{
    public const string MaxTtlOption = "cachedgen.max_ttl";
    public const string MaxSensitiveTtlOption = "cachedgen.max_sensitive_ttl";
    public static readonly TimeSpan DefaultMaxSensitiveTtl = TimeSpan.FromMinutes(30);

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.InvalidTtl;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        var options = site.Syntax is { } syntax ? context.Options.AnalyzerConfigOptionsProvider.GetOptions(syntax.SyntaxTree) : null;
        TimeSpan? cap = null;
        if (options is not null && options.TryGetValue(MaxTtlOption, out var maxText) && TtlParser.TryParse(maxText, out var max))
        {
            cap = max;
        }

        if (site.Data.Sensitive)
        {
            var sensitiveCap = DefaultMaxSensitiveTtl;
            if (options is not null && options.TryGetValue(MaxSensitiveTtlOption, out var sensitiveText) && TtlParser.TryParse(sensitiveText, out var configured))
            {
                sensitiveCap = configured;
            }

            cap = cap is { } general && general < sensitiveCap ? general : sensitiveCap;
        }

        Check(context, site, site.Data.Ttl, site.Argument(0, "Ttl"), "TTL", allowZero: false, cap);
        Check(context, site, site.Data.LocalTtl, site.Argument(-1, "LocalTtl"), "LocalTtl", allowZero: true, cap: null);
    }

    private void Check(SymbolAnalysisContext context, CachedSite site, string? text, Microsoft.CodeAnalysis.CSharp.Syntax.AttributeArgumentSyntax? argument, string what, bool allowZero, TimeSpan? cap)
    {
        if (text is null)
        {
            return;
        }

        // The problems that leave the method uncached are the generator's own (SkipRules.TtlProblem); the cap is policy.
        var problem = SkipRules.TtlProblem(text, allowZero, out var value);
        if (problem is null && cap is { } limit && value > limit)
        {
            problem = site.Data.Sensitive
                ? $"exceeds the {Format(limit)} cap for sensitive entries ({MaxSensitiveTtlOption})"
                : $"exceeds the {Format(limit)} cap ({MaxTtlOption})";
        }

        if (problem is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, argument?.GetLocation() ?? site.AttributeLocation, what, text, site.Method.Name, problem));
        }
    }

    private static string Format(TimeSpan value) => value.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}
