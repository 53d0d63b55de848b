// Generic interfaces: open type names, type parameter constraints, closed type argument names.
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
    /// <summary>A type's name without type arguments, qualified by its namespace and containing types
    /// (<c>Shop.IRepository</c>): a generic decorator's method ids add the closed type's arguments at run time.</summary>
    private static readonly SymbolDisplayFormat OpenNameFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.None);

    /// <summary>The constraints of a type parameter as written after <c>where T :</c>, or empty.</summary>
    private static string Constraints(ITypeParameterSymbol parameter, TypeCache types)
    {
        var parts = new List<string>();
        if (parameter.HasReferenceTypeConstraint)
        {
            parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
        }
        else if (parameter.HasUnmanagedTypeConstraint)
        {
            parts.Add("unmanaged");
        }
        else if (parameter.HasValueTypeConstraint)
        {
            parts.Add("struct");
        }
        else if (parameter.HasNotNullConstraint)
        {
            parts.Add("notnull");
        }

        parts.AddRange(parameter.ConstraintTypes.Select(types.Name));
        if (parameter.HasConstructorConstraint)
        {
            parts.Add("new()");
        }

        return string.Join(", ", parts);
    }

    /// <summary>A closed type argument's part of a closed decorator's name (<c>Order</c>, <c>PageOfOrder</c>).</summary>
    private static string SimpleName(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => SimpleName(array.ElementType) + "Array",
        INamedTypeSymbol { TypeArguments.Length: > 0 } named => named.Name + "Of" + string.Join("And", named.TypeArguments.Select(SimpleName)),
        _ => type.Name,
    };

    private static bool IsPublicType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => IsPublicType(array.ElementType),
        INamedTypeSymbol named => IsPublic(named) && named.TypeArguments.All(IsPublicType),
        _ => true,
    };

    /// <summary>Whether <paramref name="type"/> mentions a type parameter (its shape is then known only at run time).</summary>
    private static bool ContainsTypeParameter(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter),
        _ => false,
    };

    /// <summary>A type argument a key names: a closed type's key name, or a generic decorator's type parameter (its key
    /// name is found at run time, once per type).</summary>
    private static TypeArgumentModel TypeArgument(ITypeSymbol argument)
        => argument.TypeKind == TypeKind.TypeParameter
            ? new TypeArgumentModel(argument.Name, IsTypeParameter: true)
            : new TypeArgumentModel(TypeKeyName.Of(argument), IsTypeParameter: false);
}
