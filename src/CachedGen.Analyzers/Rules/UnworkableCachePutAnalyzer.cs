using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0012: a <c>[CachePut]</c> name that is not a cached method of the interface, is ambiguous, whose key the
/// write's parameters cannot fill, or whose cached type the write's result does not convert to. The generator skips
/// such a put, so the entry would keep its old value.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnworkableCachePutAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = DiagnosticDescriptors.UnworkableCachePut;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.CachePutAttribute) is not { } attributeType)
            {
                return;
            }

            start.RegisterSymbolAction(c => Analyze(c, attributeType), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType)
    {
        var writer = (IMethodSymbol)context.Symbol;
        var attribute = writer.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
        if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
        {
            return;
        }

        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) as AttributeSyntax;
        var fallback = syntax?.GetLocation() ?? writer.Locations.FirstOrDefault() ?? Location.None;
        var expressions = syntax?.ArgumentList?.Arguments.SelectMany(a => CachedSite.Elements(a.Expression)).ToList() ?? [];
        var contracts = writer.ContainingType.TypeKind == TypeKind.Interface
            ? new[] { writer.ContainingType }.Concat(writer.ContainingType.AllInterfaces).ToList()
            : CacheRules.ImplementedContracts(writer).SelectMany(c => new[] { c }.Concat(c.AllInterfaces)).ToList();
        var values = attribute.ConstructorArguments[0].Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Value is not string name)
            {
                continue;
            }

            var location = i < expressions.Count ? expressions[i].GetLocation() : fallback;
            if (Problem(writer, name, contracts, context.Compilation, context.CancellationToken) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, location, writer.Name, name, problem));
            }
        }
    }

    private static string? Problem(IMethodSymbol writer, string name, List<INamedTypeSymbol> contracts, Compilation compilation, System.Threading.CancellationToken cancellationToken)
    {
        var candidates = contracts.SelectMany(c => c.GetMembers(name).OfType<IMethodSymbol>()).Distinct<IMethodSymbol>(SymbolEqualityComparer.Default).ToList();
        if (candidates.Count == 0)
        {
            return $"no method named '{name}' on the interface";
        }

        if (candidates.Count > 1)
        {
            return $"'{name}' is ambiguous ({candidates.Count} overloads)";
        }

        var target = candidates[0];
        if (CachedSite.TryCreate(target, cancellationToken) is not { } site)
        {
            return $"'{name}' is not cached ([Cached] on the interface method)";
        }

        if (CacheRules.UncacheableReason(target, out _, out var cachedType) is not null)
        {
            return null; // CG0007 reports the cached method itself
        }

        if (CacheRules.PutProblem(writer, cachedType, compilation) is { } resultProblem)
        {
            return resultProblem;
        }

        var text = site.Data.KeyTemplate ?? CacheRules.DefaultTemplate(target, target.ContainingType);
        if (text is null || KeyTemplate.Parse(text, out _) is not { } template || CacheRules.ResolveKeyFields(target, template) is not { } fields)
        {
            return null; // CG0004 reports the template
        }

        if (CacheRules.MatchArguments(writer, fields) is null)
        {
            var missing = fields.First(f => CacheRules.MatchArguments(writer, [f]) is null);
            return $"none of its parameters supplies '{missing.PathKey}' of the key (match by name or member)";
        }

        return null;
    }
}
