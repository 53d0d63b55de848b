// Key templates: the default template, placeholders resolved to key fields, and the key types that can be rendered.
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
    /// <summary>The key template of a <c>[Cached]</c> without one: <c>{Namespace.Interface}.{Method}</c>, the parameter
    /// types when the method is overloaded, then every key parameter. The interface is named with its namespace, the
    /// types it is nested in and its type arguments, and so are the parameter types, so that two interfaces or two
    /// overloads never render the same key. An explicit implementation in a class
    /// (<c>Task&lt;Order&gt; IOrders.GetAsync(int id)</c>, whose own name is <c>Shop.IOrders.GetAsync</c>) is named
    /// by the interface method it implements.</summary>
    internal static string? DefaultTemplate(IMethodSymbol method, INamedTypeSymbol contract)
    {
        var name = method.ExplicitInterfaceImplementations.FirstOrDefault()?.Name ?? method.Name;
        var text = new System.Text.StringBuilder();
        text.Append(KeyTypeName(contract)).Append('.').Append(name);
        var overloaded = contract.GetMembers(name).Length > 1;
        if (overloaded)
        {
            // As declared (TKey, not the Guid a closed base substitutes), like the interface's name.
            text.Append('(').Append(string.Join(",", method.OriginalDefinition.Parameters.Select(p => KeyTypeName(p.Type)))).Append(')');
        }

        foreach (var parameter in method.Parameters)
        {
            if (IsLeftOutOfKey(parameter))
            {
                continue;
            }

            text.Append(":{").Append(parameter.Name).Append('}');
        }

        return text.ToString();
    }

    /// <summary>The interface a default key names: the one declaring the cached method (or, for a class method, the
    /// one it implements), as its generic definition (<c>Shop.IRepository&lt;TEntity&gt;</c>: a closed type's arguments
    /// go in the key's version segment). So the decorator of an interface that inherits the method
    /// (<c>IOrderRepository : IRepository&lt;Order&gt;</c>) renders the keys the base's decorator renders, and a write
    /// through either invalidates the entries of both.</summary>
    internal static INamedTypeSymbol DefaultKeyContract(IMethodSymbol attributed)
        => (ImplementedContracts(attributed).FirstOrDefault() ?? attributed.ContainingType).OriginalDefinition;

    // Namespaces, containing types and type arguments, C# keywords for the special types, no spaces and no global::
    // (System.Collections.Generic.List<int>, int[], Shop.Orders.IOrderRepository): what a default key names a type by.
    private static readonly SymbolDisplayFormat KeyTypeFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.ExpandNullable);

    private static string KeyTypeName(ITypeSymbol type) => type.ToDisplayString(KeyTypeFormat).Replace(" ", "");

    /// <summary>The distinct key values a template names (one per member path, in order of first use), or
    /// <see langword="null"/> when any placeholder does not resolve.</summary>
    internal static List<KeyFieldInfo>? ResolveKeyFields(IMethodSymbol method, KeyTemplate template)
    {
        var fields = new List<KeyFieldInfo>();
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder || IsTypeArgumentPlaceholder(method, part))
            {
                continue;
            }

            if (ResolvePlaceholder(method, part, out _) is not { } field)
            {
                return null;
            }

            if (!ContainsPath(fields, field.PathKey))
            {
                fields.Add(field);
            }
        }

        return fields;
    }

    /// <summary>Whether a placeholder names a type parameter of the method's type (<c>{TEntity}</c>), or, for a class
    /// method, of an interface whose member it implements (<c>{T}</c> on <c>OrderStore : IStore&lt;Order&gt;</c>),
    /// rather than a parameter: it renders the type argument's name (docs/keys.md) and is no value of the key. The
    /// generator and CG0004 both ask this.</summary>
    internal static bool IsTypeArgumentPlaceholder(IMethodSymbol method, KeyTemplatePart part)
        => !part.Hash && part.Path!.Count == 1 && FindParameter(method.Parameters, part.Path[0]) is null
           && (TypeParameterIndex(method.ContainingType, part.Path[0]) >= 0
               || (method.ContainingType.TypeKind != TypeKind.Interface && ImplementedContracts(method).Any(c => TypeParameterIndex(c, part.Path[0]) >= 0)));

    /// <summary>The position of the type parameter named <paramref name="name"/> (exactly) of
    /// <paramref name="type"/>'s definition, or of a type parameter it is constructed with (an implementing class's:
    /// <c>{T}</c> of <c>EfRepository&lt;T&gt; : IRepository&lt;T&gt;</c>), or -1.</summary>
    internal static int TypeParameterIndex(INamedTypeSymbol type, string name)
    {
        var parameters = type.OriginalDefinition.TypeParameters;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].Name == name || (type.TypeArguments[i] is ITypeParameterSymbol argument && argument.Name == name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Resolves one placeholder of a key template against the method's parameters.</summary>
    internal static KeyFieldInfo? ResolvePlaceholder(IMethodSymbol method, KeyTemplatePart part, out string? error)
    {
        var path = part.Path!;
        var parameter = FindParameter(method.Parameters, path[0]);
        if (parameter is null)
        {
            // Key templates render type parameters before they get here; what reaches this is a tag ([InvalidatesTags]).
            error = IsTypeArgumentPlaceholder(method, part)
                ? $"'{{{path[0]}}}' names a type parameter, which a tag does not render: write the type's name as text (\"orders:list\"), or use the write's parameters only"
                : $"'{path[0]}' is not a parameter of '{method.Name}'" + (method.ContainingType.IsGenericType ? $" nor a type parameter of '{method.ContainingType.Name}'" : "")
                  + (NameSuggestion.Closest(path[0], method.Parameters.Select(p => p.Name)) is { } meant ? $"; did you mean '{meant}'?" : "");
            return null;
        }

        if (IsCancellationToken(parameter.Type))
        {
            error = $"'{parameter.Name}' is a CancellationToken, which is never part of a key";
            return null;
        }

        if (part.IsBatch)
        {
            return ResolveBatchPlaceholder(parameter, part, out error);
        }

        var members = new List<string>(path.Count - 1);
        for (var i = 1; i < path.Count; i++)
        {
            members.Add(path[i]);
        }

        if (ResolvePath(parameter, members) is not { } resolved)
        {
            error = $"'{string.Join(".", path)}' does not name a public property or field of '{parameter.Type.ToDisplayString()}'";
            return null;
        }

        if (ObsoletePathProblem(resolved, path) is { } obsolete)
        {
            error = obsolete;
            return null;
        }

        // A parameter declared as a type parameter of a generic interface (TKey id) keeps that type's encoding by run-time
        // type in the interface's closed bases too (IShipmentRepository : IRepository<Shipment, OrderId>), so the
        // closed decorator renders the keys of the generic one (a strongly typed id among them) and checks the type
        // argument the same way when it is first used.
        var byRunTimeType = members.Count == 0 && !SymbolEqualityComparer.Default.Equals(parameter, parameter.OriginalDefinition)
            && Underlying(((IParameterSymbol)parameter.OriginalDefinition).Type).TypeKind == TypeKind.TypeParameter
            && Underlying(parameter.Type).TypeKind != TypeKind.TypeParameter;
        if (byRunTimeType && !IsEncodableByRunTimeType(resolved.Type))
        {
            // The closing names the type the generic placeholder gets here (ISegmentStore : ILookupStore<(int, int), string>):
            // the decorator's check when it is first used would throw, so the closed method is forwarded uncached instead.
            error = $"'{string.Join(".", path)}' is a '{resolved.Type.ToDisplayString()}' in '{method.ContainingType.ToDisplayString()}', which has no key encoding (a string, number, bool, char, enum, Guid or date/time type argument, or a struct with one field of such a type, a strongly typed id)";
            return null;
        }

        if (!byRunTimeType && !HasKeyEncoding(resolved.Type))
        {
            error = NoKeyEncoding(string.Join(".", path), resolved.Type) + " (use a member of it, or a string, number, enum, Guid or date, or a struct with one such field)";
            return null;
        }

        // A strongly typed id (readonly record struct OrderId(Guid Value)) is encoded by its one field, as the closing of a
        // generic interface over it is: by run-time type.
        byRunTimeType |= ClassifyKeyType(resolved.Type) is null;
        var enumAs = byRunTimeType ? "" : ClassifyKeyType(resolved.Type)!;

        if (part.Hash && !CanHash(resolved.Type))
        {
            error = $"':hash' applies to strings and formattable values, not '{resolved.Type.ToDisplayString()}'";
            return null;
        }

        error = null;
        return new KeyFieldInfo(path.Count == 1 ? path[0] : string.Join(".", path), path[0], members, resolved.Type, resolved.Value, enumAs, resolved.Nullable)
        {
            ByRunTimeType = byRunTimeType || Underlying(resolved.Type).TypeKind == TypeKind.TypeParameter,
            Read = resolved.Members,
        };
    }

    /// <summary>Whether a value of <paramref name="type"/> has a stable key encoding: a type <see cref="ClassifyKeyType"/>
    /// encodes, or a strongly typed id (<see cref="IsWrappedKey"/>). The one rule the generator, CG0004 and CG0005's code
    /// fix decide by (through <see cref="ResolvePlaceholder"/>).</summary>
    internal static bool HasKeyEncoding(ITypeSymbol type) => ClassifyKeyType(type) is not null || IsWrappedKey(type);

    /// <summary>The statement that the value at <paramref name="path"/> has no stable key encoding, without advice: the
    /// caller knows best what to write instead.</summary>
    internal static string NoKeyEncoding(string path, ITypeSymbol type) => $"'{path}' is a '{type.ToDisplayString()}', which has no stable key encoding";

    /// <summary>Whether a placeholder naming the whole of <paramref name="parameter"/> (<c>{tenantId}</c>) would resolve
    /// in a key template of <paramref name="method"/>, as the generator and CG0004 resolve it.</summary>
    internal static bool CanBePlaceholder(IMethodSymbol method, IParameterSymbol parameter)
        => ResolvePlaceholder(method, KeyTemplatePart.ForPlaceholder(new[] { parameter.Name }, false, 0, parameter.Name.Length + 2), out _) is not null;

    /// <summary>Returns the integral type an enum is rendered as (<c>long</c> or <c>ulong</c>; empty for any other type), or
    /// <see langword="null"/> for types that have no stable key encoding.</summary>
    internal static string? ClassifyKeyType(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type.TypeKind == TypeKind.TypeParameter)
        {
            return ""; // a generic interface's TKey: encoded by its run-time type (CacheKeyBuilder.AppendValueOf)
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
            case SpecialType.System_DateTime:
                return "";
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            return underlying.SpecialType is SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
                ? "ulong"
                : "long";
        }

        // Int128 and UInt128 are no special types to Roslyn: named, as the others without a SpecialType are
        // (CacheKeyBuilder.AppendValue renders them in invariant culture, as the other integers).
        return type.HasFullName("System.Guid") || type.HasFullName("System.DateTimeOffset") || type.HasFullName("System.DateOnly")
            || type.HasFullName("System.TimeOnly") || type.HasFullName("System.TimeSpan")
            || type.HasFullName("System.Int128") || type.HasFullName("System.UInt128")
            ? ""
            : null;
    }

    /// <summary>The compile-time twin of the run-time check of a key value encoded by its run-time type
    /// (<c>CacheKeyBuilder.IsEncodable</c>): a type <see cref="ClassifyKeyType"/> encodes, or a struct with exactly one
    /// instance field of such a type (a strongly typed id, encoded as its field); a <see cref="Nullable{T}"/> of either
    /// (of a strongly typed id whose field is a value type, so that null stays distinct). A type parameter is checked when
    /// the decorator is closed at run time.</summary>
    internal static bool IsEncodableByRunTimeType(ITypeSymbol type)
    {
        if (type.TypeKind == TypeKind.TypeParameter)
        {
            return true;
        }

        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            var underlying = nullable.TypeArguments[0];
            return IsScalarKey(underlying) || WrappedField(underlying) is { Type.IsValueType: true };
        }

        return IsScalarKey(type) || WrappedField(type) is not null || FieldsUnknown(type);
    }

    /// <summary>Whether <paramref name="type"/> is a struct of another assembly whose instance fields this compilation
    /// does not see (a reference assembly may list none of its private ones): the decorator's check when it is first used
    /// decides, as before.</summary>
    private static bool FieldsUnknown(ITypeSymbol type)
        => type is INamedTypeSymbol { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } named
            && named.Locations.All(l => !l.IsInSource)
            && !named.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && !f.IsConst);

    /// <summary>Whether <paramref name="type"/> is a strongly typed id this compilation sees the one field of.</summary>
    internal static bool IsWrappedKey(ITypeSymbol type)
        => WrappedField(type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type) is not null;

    private static bool IsScalarKey(ITypeSymbol type) => type.TypeKind != TypeKind.TypeParameter && ClassifyKeyType(type) is not null;

    /// <summary>The one instance field of a struct that is not itself a key type (its backing field, for a positional
    /// record struct), when that field's type is a key type; else null.</summary>
    private static IFieldSymbol? WrappedField(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct, SpecialType: SpecialType.None } named || IsScalarKey(named))
        {
            return null;
        }

        // Backing fields of auto-properties are among the members too (implicitly declared), as in the type's layout.
        var fields = named.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToList();
        return fields.Count == 1 && IsScalarKey(fields[0].Type) ? fields[0] : null;
    }

    internal static bool CanHash(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.SpecialType == SpecialType.System_String
            || (type.SpecialType != SpecialType.System_Boolean && type.AllInterfaces.Any(i => i.HasFullName("System.ISpanFormattable")));
    }

    /// <summary>Whether the type is a <see cref="System.Threading.CancellationToken"/> or a
    /// <c>CancellationToken?</c>: either says when to stop waiting, never what was asked, so neither is part of a key
    /// nor fills a write's key field.</summary>
    internal static bool IsCancellationToken(ITypeSymbol type)
        => (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type)
            .HasFullName(KnownNames.CancellationToken);

    /// <summary>Whether a parameter stays out of the default key and needs no placeholder in a template (CG0005): a
    /// <see cref="System.Threading.CancellationToken"/> (or <c>CancellationToken?</c>), a <c>[NotCacheKey]</c> parameter, or a caller-information
    /// parameter (<c>[CallerMemberName]</c>, <c>[CallerFilePath]</c>, <c>[CallerLineNumber]</c>,
    /// <c>[CallerArgumentExpression]</c>), which says who called, not what was asked: in the key it would give every
    /// calling line an entry of its own. A template may still name one on purpose.</summary>
    internal static bool IsLeftOutOfKey(IParameterSymbol parameter)
    {
        if (IsCancellationToken(parameter.Type))
        {
            return true;
        }

        foreach (var attribute in parameter.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(KnownNames.NotCacheKeyAttribute)
                || (attribute.AttributeClass?.ContainingNamespace.ToDisplayString() == "System.Runtime.CompilerServices"
                    && attribute.AttributeClass.Name is "CallerMemberNameAttribute" or "CallerFilePathAttribute" or "CallerLineNumberAttribute" or "CallerArgumentExpressionAttribute"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsPath(List<KeyFieldInfo> fields, string pathKey)
    {
        foreach (var field in fields)
        {
            if (field.PathKey == pathKey)
            {
                return true;
            }
        }

        return false;
    }
}

internal sealed class KeyFieldInfo(string pathKey, string root, List<string> members, ITypeSymbol type, ValuePath source, string enumAs, bool nullable)
{
    public string PathKey { get; } = pathKey;

    public string Root { get; } = root;

    public List<string> Members { get; } = members;

    public ITypeSymbol Type { get; } = type;

    /// <summary>The value over the method's parameters that fills it.</summary>
    public ValuePath Source { get; } = source;

    /// <summary>The integral type an enum value is rendered as (<c>long</c>, <c>ulong</c>), or empty.</summary>
    public string EnumAs { get; } = enumAs;

    /// <summary>Whether a null-conditional access can make the value null.</summary>
    public bool Nullable { get; } = nullable;

    public string Name { get; set; } = "";

    /// <summary>Whether the value is encoded by its run-time type (<c>CacheKeyBuilder.AppendValueOf</c>, checked once per
    /// closed type): a value typed by a type parameter, or declared so on a closed generic base.</summary>
    public bool ByRunTimeType { get; init; }

    /// <summary>The properties and fields read from the parameter, in order (empty for the parameter itself).</summary>
    public ImmutableArray<ISymbol> Read { get; init; } = ImmutableArray<ISymbol>.Empty;
}
