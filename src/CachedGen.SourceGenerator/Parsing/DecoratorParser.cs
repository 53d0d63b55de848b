// DecoratorParser's entry points: the generator's pipelines call these to turn attributed symbols into decorator models.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static CachedGen.SourceGenerator.CacheRules;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>
/// Turns the interface behind a <c>[Cached]</c> method into a <see cref="DecoratorModel"/>. Anything the generator
/// cannot cache correctly (bad TTL or template, unsupported key type, uncacheable shape) is forwarded uncached;
/// the analyzers report why.
/// </summary>
internal static partial class DecoratorParser
{
    /// <summary>The decorators the attributed method takes part in: its interface, or each interface its class
    /// implements with it.</summary>
    public static EquatableArray<DecoratorModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        // Every [Cached] method of an interface leads to the same model; only the first one (in declaration order)
        // builds it, so an interface with n cached methods costs one model, not n.
        var results = new List<DecoratorModel>();
        var compilation = context.SemanticModel.Compilation;
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            if (SymbolEqualityComparer.Default.Equals(FirstCachedMember(type, null), method))
            {
                AddIfBuilt(results, type, null, compilation, cancellationToken);
            }
        }
        else if (type.TypeKind is TypeKind.Class or TypeKind.Struct)
        {
            // Every interface of the class that has the method, declared or inherited: a derived interface
            // (IOrderRepository : IReadRepository) is registered as often as its base.
            foreach (var candidate in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(FirstCachedMemberWithBases(candidate, type), method))
                {
                    AddIfBuilt(results, candidate, type, compilation, cancellationToken);
                }
            }
        }

        return results.ToEquatableArray();
    }

    /// <summary><see cref="FirstCachedMember"/> of <paramref name="contract"/>, else of the first of its base interfaces
    /// that has one.</summary>
    private static IMethodSymbol? FirstCachedMemberWithBases(INamedTypeSymbol contract, INamedTypeSymbol? implementation)
    {
        if (FirstCachedMember(contract, implementation) is { } own)
        {
            return own;
        }

        foreach (var inherited in contract.AllInterfaces)
        {
            if (FirstCachedMember(inherited, implementation) is { } member)
            {
                return member;
            }
        }

        return null;
    }

    /// <summary>The decorators a write carrying <paramref name="attributeName"/> (<c>[InvalidatesTags]</c> or
    /// <c>[CachePut]</c>) needs that <see cref="Parse"/> does not build: its interface's when that interface has no
    /// <c>[Cached]</c> method (a decorator that forwards and invalidates tags), and, for a class method, the interface
    /// built with the class (<see cref="Parse"/> builds a model with the class only from a class-level [Cached]; the
    /// models of one interface are merged). Built once per interface, by its first write carrying the attribute.</summary>
    public static EquatableArray<DecoratorModel> ParseWriter(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        var results = new List<DecoratorModel>();
        var compilation = context.SemanticModel.Compilation;
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            if (FirstCachedMember(type, null) is null && SymbolEqualityComparer.Default.Equals(FirstWriter(type, null, attributeName), method))
            {
                AddIfBuilt(results, type, null, compilation, cancellationToken);
            }
        }
        else if (type.TypeKind is TypeKind.Class or TypeKind.Struct)
        {
            foreach (var candidate in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(FirstWriter(candidate, type, attributeName) ?? candidate.AllInterfaces.Select(i => FirstWriter(i, type, attributeName)).FirstOrDefault(w => w is not null), method))
                {
                    AddIfBuilt(results, candidate, type, compilation, cancellationToken);
                }
            }
        }

        return results.ToEquatableArray();
    }

    /// <summary>The first method of <paramref name="contract"/> (or its implementation) carrying <paramref name="attributeName"/>.</summary>
    private static IMethodSymbol? FirstWriter(INamedTypeSymbol contract, INamedTypeSymbol? implementation, string attributeName)
    {
        bool Has(IMethodSymbol m) => m.GetAttributes().Any(a => a.AttributeClass.HasFullName(attributeName));
        foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
        {
            if (Has(member))
            {
                return implementation is null ? member : ImplementationOf(implementation, member);
            }

            if (implementation is not null && ImplementationOf(implementation, member) is { } implemented && Has(implemented))
            {
                return implemented;
            }
        }

        return null;
    }

    /// <summary>Whether a node is a non-generic interface declaration with bases: one of them may have (or lead to an
    /// interface with) [Cached] methods, [InvalidatesTags] or [CachePut] writes it inherits: a closed generic base
    /// (<c>IOrderRepository : IRepository&lt;Order&gt;</c>) or a plain one (<c>IOrderRepository : IReadRepository</c>),
    /// so no attribute of its own would lead the generator to it, yet it is the service type registered.
    /// <see cref="ParseDerived"/> looks at its bases.</summary>
    public static bool NamesGenericBase(SyntaxNode node)
        => node is Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax { BaseList: not null };

    /// <summary>The decorator of a non-generic interface that inherits [Cached] methods or attributed writes from a base
    /// (<c>IOrderRepository : IRepository&lt;Order&gt;</c>, <c>IOrderRepository : IReadRepository</c>); its own
    /// attributes, if any, lead to the same model.</summary>
    public static EquatableArray<DecoratorModel> ParseDerived(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol { TypeKind: TypeKind.Interface } contract
            || !contract.AllInterfaces.Any(i => FirstCachedMember(i, null) is not null
                || FirstWriter(i, null, KnownNames.InvalidatesTagsAttribute) is not null
                || FirstWriter(i, null, KnownNames.CachePutAttribute) is not null))
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        var results = new List<DecoratorModel>();
        AddIfBuilt(results, contract, null, context.SemanticModel.Compilation, cancellationToken);
        return results.ToEquatableArray();
    }

    /// <summary>The assembly's <c>[assembly: CachedDefaults]</c>, if any.</summary>
    public static DefaultsModel ParseDefaults(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        foreach (var attribute in context.Attributes)
        {
            string? ttl = null;
            string? prefix = null;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Ttl")
                {
                    ttl = named.Value.Value as string;
                }
                else if (named.Key == "KeyPrefix")
                {
                    prefix = named.Value.Value as string;
                }
            }

            return new DefaultsModel(ttl, prefix ?? "");
        }

        return DefaultsModel.None;
    }

    /// <summary>Adds the model of <paramref name="contract"/>, and one per other interface whose writes invalidate its
    /// entries (type-qualified <c>invalidatedBy</c>), carrying those invalidations. When that interface has cached
    /// methods of its own, or other readers, its models are merged by <see cref="CachedGenerator.Complete"/>.</summary>
    private static void AddIfBuilt(List<DecoratorModel> results, INamedTypeSymbol contract, INamedTypeSymbol? implementation, Compilation compilation, CancellationToken cancellationToken)
    {
        var externals = new List<ExternalInvalidation>();
        if (Build(contract, implementation, compilation, externals, cancellationToken) is not { } model)
        {
            return;
        }

        results.Add(model);
        foreach (var group in externals.GroupBy(e => e.Contract, SymbolEqualityComparer.Default))
        {
            if (Build((INamedTypeSymbol)group.Key!, null, compilation, null, cancellationToken) is not { } writer)
            {
                continue;
            }

            var forwarded = writer.ForwardedMethods.Select(f =>
            {
                var added = group.Where(e => e.Signature == SignatureOf(f)).Select(e => e.Invalidation).ToList();
                return added.Count == 0 ? f : f with { Invalidations = f.Invalidations.Concat(added).ToEquatableArray() };
            }).ToEquatableArray();
            results.Add(writer with
            {
                ForwardedMethods = forwarded,
                SuppressesObsolete = writer.SuppressesObsolete || (writer.ClassAttributes.Count == 0 && group.Any(e => e.ReadsObsolete)),
                ExperimentalIds = writer.ExperimentalIds.Concat(group.SelectMany(e => e.ExperimentalIds)).Distinct().OrderBy(id => id, StringComparer.Ordinal).ToEquatableArray(),
            });
        }
    }
}

/// <summary>The assembly's <c>[assembly: CachedDefaults]</c>.</summary>
internal sealed record DefaultsModel(string? Ttl, string KeyPrefix)
{
    public static readonly DefaultsModel None = new(null, "");
}
