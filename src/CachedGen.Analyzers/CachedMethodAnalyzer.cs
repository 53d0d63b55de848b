using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.Analyzers;

/// <summary>A rule that looks at one <c>[Cached]</c> method. In a build the rules run inside
/// <see cref="CachedMethodRulesAnalyzer"/>, one symbol action for all of them; each is also an analyzer of its own
/// (with the same behaviour), which is how the tests run one rule alone.</summary>
public abstract class CachedMethodAnalyzer : DiagnosticAnalyzer
{
    internal abstract DiagnosticDescriptor Rule { get; }

    /// <inheritdoc/>
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        CachedMethodRulesAnalyzer.RegisterRules(context, ImmutableArray.Create(this));
    }

    internal abstract void Analyze(SymbolAnalysisContext context, CachedSite site);
}
