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
    /// <c>IStore</c>), the prefix is kept (<c>CachedIStore</c>), then a number added.</summary>
    private static string DecoratorName(INamedTypeSymbol contract)
    {
        static string Stripped(INamedTypeSymbol type)
            => type.TypeKind == TypeKind.Interface && type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name;

        var containers = "";
        for (var container = contract.ContainingType; container is not null; container = container.ContainingType)
        {
            containers = Stripped(container) + containers;
        }

        var stripped = Stripped(contract);
        var name = "Cached" + containers + stripped;
        var @namespace = contract.ContainingNamespace;
        bool Taken(string candidate) => @namespace.GetTypeMembers(candidate).Any(t => !IsPartialClass(t));
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

    /// <summary>Overloads get numbered member names (<c>Get</c>, <c>Get2</c>); a name whose field, loader or descriptor
    /// a parameter would hide is numbered too.</summary>
    private static void AssignMemberNames(List<CachedMethodInfo> cached, HashSet<string> parameterNames)
    {
        bool Hidden(CachedMethodModel model)
            => parameterNames.Contains(model.FieldName) || parameterNames.Contains(model.LoaderName) || parameterNames.Contains(model.DescriptorName);

        foreach (var group in cached.GroupBy(c => c.Model.Name))
        {
            var index = 1;
            foreach (var info in group)
            {
                if (index > 1 || Hidden(info.Model))
                {
                    do
                    {
                        index++;
                        info.Model = info.Model with { MemberName = info.Method.Name + index.ToString(CultureInfo.InvariantCulture) };
                    }
                    while (Hidden(info.Model));
                }

                index++;
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
