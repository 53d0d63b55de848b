// Names in the generated decorator: the class name, key field names and member names of overloads.
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

internal static partial class DecoratorParser
{
    /// <summary><c>Cached</c> and the interface's name without its <c>I</c> prefix, after the names of the types it is
    /// nested in (<c>Outer.IStore</c>: <c>CachedOuterStore</c>). When the namespace already has a type of that name (not a
    /// partial class, which the decorator extends), or an interface that drops no prefix to get it (<c>Store</c> beside
    /// <c>IStore</c>), the prefix is kept (<c>CachedIStore</c>), then a number added. When another interface of the
    /// namespace with as many type parameters would get the same name (<c>Outer.IStore</c> beside <c>IOuterStore</c>), the
    /// names are given to all of the namespace's interfaces of that arity in one order (the less nested first, then by
    /// full name), each avoiding the names given before it: the first keeps its name, and every interface gets the same
    /// name in every build, whichever of them is being generated.</summary>
    private static string DecoratorName(INamedTypeSymbol contract)
    {
        var @namespace = contract.ContainingNamespace;
        var natural = NaturalDecoratorName(contract);
        var peers = new List<INamedTypeSymbol>();
        CollectInterfaces(@namespace.GetTypeMembers(), contract.Arity, peers);
        if (!peers.Any(p => !SymbolEqualityComparer.Default.Equals(p, contract) && NaturalDecoratorName(p) == natural))
        {
            return DecoratorName(contract, given: null);
        }

        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var peer in peers.OrderBy(Depth).ThenBy(p => p.ToDisplayString(), StringComparer.Ordinal))
        {
            var name = DecoratorName(peer, given);
            if (SymbolEqualityComparer.Default.Equals(peer, contract.OriginalDefinition))
            {
                return name;
            }

            given.Add(name);
        }

        return DecoratorName(contract, given);
    }

    private static int Depth(INamedTypeSymbol type)
    {
        var depth = 0;
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            depth++;
        }

        return depth;
    }

    private static void CollectInterfaces(System.Collections.Immutable.ImmutableArray<INamedTypeSymbol> types, int arity, List<INamedTypeSymbol> into)
    {
        foreach (var type in types)
        {
            if (type.TypeKind == TypeKind.Interface && type.Arity == arity)
            {
                into.Add(type);
            }

            CollectInterfaces(type.GetTypeMembers(), arity, into);
        }
    }

    private static string StrippedName(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Interface && type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name;

    private static string Containers(INamedTypeSymbol contract)
    {
        var containers = "";
        for (var container = contract.ContainingType; container is not null; container = container.ContainingType)
        {
            containers = StrippedName(container) + containers;
        }

        return containers;
    }

    private static string NaturalDecoratorName(INamedTypeSymbol contract) => "Cached" + Containers(contract) + StrippedName(contract);

    /// <summary>The name of <paramref name="contract"/>'s decorator, avoiding the namespace's types and
    /// <paramref name="given"/> (names given to other interfaces' decorators).</summary>
    private static string DecoratorName(INamedTypeSymbol contract, HashSet<string>? given)
    {
        var containers = Containers(contract);
        var stripped = StrippedName(contract);
        var name = "Cached" + containers + stripped;
        var @namespace = contract.ContainingNamespace;
        bool Taken(string candidate) => given?.Contains(candidate) == true || @namespace.GetTypeMembers(candidate).Any(t => !IsPartialClass(t));
        if (!Taken(name) && (stripped == contract.Name || containers.Length > 0
            || !@namespace.GetTypeMembers(containers + stripped).Any(t => t.TypeKind == TypeKind.Interface)))
        {
            return name;
        }

        name = "Cached" + containers + contract.Name;
        var unique = name;
        for (var i = 2; Taken(unique); i++)
        {
            unique = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return unique;
    }

    private static bool IsPartialClass(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Class && type.DeclaringSyntaxReferences.Length > 0
           && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax c && c.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)));

    private static void NameFields(List<KeyFieldInfo> fields)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = string.Concat(new[] { field.Root }.Concat(field.Members).Select(Pascal));
            var unique = name;
            for (var i = 2; !used.Add(unique); i++)
            {
                unique = name + i.ToString(CultureInfo.InvariantCulture);
            }

            field.Name = unique;
        }
    }

    /// <summary>Gives each cached method the member name its generated members are named from
    /// (<see cref="CachedMethodModel.GeneratedMemberNames"/>: <c>{M}Descriptor</c>, <c>_{m}</c>, <c>{M}Loader</c>,
    /// <c>Render{M}Key</c>, <c>Render{M}Tags</c>, <c>Invalidate{M}</c>, <c>{M}KeyOf</c>). In declaration order, overloads
    /// together, a method keeps its own name when none of those members is taken, and overloads after the first are
    /// numbered (<c>Get</c>, <c>Get2</c>, <c>Get3</c>); a name any of whose members is taken (by a member an earlier
    /// method got, or a name in <paramref name="reserved"/>), or that another cached method has, takes the next number.
    /// So <c>GetAsyncDescriptor</c> beside <c>InvalidateGetAsync</c> gets <c>InvalidateGetAsyncDescriptor</c>, and
    /// <c>InvalidateGetAsync</c> becomes <c>InvalidateGetAsync2</c>.</summary>
    /// <param name="reserved">Names no generated member may have: the parameters and type parameters of the interface's
    /// members (which would hide them), the interface's own members, inherited ones too, the decorator's name and the
    /// members of a partial class of that name.</param>
    private static void AssignMemberNames(List<CachedMethodInfo> cached, HashSet<string> reserved)
    {
        var names = new HashSet<string>(cached.Select(c => c.Model.MemberName), StringComparer.Ordinal);
        var given = new HashSet<string>(reserved, StringComparer.Ordinal);
        bool Taken(CachedMethodModel model) => model.GeneratedMemberNames.Any(given.Contains);

        foreach (var group in cached.GroupBy(c => c.Model.Name))
        {
            var first = true;
            var number = 2;
            foreach (var info in group)
            {
                if (!first || Taken(info.Model))
                {
                    do
                    {
                        info.Model = info.Model with { MemberName = info.Method.Name + number.ToString(CultureInfo.InvariantCulture) };
                        number++;
                    }
                    while (Taken(info.Model) || !names.Add(info.Model.MemberName));
                }

                given.UnionWith(info.Model.GeneratedMemberNames);
                first = false;
            }
        }
    }

    /// <summary>The names <see cref="AssignMemberNames"/> keeps generated members away from (see its
    /// <c>reserved</c>).</summary>
    private static HashSet<string> ReservedNames(INamedTypeSymbol contract, List<ISymbol> members, HashSet<string> parameterNames, string decoratorName, bool isGeneric)
    {
        var reserved = new HashSet<string>(parameterNames, StringComparer.Ordinal) { decoratorName, "TypeArguments", "RegisterDecorator" };
        foreach (var member in members)
        {
            reserved.Add(member.Name);
            if (member is IMethodSymbol method)
            {
                reserved.UnionWith(method.TypeParameters.Select(t => t.Name));
            }
        }

        reserved.UnionWith(contract.TypeParameters.Select(t => t.Name));
        foreach (var partial in contract.ContainingNamespace.GetTypeMembers(decoratorName, isGeneric ? contract.Arity : 0))
        {
            if (IsPartialClass(partial))
            {
                reserved.UnionWith(partial.GetMembers().Select(m => m.Name));
            }
        }

        return reserved;
    }

    private static bool IsPublic(INamedTypeSymbol type)
    {
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = named.ContainingType)
        {
            if (named.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
}
