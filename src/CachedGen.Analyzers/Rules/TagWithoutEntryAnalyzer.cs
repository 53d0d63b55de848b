using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0013: a tag invalidated (by <c>[InvalidatesTags]</c>, or by <c>ICacheInvalidator.InvalidateTagAsync</c> with a
/// literal or interpolated string) that no <c>[Cached]</c> method's <c>Tags</c> can render, in this compilation or in a
/// referenced assembly built against CachedGen: the invalidation removes nothing, and the entries the author meant stay
/// stale. A raw hole matches any text and a hashed one only another hashed one (<see cref="TagShape"/>), so only a tag
/// that cannot match any declared one is reported.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TagWithoutEntryAnalyzer : DiagnosticAnalyzer
{
    /// <summary>How many characters may differ for a declared tag to count as the one meant (named in the message).</summary>
    private const int MaxTypoDistance = 2;

    private static readonly DiagnosticDescriptor Rule = DiagnosticDescriptors.TagWithoutEntry;

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var invalidator = start.Compilation.GetTypeByMetadataName(KnownNames.CacheInvalidator);
            if (invalidator is null || start.Compilation.GetTypeByMetadataName(KnownNames.CachedAttribute) is null)
            {
                return;
            }

            var declared = new ConcurrentBag<(TagShape Shape, string Text)>();
            var invalidated = new ConcurrentBag<(TagShape Shape, string Text, Location Location, bool IsTemplate)>();
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    var method = (IMethodSymbol)symbolContext.Symbol;
                    foreach (var tag in DeclaredTags(method))
                    {
                        declared.Add(tag);
                    }

                    foreach (var attribute in method.GetAttributes())
                    {
                        if (attribute.AttributeClass.HasFullName(KnownNames.InvalidatesTagsAttribute))
                        {
                            foreach (var (text, expression, fallback) in WriteAttributeAnalyzer.Strings(attribute, method, symbolContext.CancellationToken))
                            {
                                if (TagShape.FromTemplate(text) is { } shape)
                                {
                                    invalidated.Add((shape, text, expression?.GetLocation() ?? fallback, true));
                                }
                            }
                        }
                    }
                },
                SymbolKind.Method);
            start.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (invocation.TargetMethod.Name == "InvalidateTagAsync" && invocation.Arguments.Length == 1
                        && IsInvalidator(invocation.TargetMethod.ContainingType, invalidator)
                        && TagShape.FromArgument(invocation.Arguments[0].Value) is { } shape)
                    {
                        invalidated.Add((shape, shape.ToString(), invocation.Arguments[0].Syntax.GetLocation(), false));
                    }
                },
                OperationKind.Invocation);
            start.RegisterCompilationEndAction(end =>
            {
                // The project's own tags first: the referenced assemblies are read only for what they leave unmatched.
                var own = declared.Distinct().ToList();
                var unmatched = invalidated.Where(i => !own.Any(d => d.Shape.CanRenderSameTagAs(i.Shape))).ToList();
                if (unmatched.Count == 0)
                {
                    return;
                }

                var all = own.Concat(DeclaredInReferences(end.Compilation)).Distinct().ToList();
                foreach (var (shape, text, location, isTemplate) in unmatched)
                {
                    if (!all.Any(d => d.Shape.CanRenderSameTagAs(shape)))
                    {
                        end.ReportDiagnostic(Diagnostic.Create(Rule, location, text, Suggest(shape, text, isTemplate, all) is { } meant ? $" (did you mean '{meant}'?)" : ""));
                    }
                }
            });
        });
    }

    /// <summary>For a tag template written in an attribute: the one declared tag whose shape is within
    /// <see cref="MaxTypoDistance"/> edits of its shape (a placeholder counts as one character), written with the
    /// attribute's own placeholders, for the message. None when no declared tag or several are that close.</summary>
    private static string? Suggest(TagShape shape, string text, bool isTemplate, List<(TagShape Shape, string Text)> declared)
    {
        if (!isTemplate)
        {
            return null;
        }

        var close = declared.Where(d => shape.DistanceTo(d.Shape, MaxTypoDistance) <= MaxTypoDistance).Select(d => d.Shape).Distinct().Take(2).ToList();
        return close.Count == 1 ? close[0].WithPlaceholdersOf(text) : null;
    }

    private static bool IsInvalidator(INamedTypeSymbol type, INamedTypeSymbol invalidator)
        => SymbolEqualityComparer.Default.Equals(type, invalidator) || type.AllInterfaces.Contains(invalidator, SymbolEqualityComparer.Default);

    /// <summary>The tags of the <c>[Cached]</c> methods of referenced assemblies that reference CachedGen (the only ones
    /// that can declare any), read from metadata once per compilation, at its end.</summary>
    private static IEnumerable<(TagShape Shape, string Text)> DeclaredInReferences(Compilation compilation)
    {
        foreach (var assembly in compilation.SourceModule.ReferencedAssemblySymbols)
        {
            if (!assembly.Modules.Any(m => m.ReferencedAssemblySymbols.Any(r => r.Name == KnownNames.RuntimeAssembly)))
            {
                continue;
            }

            var types = new Stack<INamespaceOrTypeSymbol>();
            types.Push(assembly.GlobalNamespace);
            while (types.Count > 0)
            {
                foreach (var member in types.Pop().GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol container)
                    {
                        types.Push(container);
                    }
                    else if (member is IMethodSymbol method)
                    {
                        foreach (var tag in DeclaredTags(method))
                        {
                            yield return tag;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The tags of <paramref name="method"/>'s <c>[Cached]</c>, if it has one, with their shapes.</summary>
    private static IEnumerable<(TagShape Shape, string Text)> DeclaredTags(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute))
            {
                foreach (var tag in CachedAttributeData.Read(attribute).Tags)
                {
                    if (TagShape.FromTemplate(tag) is { } shape)
                    {
                        yield return (shape, tag);
                    }
                }
            }
        }
    }
}
