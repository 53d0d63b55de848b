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

    /// <summary>Overloads get numbered member names (<c>Get</c>, <c>Get2</c>, <c>Get3</c>); a name whose field, loader or
    /// descriptor a parameter would hide, or that another cached method has, takes the next number.</summary>
    private static void AssignMemberNames(List<CachedMethodInfo> cached, HashSet<string> parameterNames)
    {
        var names = new HashSet<string>(cached.Select(c => c.Model.MemberName), StringComparer.Ordinal);
        bool Hidden(CachedMethodModel model)
            => parameterNames.Contains(model.FieldName) || parameterNames.Contains(model.LoaderName) || parameterNames.Contains(model.DescriptorName);

        foreach (var group in cached.GroupBy(c => c.Model.Name))
        {
            var first = true;
            var number = 2;
            foreach (var info in group)
            {
                if (!first || Hidden(info.Model))
                {
                    do
                    {
                        info.Model = info.Model with { MemberName = info.Method.Name + number.ToString(CultureInfo.InvariantCulture) };
                        number++;
                    }
                    while (Hidden(info.Model) || !names.Add(info.Model.MemberName));
                }

                first = false;
            }
        }
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
