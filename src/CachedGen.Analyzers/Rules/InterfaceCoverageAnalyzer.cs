using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0007 where the interface, not one <c>[Cached]</c> method, keeps the attribute from working:
/// <list type="bullet">
/// <item>a derived interface that declares no <c>[Cached]</c> of its own but inherits some, and that no decorator can
/// implement (<see cref="SkipRules.ContractProblem"/>): calls through it are not cached;</item>
/// <item>an interface implemented by two or more classes that carry <c>[Cached]</c> on their methods: its one decorator
/// follows one of them, so the others' attributes do nothing.</item>
/// </list></summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class InterfaceCoverageAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.UncacheableMethod, DiagnosticDescriptors.UncacheableMethodAcrossClasses);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.CachedAttribute) is null)
            {
                return;
            }

            // Interface → the class methods carrying [Cached] for it, with their classes.
            var annotated = new ConcurrentDictionary<INamedTypeSymbol, ConcurrentBag<IMethodSymbol>>(SymbolEqualityComparer.Default);
            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, annotated), SymbolKind.NamedType);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var pair in annotated)
                {
                    var classes = pair.Value.Select(m => m.ContainingType).Distinct<INamedTypeSymbol>(SymbolEqualityComparer.Default)
                        .Select(c => c.Name).OrderBy(n => n, System.StringComparer.Ordinal).ToList();
                    if (classes.Count < 2)
                    {
                        continue;
                    }

                    var reason = $"interface '{pair.Key.Name}' is implemented with [Cached] on the methods of {string.Join(", ", classes.Select(c => $"'{c}'"))}, and its one decorator follows only one of them: put the [Cached] attributes on the interface's methods";
                    foreach (var method in pair.Value)
                    {
                        end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UncacheableMethodAcrossClasses, method.Locations.FirstOrDefault(), method.Name, reason));
                    }
                }
            });
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, ConcurrentDictionary<INamedTypeSymbol, ConcurrentBag<IMethodSymbol>> annotated)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind == TypeKind.Interface)
        {
            if (!type.GetMembers().OfType<IMethodSymbol>().Any(HasCached)
                && type.AllInterfaces.FirstOrDefault(i => i.GetMembers().OfType<IMethodSymbol>().Any(HasCached)) is { } source
                && (SkipRules.ContractProblem(type) ?? SkipRules.GenericContractProblem(type)) is { } problem)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.UncacheableMethod, type.Locations.FirstOrDefault(), type.Name, $"it inherits [Cached] methods from '{source.Name}', but {problem}; calls through '{type.Name}' are not cached"));
            }

            return;
        }

        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            return;
        }

        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (!method.IsStatic && HasCached(method))
            {
                foreach (var contract in CacheRules.ImplementedContracts(method))
                {
                    annotated.GetOrAdd(contract.OriginalDefinition, static _ => []).Add(method);
                }
            }
        }
    }

    private static bool HasCached(IMethodSymbol method) => method.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.CachedAttribute));
}
