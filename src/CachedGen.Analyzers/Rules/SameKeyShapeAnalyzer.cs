using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0010: two cached methods whose templates render the same keys (same prefix, literals, placeholder
/// positions and version): with different types, or with the same type where neither shares entries by design (a batch
/// twin, a generic repository). Per-compilation state lives in the start action, never in a field.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SameKeyShapeAnalyzer : DiagnosticAnalyzer
{
    private static readonly DiagnosticDescriptor Rule = DiagnosticDescriptors.SameKeyShape;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

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

            var prefix = AssemblyDefaults.KeyPrefix(start.Compilation) ?? "";
            var facts = CompilationFacts.For(start.Compilation);
            var seen = new ConcurrentBag<(string Shape, ITypeSymbol Type, IMethodSymbol Method, Location Location, bool SharesOnPurpose)>();
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    if (symbolContext.Symbol is IMethodSymbol method && facts.Site(method, symbolContext.CancellationToken) is { } site
                        && Shape(site, prefix) is { } shape && site.ValueType is { } result && EntryType(site, result) is { } valueType)
                    {
                        seen.Add((shape, valueType.WithNullableAnnotation(NullableAnnotation.NotAnnotated), method, site.MethodLocation, SharesOnPurpose(site)));
                    }
                },
                SymbolKind.Method);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var group in seen.GroupBy(s => s.Shape))
                {
                    var ordered = group.OrderBy(s => s.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(s => s.Location.SourceSpan.Start).ToList();
                    var first = ordered[0];
                    foreach (var other in ordered.Skip(1))
                    {
                        if (ValueIdentity(first.Type) != ValueIdentity(other.Type))
                        {
                            end.ReportDiagnostic(Diagnostic.Create(Rule, other.Location, Named(other.Method, first.Method), Named(first.Method, other.Method), group.Key, OtherTypes));
                        }
                        else if (!first.SharesOnPurpose && !other.SharesOnPurpose)
                        {
                            end.ReportDiagnostic(Diagnostic.Create(Rule, other.Location, Named(other.Method, first.Method), Named(first.Method, other.Method), group.Key, SameType));
                        }
                    }
                }
            });
        });
    }

    private const string OtherTypes = "but return different types: the version segment keeps their entries apart, but the keys read as one thing while meaning two, and an invalidation of one never reaches the other";

    private const string SameType = "and return the same type: they read and write one entry, so each can serve what the other's source returned, and an invalidation of one leaves the other's L1 copies";

    /// <summary>Whether the method shares its entries by design when another has its key shape and value type: a batch
    /// method (<c>{ids[]}</c>, one entry per element, the single method's twin) or a generic interface's method (two
    /// generic repositories over one entity meet only for the same type arguments, and then mean the same entity).</summary>
    private static bool SharesOnPurpose(CachedSite site)
        => (site.OwnKey is { } template && CacheRules.BatchParts(template) is { Count: > 0 })
            || Contract(site) is { Arity: > 0 };

    /// <summary>The interface whose method the site caches: its own, or the first a class method implements.</summary>
    private static INamedTypeSymbol? Contract(CachedSite site)
        => site.Method.ContainingType.TypeKind == TypeKind.Interface ? site.Method.ContainingType : CacheRules.ImplementedContracts(site.Method).FirstOrDefault();

    /// <summary>The type of one entry: the result, or for a batch method (<c>{ids[]}</c>) its dictionary's value type,
    /// which is what each element's entry holds (CG0016 and CG0017 report a batch method without one).</summary>
    private static ITypeSymbol? EntryType(CachedSite site, ITypeSymbol result)
    {
        if (site.OwnKey is not { } template || CacheRules.BatchParts(template) is not { Count: 1 } parts)
        {
            return result;
        }

        var part = parts[0];

        return CacheRules.FindParameter(site.Method.Parameters, part.Path![0]) is { } parameter
            && CacheRules.BatchElementType(parameter.Type, out _) is { } element
            ? CacheRules.BatchItemType(result, element)
            : null;
    }

    /// <summary>What a value type is once its interface is closed: a type parameter of the containing type counts by its
    /// position, because keys of two generic interfaces meet only when they are closed over the same arguments
    /// (the version segment ends with them), and then <c>TEntity</c> of one is <c>TEntity</c> of the other.</summary>
    private static string ValueIdentity(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Type } parameter => "!" + parameter.Ordinal,
        IArrayTypeSymbol array => ValueIdentity(array.ElementType) + "[" + new string(',', array.Rank - 1) + "]",
        INamedTypeSymbol { IsGenericType: true } named => named.ConstructedFrom.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            + "(" + string.Join(",", named.TypeArguments.Select(ValueIdentity)) + ")",
        _ => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
    };

    private static string? Shape(CachedSite site, string prefix)
    {
        // A template CG0004 refuses leaves its method uncached: it shares no entry with anything.
        if (site.OwnKey is not { } template || site.KeyFields is null)
        {
            return null;
        }

        var shape = new StringBuilder(prefix);
        foreach (var part in template.Parts)
        {
            shape.Append(part.IsPlaceholder ? (part.Hash ? "{:hash}" : "{}") : part.Literal);
        }

        shape.Append("#v").Append(site.Data.Version);

        // A generic interface's keys end with its type arguments (docs/keys.md): keys of interfaces with different
        // numbers of type arguments, or of a generic and a non-generic one, never meet.
        if (Contract(site) is { Arity: > 0 } generic)
        {
            shape.Append('(').Append(generic.Arity).Append(')');
        }

        return shape.ToString();
    }

    /// <summary>A method as the message names it: with its type (two interfaces often share method names).</summary>
    /// <summary><c>IOrders.GetAsync</c>; with its namespace when the other method's reads the same
    /// (<c>Shop.IItemRepo.ListAsync</c> and <c>Admin.IItemRepo.ListAsync</c>).</summary>
    private static string Named(IMethodSymbol method, IMethodSymbol other)
        => method.ContainingType.Name == other.ContainingType.Name && method.Name == other.Name
            ? method.ContainingType.ToDisplayString() + "." + method.Name
            : method.ContainingType.Name + "." + method.Name;
}
