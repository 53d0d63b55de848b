using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0012: a <c>[CachePut]</c> name that is null, is not a cached method of the interface, is ambiguous, whose key the
/// write's parameters cannot fill, or whose cached type the write's result does not convert to. The generator skips
/// such a put, so the entry would keep its old value.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnworkableCachePutAnalyzer : WriteAttributeAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = DiagnosticDescriptors.UnworkableCachePut;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override string AttributeName => KnownNames.CachePutAttribute;

    private protected override void AnalyzeNull(SymbolAnalysisContext context, IMethodSymbol method, Location location)
        => context.ReportDiagnostic(Diagnostic.Create(Rule, location, method.Name, "null", "null names no cached method; name one with nameof, or remove the attribute"));

    private protected override void AnalyzeValue(SymbolAnalysisContext context, IMethodSymbol method, string text, ExpressionSyntax? expression, Location fallback)
    {
        if (Problem(method, text, ContractsOf(method), context.Compilation, context.CancellationToken) is { } problem)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, LocationOf(expression, fallback), method.Name, text, problem));
        }
    }

    private static string? Problem(IMethodSymbol writer, string name, List<INamedTypeSymbol> contracts, Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        if (SkipRules.DecoratedWriterProblem(writer) is { } writerProblem)
        {
            return writerProblem;
        }

        var candidates = contracts.SelectMany(c => c.GetMembers(name).OfType<IMethodSymbol>()).Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).ToList();
        if (candidates.Count == 0)
        {
            var methods = contracts.SelectMany(c => c.GetMembers().OfType<IMethodSymbol>()).Where(m => m.MethodKind == MethodKind.Ordinary).Select(m => m.Name);
            return $"no method named '{name}' on the interface" + (NameSuggestion.Closest(name, methods) is { } meant ? $"; did you mean '{meant}'?" : "");
        }

        // As the generator puts: into the one cached method of that name (other overloads are not entries).
        var facts = CompilationFacts.For(compilation);
        var cached = candidates.Select(c => facts.Site(c, cancellationToken)).Where(s => s is not null).ToList();
        if (cached.Count == 0)
        {
            return $"'{name}' is not cached ([Cached] on the interface method)";
        }

        if (cached.Count > 1)
        {
            return $"'{name}' is ambiguous ({cached.Count} cached overloads)";
        }

        var site = cached[0]!;
        var target = site.Method;

        if (CacheRules.UncacheableReason(target, out _, out var cachedType) is not null)
        {
            return null; // CG0007 reports the cached method itself
        }

        if (CacheRules.PutProblem(writer, cachedType, compilation) is { } resultProblem)
        {
            return resultProblem;
        }

        if (site.KeyFields is not { } fields)
        {
            return null; // CG0004 reports the template
        }

        if (CacheRules.MatchArguments(writer, fields) is null)
        {
            var missing = fields.First(f => CacheRules.MatchArguments(writer, [f]) is null);
            return CacheRules.WhyNotFilled(writer, missing) is { } why
                ? $"none of its parameters supplies '{missing.PathKey}' of the key: {why}"
                : $"none of its parameters supplies '{missing.PathKey}' of the key (match by name or member)";
        }

        return null;
    }
}
