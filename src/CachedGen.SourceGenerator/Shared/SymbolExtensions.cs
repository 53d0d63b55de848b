using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

internal static class SymbolExtensions
{
    /// <summary>Every type <paramref name="assembly"/> declares, nested ones too: a type before the types nested in it,
    /// in a stable order.</summary>
    public static IEnumerable<INamedTypeSymbol> DeclaredTypes(this IAssemblySymbol assembly, CancellationToken cancellationToken)
    {
        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(assembly.GlobalNamespace);
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = stack.Pop();
            if (current is INamespaceSymbol ns)
            {
                foreach (var member in ns.GetMembers())
                {
                    stack.Push(member);
                }

                continue;
            }

            var type = (INamedTypeSymbol)current;
            foreach (var nested in type.GetTypeMembers())
            {
                stack.Push(nested);
            }

            yield return type;
        }
    }

    /// <summary>Whether <paramref name="type"/> is built from type parameters: one itself, an array or a type argument of
    /// one, or a type nested in a generic type it does not close (<c>IRepository&lt;TStop&gt;.Page</c>): its shape is then
    /// known only at run time, and generated code outside the generic type cannot name it.</summary>
    public static bool ContainsTypeParameter(this ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => array.ElementType.ContainsTypeParameter(),
        IPointerTypeSymbol pointer => pointer.PointedAtType.ContainsTypeParameter(),
        INamedTypeSymbol named => named.TypeArguments.Any(static t => t.ContainsTypeParameter())
            || (named.ContainingType is { } outer && outer.ContainsTypeParameter()),
        _ => false,
    };

    /// <summary>Whether <paramref name="type"/> is, or is built from, a type the compiler could not resolve (a missing
    /// <c>using</c>, a typo): the compiler reports it, and code generated over it would only repeat the error.</summary>
    public static bool ContainsErrorType(this ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => array.ElementType.ContainsErrorType(),
        IPointerTypeSymbol pointer => pointer.PointedAtType.ContainsErrorType(),
        INamedTypeSymbol named => named.TypeArguments.Any(static t => t.ContainsErrorType())
            || (named.ContainingType is { } outer && outer.ContainsErrorType()),
        _ => false,
    };

    /// <summary>The metadata name with namespace and containing types (<c>System.Threading.Tasks.Task`1</c>).</summary>
    public static string MetadataFullName(this ITypeSymbol type)
    {
        var name = type.MetadataName;
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            name = container.MetadataName + "+" + name;
        }

        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            name = ns.Name + "." + name;
        }

        return name;
    }

    /// <summary>Whether <paramref name="type"/> is the top-level type <paramref name="fullName"/>
    /// (<c>CachedGen.CachedAttribute</c>), compared without building its display string (attribute checks run for
    /// every member the generator and analyzers look at).</summary>
    public static bool HasFullName(this ITypeSymbol? type, string fullName)
    {
        if (type is null || type.ContainingType is not null)
        {
            return false;
        }

        var end = fullName.Length;
        if (!TrimSegment(fullName, ref end, type.MetadataName))
        {
            return false;
        }

        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
        {
            if (!TrimSegment(fullName, ref end, ns.Name))
            {
                return false;
            }
        }

        return end == 0;
    }

    /// <summary>Whether <paramref name="text"/> ends at <paramref name="end"/> with <paramref name="segment"/>, preceded
    /// by a dot or the start; moves <paramref name="end"/> before both.</summary>
    private static bool TrimSegment(string text, ref int end, string segment)
    {
        var start = end - segment.Length;
        if (start < 0 || string.CompareOrdinal(text, start, segment, 0, segment.Length) != 0)
        {
            return false;
        }

        if (start == 0)
        {
            end = 0;
            return true;
        }

        if (text[start - 1] != '.')
        {
            return false;
        }

        end = start - 1;
        return true;
    }
}
