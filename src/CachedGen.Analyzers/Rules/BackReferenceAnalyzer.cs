using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0014: the cached value's serialized members (<see cref="SerializedShape"/>, the fingerprint's rule) lead
/// back to a type they came from. Two shapes are reported: a path from a type through at least one other type back to
/// a type on the path (<c>Customer.Orders → Order.Customer</c>), and a single-valued member of a type's own type beside
/// a collection of its own type (<c>Category.Parent</c> beside <c>Category.Children</c>). A tree (<c>Category.Children</c>
/// alone) or a chain (<c>Node.Next</c>) has no way back and is not reported. One diagnostic per back-reference member;
/// the member's declaration is its additional location (the code fix marks it ignored). A method of a generic interface is
/// also checked for each interface of the compilation that closes it (<see cref="CachedSite.Closings"/>).</summary>
public sealed class BackReferenceAnalyzer : CachedMethodAnalyzer
{
    /// <summary>How deep the walk goes: the shape fingerprint's depth.</summary>
    private const int MaxDepth = 8;

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.BackReference;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (site.ValueType is not { } valueType)
        {
            return;
        }

        var declared = Find(valueType, site.Facts);
        foreach (var (member, path) in declared)
        {
            Report(context, site, member, site.Method.Name, path);
        }

        // What an interface closing a generic one stores (IRepository<Product, int>: a Product) is walked as any value,
        // reported at the generic method, named with the closed interface; a path the declared value has is not repeated.
        foreach (var closing in site.Closings(context.Compilation, context.CancellationToken))
        {
            foreach (var (member, path) in Find(closing.ValueType, site.Facts))
            {
                if (!declared.Exists(d => d.Path == path))
                {
                    Report(context, site, member, closing.Name, path);
                }
            }
        }
    }

    private void Report(SymbolAnalysisContext context, CachedSite site, ISymbol member, string method, string path)
    {
        var declaration = member.Locations.Where(l => l.IsInSource).Take(1);
        context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, declaration, method, path));
    }

    /// <summary>Each back-reference member reachable from <paramref name="root"/>, with its path for the message.</summary>
    internal static List<(ISymbol Member, string Path)> Find(ITypeSymbol root, CompilationFacts facts)
        => facts.PerType("CG0014", root, facts, static (root, facts) => FindOnce(root, facts));

    private static List<(ISymbol Member, string Path)> FindOnce(ITypeSymbol root, CompilationFacts facts)
    {
        var findings = new List<(ISymbol Member, string Path)>();
        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var done = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        var stack = new List<(INamedTypeSymbol Type, ISymbol? Member)>();

        void Visit(INamedTypeSymbol type)
        {
            if (done.Contains(type) || stack.Count >= MaxDepth)
            {
                return;
            }

            stack.Add((type, null));
            ISymbol? selfSingle = null;
            ISymbol? selfMany = null;
            foreach (var (member, memberType) in facts.SerializedMembers(type))
            {
                stack[stack.Count - 1] = (type, member);
                foreach (var (target, many) in Nodes(memberType, many: false))
                {
                    if (SymbolEqualityComparer.Default.Equals(target, type))
                    {
                        if (many)
                        {
                            selfMany ??= member;
                        }
                        else
                        {
                            selfSingle ??= member;
                        }

                        continue;
                    }

                    var at = stack.FindIndex(s => SymbolEqualityComparer.Default.Equals(s.Type, target));
                    if (at >= 0)
                    {
                        if (reported.Add(member))
                        {
                            findings.Add((member, string.Join(" → ", stack.Skip(at).Select(s => s.Type.Name + "." + s.Member!.Name))));
                        }

                        continue;
                    }

                    Visit(target);
                }
            }

            if (selfSingle is not null && selfMany is not null && reported.Add(selfSingle))
            {
                findings.Add((selfSingle, $"{type.Name}.{selfSingle.Name} beside {type.Name}.{selfMany.Name}"));
            }

            stack.RemoveAt(stack.Count - 1);
            done.Add(type);
        }

        foreach (var (type, _) in Nodes(root, many: false))
        {
            Visit(type);
        }

        return findings;
    }

    /// <summary>The project's classes and structs a value of <paramref name="type"/> holds, and whether through a
    /// collection (an array, or an argument of a framework generic such as <c>List&lt;T&gt;</c>); a nullable value
    /// type is looked through.</summary>
    private static IEnumerable<(INamedTypeSymbol Type, bool Many)> Nodes(ITypeSymbol type, bool many)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                foreach (var inner in Nodes(array.ElementType, many: true))
                {
                    yield return inner;
                }

                yield break;
            case INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable:
                foreach (var inner in Nodes(nullable.TypeArguments[0], many))
                {
                    yield return inner;
                }

                yield break;
            case INamedTypeSymbol named when SerializedShape.IsFrameworkType(named):
                foreach (var argument in named.TypeArguments)
                {
                    foreach (var inner in Nodes(argument, many: true))
                    {
                        yield return inner;
                    }
                }

                yield break;
            case INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named:
                yield return (named, many);
                yield break;
        }
    }
}
