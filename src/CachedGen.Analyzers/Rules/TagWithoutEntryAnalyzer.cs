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
/// stale. Holes match any text, so only a tag that cannot match any declared one is reported.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TagWithoutEntryAnalyzer : DiagnosticAnalyzer
{
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

            var declared = new ConcurrentBag<TagShape>();
            var invalidated = new ConcurrentBag<(TagShape Shape, string Text, Location Location)>();
            start.RegisterSymbolAction(
                symbolContext =>
                {
                    var method = (IMethodSymbol)symbolContext.Symbol;
                    foreach (var shape in DeclaredTags(method))
                    {
                        declared.Add(shape);
                    }

                    foreach (var attribute in method.GetAttributes())
                    {
                        if (attribute.AttributeClass.HasFullName(KnownNames.InvalidatesTagsAttribute))
                        {
                            foreach (var (text, expression, fallback) in WriteAttributeAnalyzer.Strings(attribute, method, symbolContext.CancellationToken))
                            {
                                if (TagShape.FromTemplate(text) is { } shape)
                                {
                                    invalidated.Add((shape, text, expression?.GetLocation() ?? fallback));
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
                        invalidated.Add((shape, shape.ToString(), invocation.Arguments[0].Syntax.GetLocation()));
                    }
                },
                OperationKind.Invocation);
            start.RegisterCompilationEndAction(end =>
            {
                // The project's own tags first: the referenced assemblies are read only for what they leave unmatched.
                var own = declared.Distinct().ToList();
                var unmatched = invalidated.Where(i => !own.Any(d => d.CanRenderSameTagAs(i.Shape))).ToList();
                if (unmatched.Count == 0)
                {
                    return;
                }

                var referenced = DeclaredInReferences(end.Compilation).Distinct().ToList();
                foreach (var (shape, text, location) in unmatched)
                {
                    if (!referenced.Any(d => d.CanRenderSameTagAs(shape)))
                    {
                        end.ReportDiagnostic(Diagnostic.Create(Rule, location, text));
                    }
                }
            });
        });
    }

    private static bool IsInvalidator(INamedTypeSymbol type, INamedTypeSymbol invalidator)
        => SymbolEqualityComparer.Default.Equals(type, invalidator) || type.AllInterfaces.Contains(invalidator, SymbolEqualityComparer.Default);

    /// <summary>The tags of the <c>[Cached]</c> methods of referenced assemblies that reference CachedGen (the only ones
    /// that can declare any), read from metadata once per compilation, at its end.</summary>
    private static IEnumerable<TagShape> DeclaredInReferences(Compilation compilation)
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
                        foreach (var shape in DeclaredTags(method))
                        {
                            yield return shape;
                        }
                    }
                }
            }
        }
    }

    /// <summary>The shapes of the tags of <paramref name="method"/>'s <c>[Cached]</c>, if it has one.</summary>
    private static IEnumerable<TagShape> DeclaredTags(IMethodSymbol method)
    {
        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute))
            {
                foreach (var tag in CachedAttributeData.Read(attribute).Tags)
                {
                    if (TagShape.FromTemplate(tag) is { } shape)
                    {
                        yield return shape;
                    }
                }
            }
        }
    }
}
