// Type-qualified invalidatedBy names: the write interface and methods a name resolves to.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator;

internal static partial class CacheRules
{
    /// <summary>
    /// Resolves a type-qualified <c>invalidatedBy</c> name (<c>IFormCommands.UpdateAsync</c>, or
    /// <c>$"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}"</c>) to the write methods of that name. The type
    /// part is bound by the compiler as if written at the attribute (<see cref="FindType"/>). A generic interface
    /// (<c>$"{nameof(IRepository&lt;&gt;)}.{nameof(IRepository&lt;&gt;.UpdateAsync)}"</c>) is one whose decorator caches the
    /// method itself: <paramref name="declaring"/> (the cached method's interface) or one inheriting it; its write then
    /// invalidates the entry in that decorator, for each of its closings.
    /// </summary>
    internal static QualifiedWrite ResolveQualifiedWrite(string name, Compilation compilation, SyntaxNode? attribute, INamedTypeSymbol declaring)
    {
        var dot = name.LastIndexOf('.');
        var typeName = name.Substring(0, dot);
        var methodName = name.Substring(dot + 1);
        var type = FindType(typeName, compilation, attribute);
        if (type is null)
        {
            return new QualifiedWrite(null, [], $"no interface named '{typeName}' is visible here");
        }

        if (type.TypeKind != TypeKind.Interface)
        {
            return new QualifiedWrite(type, [], $"'{typeName}' is not an interface (CachedGen decorates interfaces)");
        }

        if (type.IsGenericType)
        {
            if (ImplementedBy(declaring, type) is { } closing)
            {
                // The cached method's interface itself, or a base it closes (IProductRepository : IRepository<Product>):
                // the write, as that interface has it, is a write of its own decorator.
                type = closing;
            }
            else if (Inherits(type, declaring))
            {
                // An interface inheriting the cached method's: its decorator caches the method.
                type = type.OriginalDefinition;
            }
            else if (declaring.TypeKind != TypeKind.Interface)
            {
                return new QualifiedWrite(type, [], $"'{typeName}' is generic and '{declaring.Name}' does not implement it: a write of a generic interface invalidates only what a decorator of it caches; name a write of an interface '{declaring.Name}' implements, or tag the entries and put [InvalidatesTags] on the write");
            }
            else
            {
                return new QualifiedWrite(type, [], $"'{typeName}' is generic and neither inherits '{declaring.Name}' nor is inherited by it: a write of a generic interface invalidates only what its own decorator caches, the methods of '{typeName}' and of the interfaces it inherits; declare the write in an interface that inherits '{declaring.Name}', or tag the entries and put [InvalidatesTags] on the write");
            }
        }

        if (SkipRules.ContractProblem(type) is { } problem)
        {
            return new QualifiedWrite(type, [], problem);
        }

        var candidates = new[] { type }.Concat(type.AllInterfaces)
            .SelectMany(i => i.GetMembers(methodName).OfType<IMethodSymbol>())
            .Distinct<IMethodSymbol>(SymbolEqualityComparer.Default)
            .ToList();
        return candidates.Count == 0
            ? new QualifiedWrite(type, candidates, $"no method named '{methodName}' on '{type.Name}'")
            : new QualifiedWrite(type, candidates, null);
    }

    /// <summary><paramref name="contract"/> or the interface it inherits that is <paramref name="write"/>, whichever way either
    /// is closed, as <paramref name="contract"/> sees it; <see langword="null"/> when <paramref name="contract"/> does not
    /// implement it.</summary>
    internal static INamedTypeSymbol? ImplementedBy(INamedTypeSymbol contract, INamedTypeSymbol write)
        => SymbolEqualityComparer.Default.Equals(contract.OriginalDefinition, write.OriginalDefinition)
            ? contract
            : contract.AllInterfaces.FirstOrDefault(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, write.OriginalDefinition));

    /// <summary>Whether <paramref name="write"/> is <paramref name="cached"/> or inherits it, however either is closed:
    /// the decorator of <paramref name="write"/> then caches <paramref name="cached"/>'s methods itself.</summary>
    internal static bool Inherits(INamedTypeSymbol write, INamedTypeSymbol cached)
    {
        var definition = cached.OriginalDefinition;
        return SymbolEqualityComparer.Default.Equals(write.OriginalDefinition, definition)
            || write.OriginalDefinition.AllInterfaces.Any(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, definition));
    }

    /// <summary>The type <paramref name="typeName"/> names where <paramref name="attribute"/> is written, found by the
    /// compiler's own lookup (speculative binding at the attribute): the enclosing types and namespaces, <c>using</c>
    /// directives and aliases of any file (<c>global using</c>), <c>using static</c>, full names. Without source (the
    /// attribute comes from metadata), a full metadata name.</summary>
    private static INamedTypeSymbol? FindType(string typeName, Compilation compilation, SyntaxNode? attribute)
    {
        if (attribute is null || !compilation.ContainsSyntaxTree(attribute.SyntaxTree))
        {
            return compilation.GetTypeByMetadataName(typeName.StartsWith("global::", StringComparison.Ordinal) ? typeName.Substring("global::".Length) : typeName);
        }

        var syntax = SyntaxFactory.ParseTypeName(typeName);
        if (syntax.ContainsDiagnostics || syntax.FullSpan.Length != typeName.Length)
        {
            return null;
        }

        var model = compilation.GetSemanticModel(attribute.SyntaxTree);
        var bound = model.GetSpeculativeTypeInfo(attribute.SpanStart, syntax, SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
        return bound is INamedTypeSymbol { TypeKind: not TypeKind.Error } named ? named : null;
    }
}

/// <summary>What a type-qualified <c>invalidatedBy</c> name resolves to: the write interface, the methods of that name
/// on it, or why it cannot work.</summary>
internal sealed class QualifiedWrite(INamedTypeSymbol? type, List<IMethodSymbol> methods, string? error)
{
    public INamedTypeSymbol? Type { get; } = type;

    public List<IMethodSymbol> Methods { get; } = methods;

    public string? Error { get; } = error;
}
