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

    /// <summary>The constraints of a generic interface's type parameter, which its decorator restates.</summary>
    private static TypeParameterModel TypeParameter(ITypeParameterSymbol parameter, TypeCache types)
    {
        var kind = parameter.HasReferenceTypeConstraint
            ? parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? SpecialConstraint.NullableClass : SpecialConstraint.Class
            : parameter.HasUnmanagedTypeConstraint ? SpecialConstraint.Unmanaged
            : parameter.HasValueTypeConstraint ? SpecialConstraint.Struct
            : parameter.HasNotNullConstraint ? SpecialConstraint.NotNull
            : SpecialConstraint.None;
        return new TypeParameterModel(parameter.Name, kind, parameter.ConstraintTypes.Select(types.Name).ToEquatableArray(), parameter.HasConstructorConstraint);
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


    /// <summary>A type argument a key names: a closed type's key name, or a generic decorator's type parameter (its key
    /// name is found at run time, once per type).</summary>
    private static TypeArgumentModel TypeArgument(ITypeSymbol argument)
        => argument.TypeKind == TypeKind.TypeParameter
            ? new TypeArgumentModel(argument.Name, IsTypeParameter: true)
            : new TypeArgumentModel(TypeKeyName.Of(argument), IsTypeParameter: false);
}
