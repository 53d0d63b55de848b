using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using static CachedGen.SourceGenerator.CacheRules;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>What an explicit implementation has to restate of the interface member it implements so that it compiles
/// without a warning: the nullability attributes (CS8769, CS8770), the <c>[Obsolete]</c> that lets it use the member
/// (CS0612, CS0618, CS0619), and the <c>class</c> or <c>default</c> constraint that gives <c>T?</c> its meaning.</summary>
internal static class MemberShape
{
    /// <summary>The nullability attributes an implementation must repeat to keep the interface's promises
    /// (<c>MemberNotNull</c> is not among them: it names members of the interface, which the decorator has not).</summary>
    private static readonly HashSet<string> NullabilityAttributes = new(System.StringComparer.Ordinal)
    {
        "System.Diagnostics.CodeAnalysis.AllowNullAttribute",
        "System.Diagnostics.CodeAnalysis.DisallowNullAttribute",
        "System.Diagnostics.CodeAnalysis.MaybeNullAttribute",
        "System.Diagnostics.CodeAnalysis.NotNullAttribute",
        "System.Diagnostics.CodeAnalysis.MaybeNullWhenAttribute",
        "System.Diagnostics.CodeAnalysis.NotNullWhenAttribute",
        "System.Diagnostics.CodeAnalysis.NotNullIfNotNullAttribute",
        "System.Diagnostics.CodeAnalysis.DoesNotReturnAttribute",
        "System.Diagnostics.CodeAnalysis.DoesNotReturnIfAttribute",
    };

    private const string ObsoleteAttribute = "System.ObsoleteAttribute";

    /// <summary>The attribute lines of a method, property or event: its <c>[Obsolete]</c> and nullability attributes,
    /// then those of its result (<c>[return: ...]</c>).</summary>
    public static EquatableArray<AttributeModel> Attributes(ISymbol member)
    {
        List<AttributeModel>? lines = null;
        foreach (var attribute in member.GetAttributes())
        {
            if (IsCopied(attribute))
            {
                (lines ??= new List<AttributeModel>()).Add(ToModel(attribute, onReturn: false));
            }
        }

        if (member is IMethodSymbol method)
        {
            foreach (var attribute in method.GetReturnTypeAttributes())
            {
                if (IsNullability(attribute))
                {
                    (lines ??= new List<AttributeModel>()).Add(ToModel(attribute, onReturn: true));
                }
            }
        }

        return lines is null ? EquatableArray<AttributeModel>.Empty : lines.ToEquatableArray();
    }

    /// <summary>A parameter's nullability attributes (<c>[NotNullWhen(true)]</c>).</summary>
    public static EquatableArray<AttributeModel> ParameterAttributes(IParameterSymbol parameter)
        => parameter.GetAttributes().Where(IsNullability).Select(a => ToModel(a, onReturn: false)).ToEquatableArray();

    /// <summary>The member's <c>[Obsolete(...)]</c>, or <see langword="null"/>.</summary>
    public static AttributeModel? Obsolete(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(ObsoleteAttribute))
            {
                return ToModel(attribute, onReturn: false);
            }
        }

        return null;
    }

    /// <summary>Whether the result carries <c>[return: MaybeNull]</c>.</summary>
    public static bool ReturnsMaybeNull(IMethodSymbol method)
        => method.GetReturnTypeAttributes().Any(a => a.AttributeClass.HasFullName("System.Diagnostics.CodeAnalysis.MaybeNullAttribute"));

    /// <summary>The constraint clauses an explicit implementation needs: <c>where T : class</c> for a reference type
    /// parameter, <c>where T : default</c> for one that may be either, when <c>T?</c> appears in the signature (without
    /// them, <c>T?</c> would mean <c>Nullable&lt;T&gt;</c>). Every other constraint is inherited and may not be
    /// restated.</summary>
    public static EquatableArray<RestatedConstraintModel> Constraints(IMethodSymbol method)
    {
        if (!method.IsGenericMethod)
        {
            return EquatableArray<RestatedConstraintModel>.Empty;
        }

        var clauses = new List<RestatedConstraintModel>();
        var annotated = new HashSet<ITypeParameterSymbol>(SymbolEqualityComparer.Default);
        CollectAnnotated(method.ReturnType, annotated);
        foreach (var parameter in method.Parameters)
        {
            CollectAnnotated(parameter.Type, annotated);
        }

        foreach (var typeParameter in method.TypeParameters)
        {
            // CollectAnnotated keeps original definitions: a method of a closed generic base (IRepository<Order, int>)
            // has substituted type parameters, which are not equal to them.
            if (!annotated.Contains((ITypeParameterSymbol)typeParameter.OriginalDefinition) || typeParameter.IsValueType)
            {
                continue;
            }

            clauses.Add(new RestatedConstraintModel(typeParameter.Name, typeParameter.IsReferenceType));
        }

        return clauses.ToEquatableArray();
    }

    /// <summary>Whether a type the member's signature names (with their type arguments, elements and containing types)
    /// is obsolete, or one of a property's accessors: the generated code names them too, outside the member
    /// (descriptors, fields, loaders) or in an accessor it does not mark. An obsolete member itself needs no more than
    /// its restated <c>[Obsolete]</c>.</summary>
    public static bool UsesObsolete(ISymbol member)
        => member switch
        {
            IMethodSymbol method => IsObsolete(method.ReturnType) || method.Parameters.Any(p => IsObsolete(p.Type)),
            IPropertySymbol property => IsObsolete(property.Type) || property.Parameters.Any(p => IsObsolete(p.Type))
                || (property.GetMethod is { } get && Obsolete(get) is not null) || (property.SetMethod is { } set && Obsolete(set) is not null),
            IEventSymbol @event => IsObsolete(@event.Type),
            _ => false,
        };

    /// <summary>Whether the member's signature names a pointer or function pointer type: its implementation is
    /// <c>unsafe</c> too.</summary>
    public static bool IsUnsafe(ISymbol member)
        => member switch
        {
            IMethodSymbol method => IsUnsafe(method.ReturnType) || method.Parameters.Any(p => IsUnsafe(p.Type)),
            IPropertySymbol property => IsUnsafe(property.Type) || property.Parameters.Any(p => IsUnsafe(p.Type)),
            _ => false,
        };

    /// <summary>Whether the type is, or is built of, a pointer or function pointer.</summary>
    public static bool IsUnsafe(ITypeSymbol type) => SkipRules.IsUnsafe(type);

    /// <summary>Whether the method's signature names a type that is <c>[Obsolete(..., error: true)]</c>. A cached
    /// method's value and key types are named outside the method (descriptor, field, constructor), where no
    /// <c>[Obsolete]</c> can excuse them: such a method is forwarded instead.</summary>
    public static bool NamesErrorObsoleteType(IMethodSymbol method) => SkipRules.ErrorObsoleteType(method) is not null;

    private static bool IsObsolete(ITypeSymbol type)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsObsolete(array.ElementType);
            case IPointerTypeSymbol pointer:
                return IsObsolete(pointer.PointedAtType);
            case INamedTypeSymbol named:
                // The special types (int, string, IEnumerable<T>, Nullable<T>...) are not obsolete: their attributes
                // are not read.
                for (var current = named; current is { SpecialType: SpecialType.None }; current = current.ContainingType)
                {
                    if (Obsolete(current) is not null)
                    {
                        return true;
                    }
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (IsObsolete(argument))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    private static void CollectAnnotated(ITypeSymbol type, HashSet<ITypeParameterSymbol> found)
    {
        switch (type)
        {
            case ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } parameter:
                if (parameter.NullableAnnotation == NullableAnnotation.Annotated)
                {
                    found.Add((ITypeParameterSymbol)parameter.OriginalDefinition);
                }

                break;
            case IArrayTypeSymbol array:
                CollectAnnotated(array.ElementType, found);
                break;
            case IPointerTypeSymbol pointer:
                CollectAnnotated(pointer.PointedAtType, found);
                break;
            case IFunctionPointerTypeSymbol functionPointer:
                CollectAnnotated(functionPointer.Signature.ReturnType, found);
                foreach (var parameter in functionPointer.Signature.Parameters)
                {
                    CollectAnnotated(parameter.Type, found);
                }

                break;
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments)
                {
                    CollectAnnotated(argument, found);
                }

                break;
        }
    }

    private static bool IsCopied(AttributeData attribute)
        => IsNullability(attribute) || attribute.AttributeClass.HasFullName(ObsoleteAttribute);

    private static bool IsNullability(AttributeData attribute)
        => attribute.AttributeClass is { ContainingType: null } type && NullabilityAttributes.Contains(type.MetadataFullName());

    /// <summary>The attribute as the emitter restates it: fully qualified, with its arguments.</summary>
    private static AttributeModel ToModel(AttributeData attribute, bool onReturn)
    {
        var name = attribute.AttributeClass!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (name.EndsWith("Attribute", System.StringComparison.Ordinal))
        {
            name = name.Substring(0, name.Length - "Attribute".Length);
        }

        return new AttributeModel(
            name,
            attribute.ConstructorArguments.Select(Constant).ToEquatableArray(),
            attribute.NamedArguments.Select(n => new NamedConstantModel(n.Key, Constant(n.Value))).ToEquatableArray(),
            onReturn);
    }

    private static ConstantModel Constant(TypedConstant constant)
    {
        var type = constant.Type?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (constant.IsNull)
        {
            return new ConstantModel(ConstantKind.Null, type, null);
        }

        switch (constant.Kind)
        {
            case TypedConstantKind.Array:
                return new ConstantModel(ConstantKind.Array, type, null, constant.Values.Select(Constant).ToEquatableArray());
            case TypedConstantKind.Type:
                return new ConstantModel(ConstantKind.TypeOf, ((ITypeSymbol)constant.Value!).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), null);
            case TypedConstantKind.Enum:
                return new ConstantModel(ConstantKind.Cast, type, System.Convert.ToString(constant.Value, CultureInfo.InvariantCulture));
        }

        return constant.Value switch
        {
            string text => new ConstantModel(ConstantKind.String, type, text),
            bool flag => new ConstantModel(ConstantKind.Bool, type, flag ? "true" : "false"),
            char c => new ConstantModel(ConstantKind.Char, type, c.ToString()),
            float f => new ConstantModel(ConstantKind.Float, type, f.ToString("R", CultureInfo.InvariantCulture)),
            double d => new ConstantModel(ConstantKind.Double, type, d.ToString("R", CultureInfo.InvariantCulture)),
            _ => new ConstantModel(ConstantKind.Cast, type, System.Convert.ToString(constant.Value, CultureInfo.InvariantCulture)),
        };
    }
}
