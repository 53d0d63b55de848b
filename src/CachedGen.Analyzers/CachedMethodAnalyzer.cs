using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>Base of the rules that look at one <c>[Cached]</c> method: a symbol action per method, nothing when the
/// compilation does not reference CachedGen, generated code skipped, concurrent execution on.</summary>
public abstract class CachedMethodAnalyzer : DiagnosticAnalyzer
{
    private protected abstract DiagnosticDescriptor Rule { get; }

    /// <inheritdoc/>
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(KnownNames.CachedAttribute) is null)
            {
                return;
            }

            Start(start);
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    if (symbolContext.Symbol is IMethodSymbol method && CachedSite.TryCreate(method, symbolContext.CancellationToken) is { } site)
                    {
                        Analyze(symbolContext, site);
                    }
                },
                SymbolKind.Method);
        });
    }

    /// <summary>Hook for rules that need compilation-wide state (they register their end action here).</summary>
#pragma warning disable RS1012 // Overrides register actions; the base does not need to.
    private protected virtual void Start(CompilationStartAnalysisContext context)
    {
    }
#pragma warning restore RS1012

    private protected abstract void Analyze(SymbolAnalysisContext context, CachedSite site);
}
