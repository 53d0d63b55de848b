using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0007: <c>[Cached]</c> on a method no decorator can cache: no result (<c>void</c>, <c>Task</c>,
/// <c>ValueTask</c>), generic, <c>ref</c>/<c>out</c> parameters, streams and lazy queries, disposable results, a class
/// method that implements no interface method, a static or sealed interface member, or an interface no decorator can
/// implement (<see cref="SkipRules.ContractProblem"/>).</summary>
public sealed class UncacheableMethodAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.UncacheableMethod;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        var reason = CacheRules.UncacheableReason(site.Method, out _, out _);
        if (reason is null)
        {
            var type = site.Method.ContainingType;
            if (type.TypeKind == TypeKind.Interface)
            {
                reason = SkipRules.InterfaceMemberProblem(site.Method) ?? SkipRules.ContractProblem(type) ?? SkipRules.GenericContractProblem(type) ?? SkipRules.CachedMemberProblem(site.Method, type);
            }
            else if (!CacheRules.ImplementedContracts(site.Method).Any())
            {
                // A generic base class whose derived class declares the interface (OrderRepository : EfBase<Order>,
                // IOrderRepository) lands here too: the base's method implements nothing until the interface is declared on it.
                reason = $"it implements no interface method, and decorators wrap interfaces: put [Cached] on the interface's method, or declare the interface on '{site.Method.ContainingType.Name}' itself";
            }
            else if (site.Method.IsStatic)
            {
                reason = "it is static";
            }
            else if (SkipRules.ShadowedByInterfaceProblem(site.Method) is { } shadowed)
            {
                reason = shadowed;
            }
            else
            {
                // Cached in each interface it implements a member of: a reason for any of them is reported.
                foreach (var contract in CacheRules.ImplementedContracts(site.Method))
                {
                    var problem = (contract.IsGenericType ? null : SkipRules.ContractProblem(contract)) ?? SkipRules.GenericContractProblem(contract) ?? SkipRules.CachedMemberProblem(site.Method, contract);
                    if (problem is not null)
                    {
                        reason = problem;
                        break;
                    }
                }
            }
        }

        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, site.Method.Name, reason));
            return;
        }

        // A generic interface's method the compilation closes with a type that cannot be cached
        // (IDocumentRepository : IRepository<Stream>): the closing's decorator forwards it uncached, which is said here,
        // at the generic method, naming the closed member.
        if (site.Method.ContainingType is { TypeKind: TypeKind.Interface, IsGenericType: true } owner)
        {
            foreach (var closed in site.Facts.ClosedByDerivedInterfaces(owner.OriginalDefinition, context.Compilation, context.CancellationToken))
            {
                if (site.ClosedMember(closed) is { } method
                    && CacheRules.UncacheableReason(method, out _, out _) is { } closedReason)
                {
                    var name = closed.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "." + method.Name;
                    context.ReportDiagnostic(Diagnostic.Create(Rule, site.MethodLocation, name, closedReason));
                }
            }
        }
    }
}
