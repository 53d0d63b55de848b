using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.Analyzers;

/// <summary>Base of the rules that check the <c>params string[]</c> of an attribute on a write method
/// (<c>[InvalidatesTags]</c>, <c>[CachePut]</c>): a symbol action per method, nothing when the compilation does not
/// know the attribute, generated code skipped, concurrent execution on; each string is checked with the syntax of its
/// argument, so diagnostics point at it.</summary>
public abstract class WriteAttributeAnalyzer : DiagnosticAnalyzer
{
    private protected abstract string AttributeName { get; }

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(AttributeName) is not { } attributeType)
            {
                return;
            }

            start.RegisterSymbolAction(c => Analyze(c, attributeType), SymbolKind.Method);
        });
    }

    private void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType)
    {
        var method = (IMethodSymbol)context.Symbol;
        var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
        if (attribute is not null)
        {
            foreach (var location in Nulls(attribute, method, context.CancellationToken))
            {
                AnalyzeNull(context, method, location);
            }

            foreach (var (text, expression, fallback) in Strings(attribute, method, context.CancellationToken))
            {
                AnalyzeValue(context, method, text, expression, fallback);
            }
        }
    }

    /// <summary>The strings of an attribute whose one constructor argument is a <c>params string[]</c>, each with its
    /// argument in source when there is one, and where to report otherwise.</summary>
    internal static IEnumerable<(string Text, ExpressionSyntax? Expression, Location Fallback)> Strings(AttributeData attribute, IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (!IsStringArray(attribute) || attribute.ConstructorArguments[0].IsNull)
        {
            yield break;
        }

        var (expressions, fallback) = Arguments(attribute, method, cancellationToken);
        var values = attribute.ConstructorArguments[0].Values;
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i].Value is string text)
            {
                yield return (text, i < expressions.Count ? expressions[i] : null, fallback);
            }
        }
    }

    /// <summary>Where the attribute passes <see langword="null"/> instead of its strings: the array itself
    /// (<c>[InvalidatesTags(null!)]</c>) or one of its elements. The generator skips them, as it skips a string that
    /// names nothing.</summary>
    internal static IEnumerable<Location> Nulls(AttributeData attribute, IMethodSymbol method, CancellationToken cancellationToken)
    {
        if (!IsStringArray(attribute))
        {
            yield break;
        }

        var argument = attribute.ConstructorArguments[0];
        var (expressions, fallback) = Arguments(attribute, method, cancellationToken);
        if (argument.IsNull)
        {
            yield return expressions.Count == 1 ? expressions[0].GetLocation() : fallback;
            yield break;
        }

        for (var i = 0; i < argument.Values.Length; i++)
        {
            if (argument.Values[i].IsNull)
            {
                yield return LocationOf(i < expressions.Count ? expressions[i] : null, fallback);
            }
        }
    }

    private static bool IsStringArray(AttributeData attribute)
        => attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array;

    /// <summary>The attribute's argument expressions (the elements of an array argument) and where to report otherwise.</summary>
    private static (List<ExpressionSyntax> Expressions, Location Fallback) Arguments(AttributeData attribute, IMethodSymbol method, CancellationToken cancellationToken)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var fallback = syntax?.GetLocation() ?? method.Locations.FirstOrDefault() ?? Location.None;
        var expressions = syntax?.ArgumentList?.Arguments.SelectMany(a => CachedSite.Elements(a.Expression)).ToList() ?? [];
        return (expressions, fallback);
    }

    /// <summary>Checks one string of the attribute; <paramref name="expression"/> is its argument when in source.</summary>
    private protected abstract void AnalyzeValue(SymbolAnalysisContext context, IMethodSymbol method, string text, ExpressionSyntax? expression, Location fallback);

    /// <summary>Reports a <see langword="null"/> passed for the array or one of its strings, at <paramref name="location"/>.</summary>
    private protected abstract void AnalyzeNull(SymbolAnalysisContext context, IMethodSymbol method, Location location);

    /// <summary>Where to report on <paramref name="expression"/> as a whole.</summary>
    private protected static Location LocationOf(ExpressionSyntax? expression, Location fallback) => expression?.GetLocation() ?? fallback;

    /// <summary>The methods of <paramref name="method"/>'s interface (or of those its class implements) and their bases.</summary>
    private protected static List<INamedTypeSymbol> ContractsOf(IMethodSymbol method)
        => method.ContainingType.TypeKind == TypeKind.Interface
            ? new[] { method.ContainingType }.Concat(method.ContainingType.AllInterfaces).ToList()
            : SourceGenerator.CacheRules.ImplementedContracts(method).SelectMany(c => new[] { c }.Concat(c.AllInterfaces)).ToList();
}
