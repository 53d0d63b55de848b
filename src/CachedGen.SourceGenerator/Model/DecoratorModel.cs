using System.Collections.Generic;
using System.Linq;

namespace CachedGen.SourceGenerator.Model;

/// <summary>Everything the emitter needs for one decorated interface. Strings and equatable arrays only: no symbols,
/// syntax nodes or locations, so the incremental pipeline can cache it and old compilations are not kept alive.</summary>
internal sealed record DecoratorModel(
    string Namespace,
    string InterfaceName,
    string InterfaceType,
    string DecoratorName,
    bool IsPublic,
    string HintName,
    string InnerFieldName,
    EquatableArray<CachedMethodModel> CachedMethods,
    EquatableArray<ForwardedMethodModel> ForwardedMethods,
    EquatableArray<ForwardedPropertyModel> ForwardedProperties,
    EquatableArray<ForwardedEventModel> ForwardedEvents,
    EquatableArray<TypeParameterModel> TypeParameters = default,
    string GenericContractName = "",
    string RuntimeFieldName = "_runtime",
    EquatableArray<string> ClassAttributes = default,
    bool SuppressesObsolete = false)
{
    /// <summary>Whether the decorator is generic (<c>CachedRepository&lt;TEntity&gt;</c> of <c>IRepository&lt;TEntity&gt;</c>):
    /// its descriptors are per closed type, with method ids, keys and fingerprints computed once per closed type.</summary>
    public bool IsGeneric => TypeParameters.Count > 0;

    /// <summary>The decorator as a type: <c>CachedRepository&lt;TEntity&gt;</c>, or its name when it is not generic.</summary>
    public string DecoratorType => IsGeneric ? DecoratorName + "<" + string.Join(", ", TypeParameters.Select(t => t.Name)) + ">" : DecoratorName;

    /// <summary>Whether a write invalidates tags or another decorator's entries, for which the decorator keeps the
    /// runtime.</summary>
    public bool NeedsRuntime => ForwardedMethods.Any(m => m.TagInvalidations.Count > 0 || m.Invalidations.Any(i => i.Decorator is not null));
}

/// <summary>A type parameter of a generic decorator, with its interface's constraints (<c>class, global::Shop.IEntity</c>;
/// empty when it has none).</summary>
internal sealed record TypeParameterModel(string Name, string Constraints);

/// <summary>A parameter as written in an explicit interface implementation.</summary>
/// <param name="Name">Escaped identifier.</param>
/// <param name="Type">Fully qualified type with nullable annotations.</param>
/// <param name="Modifier"><c>""</c>, <c>"ref "</c>, <c>"out "</c>, <c>"in "</c> or <c>"ref readonly "</c>.</param>
/// <param name="Attributes">Its nullability attributes, each followed by a space, or empty.</param>
/// <param name="IsRefLike">Whether its type is a ref struct (<c>Span&lt;T&gt;</c>) or a pointer, which an async method
/// cannot take.</param>
internal sealed record ParameterModel(string Name, string Type, string Modifier, string Attributes = "", bool IsRefLike = false)
{
    /// <summary>Whether it carries <c>[DisallowNull]</c>: a value taken back out of the key is passed with <c>!</c>.</summary>
    public bool DisallowsNull => Attributes.Contains("DisallowNull");

    /// <summary>Whether it carries <c>[NotNull]</c>: a cached method that returns without calling the inner one
    /// checks it itself.</summary>
    public bool NotNullOnExit => Attributes.Contains("CodeAnalysis.NotNull]");
}

/// <summary>A method served through the cache. <paramref name="Tags"/> are its tag templates, each placeholder reading
/// an element of the key tuple (<c>tenant:{TenantId}:forms</c>).
/// <paramref name="ClosedTypeArgumentNames"/>, for a method of a closed generic interface (or inherited from a closed
/// generic base), is the type arguments' key names that end its version segment (<c>Shop.Order</c>); a generic
/// decorator's methods find theirs at run time, once per closed type;
/// <paramref name="RuntimeShapeType"/> is its value type as <c>typeof</c> takes it when that mentions a type parameter
/// (the fingerprint is then computed at run time).</summary>
internal sealed record CachedMethodModel(
    string DeclaringInterface,
    string Name,
    string MethodId,
    ResultKind Kind,
    string ReturnType,
    string ValueType,
    EquatableArray<ParameterModel> Parameters,
    string? CancellationTokenName,
    string MemberName,
    string KeyTemplate,
    EquatableArray<KeyFieldModel> KeyFields,
    EquatableArray<KeySegmentModel> KeySegments,
    long TtlTicks,
    string TtlText,
    long? LocalTtlTicks,
    string? LocalTtlText,
    string KeyPrefix,
    int Version,
    uint Fingerprint,
    int MaxLocalEntries,
    int MaxValueBytes,
    bool Sensitive,
    EquatableArray<string> TagTemplates,
    EquatableArray<TagTemplateModel> Tags,
    string? ClosedTypeArgumentNames = null,
    string? RuntimeShapeType = null)
{
    /// <summary>The attribute lines the explicit implementation restates (<c>[Obsolete]</c>, nullability).</summary>
    public EquatableArray<string> Attributes { get; init; }

    /// <summary>The method's <c>[Obsolete(...)]</c> line, also put on the loader that calls it; or <see langword="null"/>.</summary>
    public string? Obsolete { get; init; }

    /// <summary>The interface the inner implementation is called through when the contract's own name lookup would
    /// find another member (a base's member hidden or repeated by another base); <see langword="null"/> otherwise.</summary>
    public string? Receiver { get; init; }

    /// <summary>The key's type: a value tuple of the placeholder values (see <see cref="KeyTuple"/>). Computed once from
    /// the constructor's <c>KeyFields</c> (the emitter reads it several times per method); a <c>with</c> that changed
    /// <c>KeyFields</c> would have to set it too (none does).</summary>
    public string KeyType { get; init; } = KeyTuple.Type(KeyFields.Select(f => f.Type).ToList());

    public string DescriptorName => MemberName + "Descriptor";

    public string RenderKeyName => "Render" + MemberName + "Key";

    public string RenderTagsName => "Render" + MemberName + "Tags";

    /// <summary>The static field holding the delegate that calls the inner method on a miss.</summary>
    public string LoaderName => MemberName + "Loader";

    public string FieldName => "_" + char.ToLowerInvariant(MemberName[0]) + MemberName.Substring(1);

    public bool HashesKey
    {
        get
        {
            foreach (var segment in KeySegments)
            {
                if (segment.Hash)
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>One placeholder value of the key (an element of its value tuple).</summary>
/// <param name="Name">Pascal-case name derived from the placeholder (the invalidation helper's parameter, camel-cased).</param>
/// <param name="Type">Its type (nullable where the value can be null).</param>
/// <param name="Source">Expression over the method's parameters that produces it (<c>query?.TenantId</c>).</param>
/// <param name="Cast">Cast applied before rendering (<c>(long)</c> for enums), or empty.</param>
/// <param name="IsNullableValue">Whether it is a <c>Nullable&lt;T&gt;</c>.</param>
/// <param name="IsTypeParameter">Whether its type is a type parameter of a generic interface (encoded by its run-time type).</param>
internal sealed record KeyFieldModel(string Name, string Type, string Source, string Cast, bool IsNullableValue, bool IsTypeParameter = false);

/// <summary>A piece of the key template: literal text, a key field (possibly hashed), or a type argument's key name
/// (<paramref name="TypeArgument"/>, for <c>{TEntity}</c>).</summary>
internal sealed record KeySegmentModel(string? Literal, string? FieldName, bool Hash, TypeArgumentModel? TypeArgument = null);

/// <summary>A type argument a key names: a closed type's key name (<c>Shop.Order</c>), or, when
/// <paramref name="IsTypeParameter"/>, a generic decorator's type parameter whose key name is found at run time.</summary>
internal sealed record TypeArgumentModel(string Name, bool IsTypeParameter);

/// <summary>A tag template (<c>tenant:{tenantId}:forms</c>) as the parts the emitter renders it from.</summary>
internal sealed record TagTemplateModel(EquatableArray<TagPartModel> Parts);

/// <summary>Literal text of a tag template, or a placeholder (rendered hashed when <paramref name="Hash"/>): a cached
/// method's reads the element <paramref name="KeyElement"/> (zero-based) of its key tuple; a write's reads
/// <paramref name="Value"/>, the value over its parameters that the key rules resolved (<c>order.TenantId</c>).</summary>
internal sealed record TagPartModel(string? Literal, int KeyElement = -1, string? Value = null, bool Hash = false);

/// <summary>A member forwarded to the inner implementation; write methods also invalidate entries, and tags
/// (<paramref name="TagInvalidations"/>: templates over the method's parameters).</summary>
internal sealed record ForwardedMethodModel(
    string DeclaringInterface,
    string Name,
    string ReturnType,
    string RefPrefix,
    ResultKind Kind,
    string TypeParameters,
    EquatableArray<ParameterModel> Parameters,
    EquatableArray<InvalidationModel> Invalidations,
    EquatableArray<TagTemplateModel> TagInvalidations,
    EquatableArray<InvalidationModel> Puts = default,
    EquatableArray<string> Attributes = default,
    EquatableArray<string> Constraints = default,
    string? Receiver = null,
    bool IsUnreachable = false,
    bool IsUnsafe = false)
{
    /// <summary>Whether the write invalidates or puts anything (and so is awaited, then followed by them).</summary>
    public bool Invalidates => Invalidations.Count > 0 || TagInvalidations.Count > 0 || Puts.Count > 0;
}

/// <summary>Entry of <paramref name="MemberName"/> removed after a write, keyed by <paramref name="Arguments"/> (values of
/// the <paramref name="KeyType"/> tuple); for a
/// method of another interface (type-qualified <c>invalidatedBy</c>), <paramref name="Decorator"/> is that interface's
/// generated decorator (fully qualified) and <paramref name="ValueType"/> the method's cached type.</summary>
internal sealed record InvalidationModel(string MemberName, string KeyTemplate, string KeyType, EquatableArray<string> Arguments, string? Decorator = null, string? ValueType = null)
{

    public string FieldName => "_" + char.ToLowerInvariant(MemberName[0]) + MemberName.Substring(1);
}

/// <summary>A forwarded property or indexer (<paramref name="Name"/> is <c>this</c>).</summary>
internal sealed record ForwardedPropertyModel(
    string DeclaringInterface,
    string Name,
    string Type,
    string RefPrefix,
    EquatableArray<ParameterModel> IndexerParameters,
    bool HasGetter,
    bool HasSetter,
    bool IsInitOnly,
    EquatableArray<string> Attributes = default,
    string? Receiver = null,
    bool IsUnreachable = false,
    bool IsUnsafe = false);

/// <summary>A forwarded event.</summary>
/// <remarks>A member that is <c>IsUnreachable</c> (an abstract protected one: no class can call it on another object)
/// throws <see cref="System.NotSupportedException"/>.</remarks>
internal sealed record ForwardedEventModel(string DeclaringInterface, string Name, string Type, EquatableArray<string> Attributes = default, string? Receiver = null, bool IsUnreachable = false);

/// <summary>How generated code spells a method's key: a value tuple of its placeholder values, which L1 compares by
/// value (<see cref="System.ValueTuple"/> for a template without placeholders, <c>ValueTuple&lt;T&gt;</c> for one, a
/// tuple for more). No generated key type: that was most of the generated code's compile time.</summary>
internal static class KeyTuple
{
    public static string Type(IReadOnlyList<string> elementTypes) => elementTypes.Count switch
    {
        0 => "global::System.ValueTuple",
        1 => "global::System.ValueTuple<" + elementTypes[0] + ">",
        _ => "(" + string.Join(", ", elementTypes) + ")",
    };

    /// <summary>An expression of type <paramref name="keyType"/> holding <paramref name="values"/>.</summary>
    public static string New(string keyType, IReadOnlyList<string> values) => values.Count switch
    {
        0 => "default(" + keyType + ")",
        1 => "new " + keyType + "(" + values[0] + ")",
        _ => "(" + string.Join(", ", values) + ")",
    };

    /// <summary>The element at <paramref name="index"/> (zero-based) of a key named <paramref name="key"/>.</summary>
    public static string Element(int index, string key = "key") => key + ".Item" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
