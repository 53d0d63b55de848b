using System.Collections.Generic;
using System.Linq;

namespace CachedGen.SourceGenerator.Model;

/// <summary>Everything the emitter needs for one decorated interface. Strings, value paths and equatable arrays only: no symbols,
/// syntax nodes or locations, so the incremental pipeline can cache it and old compilations are not kept alive.</summary>
internal sealed record DecoratorModel
{
    public required string Namespace { get; init; }

    public required string InterfaceName { get; init; }

    public required string InterfaceType { get; init; }

    public required string DecoratorName { get; init; }

    public required bool IsPublic { get; init; }

    public required string HintName { get; init; }

    public required string InnerFieldName { get; init; }

    public required EquatableArray<CachedMethodModel> CachedMethods { get; init; }

    public required EquatableArray<ForwardedMethodModel> ForwardedMethods { get; init; }

    public required EquatableArray<ForwardedPropertyModel> ForwardedProperties { get; init; }

    public required EquatableArray<ForwardedEventModel> ForwardedEvents { get; init; }

    public EquatableArray<TypeParameterModel> TypeParameters { get; init; }

    public string GenericContractName { get; init; } = "";

    public string RuntimeFieldName { get; init; } = "_runtime";

    /// <summary>The field that holds where DI resolved the inner service (<c>_origin</c>, or with more underscores when
    /// a parameter has that name): background work of the cache calls an inner service of a scope of its own.</summary>
    public string OriginFieldName { get; init; } = "_origin";

    /// <summary>The field that says whether disposing the decorator disposes the inner service (<c>_disposesInner</c>, or
    /// with more underscores when a parameter has that name); written only when the interface is disposable.</summary>
    public string DisposesInnerFieldName { get; init; } = "_disposesInner";

    public EquatableArray<AttributeModel> ClassAttributes { get; init; }

    public bool SuppressesObsolete { get; init; }

    /// <summary>The diagnostic ids of the <c>[Experimental]</c> types and members the decorator names, sorted: it
    /// disables them (<c>#pragma warning disable</c>), as the interface's user did to declare it.</summary>
    public EquatableArray<string> ExperimentalIds { get; init; }

    /// <summary>Whether the decorator is generic (<c>CachedRepository&lt;TEntity&gt;</c> of <c>IRepository&lt;TEntity&gt;</c>):
    /// its descriptors are per closed type, with method ids, keys and fingerprints computed once per closed type.</summary>
    public bool IsGeneric => TypeParameters.Count > 0;

    /// <summary>The decorator as a type: <c>CachedRepository&lt;TEntity&gt;</c>, or its name when it is not generic.</summary>
    public string DecoratorType => IsGeneric ? DecoratorName + "<" + string.Join(", ", TypeParameters.Select(t => t.Name)) + ">" : DecoratorName;

    /// <summary>Whether a write invalidates tags or another decorator's entries, for which the decorator keeps the
    /// runtime.</summary>
    public bool NeedsRuntime => ForwardedMethods.Any(m => m.TagInvalidations.Count > 0 || m.Invalidations.Any(i => i.Decorator is not null));
}

/// <summary>A type parameter of a generic decorator, with its interface's constraints: the special one
/// (<paramref name="Kind"/>), the types it must derive from (fully qualified), and <c>new()</c>.</summary>
internal sealed record TypeParameterModel(string Name, SpecialConstraint Kind, EquatableArray<string> Types, bool New)
{
    public bool HasConstraints => Kind != SpecialConstraint.None || Types.Count > 0 || New;
}

/// <summary>The special constraint of a type parameter, at most one.</summary>
internal enum SpecialConstraint
{
    None,
    Class,
    NullableClass,
    Struct,
    Unmanaged,
    NotNull,
}

/// <summary>The constraint an explicit implementation restates for a method type parameter that <c>T?</c> names:
/// <c>class</c> when <paramref name="IsReferenceType"/>, else <c>default</c>.</summary>
internal sealed record RestatedConstraintModel(string TypeParameter, bool IsReferenceType);

/// <summary>An attribute the decorator restates (<c>[Obsolete]</c>, nullability attributes), as data: its type (fully
/// qualified, without the <c>Attribute</c> suffix), its constructor and named arguments, and whether it applies to the
/// result (<c>[return: ...]</c>).</summary>
internal sealed record AttributeModel(string Name, EquatableArray<ConstantModel> Arguments, EquatableArray<NamedConstantModel> NamedArguments, bool OnReturn = false)
{
    public const string DisallowNull = "global::System.Diagnostics.CodeAnalysis.DisallowNull";

    public const string NotNull = "global::System.Diagnostics.CodeAnalysis.NotNull";

    public bool Is(string name) => Name == name;
}

/// <summary>A named argument of an attribute (<c>DiagnosticId = "X"</c>).</summary>
internal sealed record NamedConstantModel(string Name, ConstantModel Value);

/// <summary>A constant of an attribute argument: its kind, its type (fully qualified, for casts, arrays and
/// <c>typeof</c>), its value as invariant text, and the items of an array.</summary>
internal sealed record ConstantModel(ConstantKind Kind, string? Type, string? Text, EquatableArray<ConstantModel> Items = default);

/// <summary>How the emitter writes a <see cref="ConstantModel"/>.</summary>
internal enum ConstantKind
{
    Null,
    String,
    Bool,
    Char,
    Float,
    Double,

    /// <summary>An enum or another numeric value, written as a cast of its invariant text to its type.</summary>
    Cast,
    TypeOf,
    Array,
}

/// <summary>How a parameter is passed; the emitter writes the keywords.</summary>
internal enum Passing
{
    Value,
    Ref,
    Out,
    In,
    RefReadOnly,
}

/// <summary>Whether a method or property returns by value, by reference, or by read-only reference.</summary>
internal enum RefReturn
{
    None,
    Ref,
    RefReadOnly,
}

/// <summary>A parameter as written in an explicit interface implementation.</summary>
/// <param name="Name">Escaped identifier.</param>
/// <param name="Type">Fully qualified type with nullable annotations.</param>
/// <param name="Passing">How it is passed (by value, <c>ref</c>, <c>out</c>, <c>in</c>, <c>ref readonly</c>).</param>
/// <param name="Scoped">Whether it is declared <c>scoped</c>.</param>
/// <param name="Attributes">Its nullability attributes, each followed by a space, or empty.</param>
/// <param name="IsRefLike">Whether its type is a ref struct (<c>Span&lt;T&gt;</c>) or a pointer, which an async method
/// cannot take.</param>
internal sealed record ParameterModel(string Name, string Type, Passing Passing, bool Scoped = false, EquatableArray<AttributeModel> Attributes = default, bool IsRefLike = false)
{
    /// <summary>Whether it carries <c>[DisallowNull]</c>: a value taken back out of the key is passed with <c>!</c>.</summary>
    public bool DisallowsNull => Attributes.Any(a => a.Is(AttributeModel.DisallowNull));

    /// <summary>Whether it carries <c>[NotNull]</c>: a cached method that returns without calling the inner one
    /// checks it itself.</summary>
    public bool NotNullOnExit => Attributes.Any(a => a.Is(AttributeModel.NotNull));
}

/// <summary>A method served through the cache. <see cref="Tags"/> are its tag templates, each placeholder reading
/// an element of the key tuple (<c>tenant:{TenantId}:forms</c>).
/// <see cref="ClosedTypeArgumentNames"/>, for a method of a closed generic interface (or inherited from a closed
/// generic base), is the type arguments' key names that end its version segment (<c>Shop.Order</c>); a generic
/// decorator's methods find theirs at run time, once per closed type;
/// <see cref="RuntimeShapeType"/> is its value type as <c>typeof</c> takes it when that mentions a type parameter
/// (the fingerprint is then computed at run time).</summary>
internal sealed record CachedMethodModel
{
    private readonly EquatableArray<KeyFieldModel> _keyFields;

    public required string DeclaringInterface { get; init; }

    public required string Name { get; init; }

    public required string MethodId { get; init; }

    public required ResultKind Kind { get; init; }

    public required string ReturnType { get; init; }

    public required string ValueType { get; init; }

    public required EquatableArray<ParameterModel> Parameters { get; init; }

    public required string? CancellationTokenName { get; init; }

    /// <summary>What the runtime is given to stop the caller's wait: the token parameter, or its
    /// <c>GetValueOrDefault()</c> for a <c>CancellationToken?</c> (the parameter itself when not set).</summary>
    public string? CancellationTokenArgument { get; init; }

    public required string MemberName { get; init; }

    /// <summary>Whether the declaring interface has other methods of this name: documentation comments then name it
    /// with its parameter types (a <c>cref</c> without them is ambiguous, CS0419).</summary>
    public bool Overloaded { get; init; }

    public required string KeyTemplate { get; init; }

    /// <summary>The placeholder values of the key, in order; setting them sets <see cref="KeyType"/>.</summary>
    public required EquatableArray<KeyFieldModel> KeyFields
    {
        get => _keyFields;
        init
        {
            _keyFields = value;
            KeyType = KeyTuple.Type(value.Select(f => f.Type).ToList());
        }
    }

    public required EquatableArray<KeySegmentModel> KeySegments { get; init; }

    public required long TtlTicks { get; init; }

    public required string TtlText { get; init; }

    public required long? LocalTtlTicks { get; init; }

    public required string? LocalTtlText { get; init; }

    public required string KeyPrefix { get; init; }

    public required int Version { get; init; }

    public required uint Fingerprint { get; init; }

    public required int MaxLocalEntries { get; init; }

    public required int MaxValueBytes { get; init; }

    public required bool Sensitive { get; init; }

    public required EquatableArray<string> TagTemplates { get; init; }

    public required EquatableArray<TagTemplateModel> Tags { get; init; }

    public string? ClosedTypeArgumentNames { get; init; }

    /// <summary>In a generic decorator, for a method inherited from a base interface: the base's name without type
    /// arguments (<c>Shop.IReadRepository</c>), whose method id and version segment the method takes, so that it shares
    /// the base decorator's entries and, in a process, its L1.</summary>
    public string? InheritedFrom { get; init; }

    /// <summary>With <see cref="InheritedFrom"/>: the base's type arguments, in the decorator's type parameters
    /// (<c>TEntity</c>); empty for a base that is not generic.</summary>
    public EquatableArray<string> InheritedTypeArguments { get; init; }

    public string? RuntimeShapeType { get; init; }

    /// <summary>Set for a batch method (<c>{ids[]}</c>): its key, descriptor and value type are per element.</summary>
    public BatchModel? Batch { get; init; }

    /// <summary>Whether null results are cached (<c>[Cached(CacheNull = false)]</c> clears it).</summary>
    public bool CacheNull { get; init; } = true;

    /// <summary>The attribute lines the explicit implementation restates (<c>[Obsolete]</c>, nullability).</summary>
    public EquatableArray<AttributeModel> Attributes { get; init; }

    /// <summary>The method's <c>[Obsolete(...)]</c> line, also put on the loader that calls it; or <see langword="null"/>.</summary>
    public AttributeModel? Obsolete { get; init; }

    /// <summary>The interface the inner implementation is called through when the contract's own name lookup would
    /// find another member (a base's member hidden or repeated by another base); <see langword="null"/> otherwise.</summary>
    public string? Receiver { get; init; }

    /// <summary>The key's type: a value tuple of the placeholder values (see <see cref="KeyTuple"/>), computed once when
    /// <see cref="KeyFields"/> is set (the emitter reads it several times per method).</summary>
    public string KeyType { get; private init; } = "";

    public string DescriptorName => MemberName + "Descriptor";

    public string RenderKeyName => "Render" + MemberName + "Key";

    public string RenderTagsName => "Render" + MemberName + "Tags";

    /// <summary>The static field holding the delegate that calls the inner method on a miss.</summary>
    public string LoaderName => MemberName + "Loader";

    public string FieldName => "_" + char.ToLowerInvariant(MemberName[0]) + MemberName.Substring(1);

    /// <summary>The public static helper that removes one entry (<c>Invalidate{MemberName}</c>).</summary>
    public string InvalidateName => "Invalidate" + MemberName;

    /// <summary>A batch method's static delegate that builds one element's key.</summary>
    public string KeyOfName => MemberName + "KeyOf";

    /// <summary>Every member name the decorator declares for this method (a batch method sharing its twin's cache
    /// declares fewer; all are reserved alike): the naming pass keeps them apart from every other name of the class.</summary>
    public IEnumerable<string> GeneratedMemberNames
        => new[] { DescriptorName, FieldName, LoaderName, RenderKeyName, RenderTagsName, InvalidateName, KeyOfName };

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
internal sealed record KeyFieldModel
{
    /// <summary>Pascal-case name derived from the placeholder (the invalidation helper's parameter, camel-cased).</summary>
    public required string Name { get; init; }

    /// <summary>Its type (nullable where the value can be null).</summary>
    public required string Type { get; init; }

    /// <summary>The value over the method's parameters that produces it (<c>query?.TenantId</c>).</summary>
    public required ValuePath Source { get; init; }

    /// <summary>The integral type an enum is rendered as (<c>long</c>, <c>ulong</c>: the emitter casts to it), or empty.</summary>
    public required string EnumAs { get; init; }

    /// <summary>Whether it is a <c>Nullable&lt;T&gt;</c>.</summary>
    public required bool IsNullableValue { get; init; }

    /// <summary>Whether its type is a type parameter of a generic interface (encoded by its run-time type).</summary>
    public bool IsTypeParameter { get; init; }
}

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
/// <paramref name="Value"/>, the value over its parameters that the key rules resolved (<c>order.TenantId</c>), encoded by
/// its run-time type when <paramref name="EncodedType"/> names it (a strongly typed id, checked with the key values'
/// types when the decorator type is first used).</summary>
internal sealed record TagPartModel(string? Literal, int KeyElement = -1, ValuePath? Value = null, bool Hash = false, string? EncodedType = null);

/// <summary>A member forwarded to the inner implementation; write methods also invalidate entries, and tags
/// (<see cref="TagInvalidations"/>: templates over the method's parameters).</summary>
internal sealed record ForwardedMethodModel
{
    public required string DeclaringInterface { get; init; }

    public required string Name { get; init; }

    public required string ReturnType { get; init; }

    /// <summary>Whether it returns by reference.</summary>
    public required RefReturn Returns { get; init; }

    public required ResultKind Kind { get; init; }

    /// <summary>A generic method's type parameters (escaped names), or empty.</summary>
    public EquatableArray<string> TypeParameters { get; init; }

    public required EquatableArray<ParameterModel> Parameters { get; init; }

    public required EquatableArray<InvalidationModel> Invalidations { get; init; }

    public required EquatableArray<TagTemplateModel> TagInvalidations { get; init; }

    public EquatableArray<InvalidationModel> Puts { get; init; }

    public EquatableArray<AttributeModel> Attributes { get; init; }

    public EquatableArray<RestatedConstraintModel> Constraints { get; init; }

    public string? Receiver { get; init; }

    public bool IsUnreachable { get; init; }

    public bool IsUnsafe { get; init; }

    /// <summary>Whether it is <see cref="System.IDisposable.Dispose"/> or <see cref="System.IAsyncDisposable.DisposeAsync"/>:
    /// passed on to the inner service only by a decorator built by hand (the DI container disposes what it created).</summary>
    public bool IsDisposal { get; init; }

    /// <summary>Whether the write invalidates or puts anything (and so is awaited, then followed by them).</summary>
    public bool Invalidates => Invalidations.Count > 0 || TagInvalidations.Count > 0 || Puts.Count > 0;
}

/// <summary>Entry of <see cref="MemberName"/> removed after a write, keyed by <see cref="Arguments"/> (values of
/// the <see cref="KeyType"/> tuple); for a
/// method of another interface (type-qualified <c>invalidatedBy</c>), <see cref="Decorator"/> is that interface's
/// generated decorator (fully qualified) and <see cref="ValueType"/> the method's cached type.</summary>
internal sealed record InvalidationModel
{
    public required string MemberName { get; init; }

    public required string KeyTemplate { get; init; }

    public required string KeyType { get; init; }

    public required EquatableArray<ValuePath> Arguments { get; init; }

    public string? Decorator { get; init; }

    public string? ValueType { get; init; }

    /// <summary>For a batch method's entries filled by a write's collection: the collection parameter (unescaped), each of whose elements is
    /// invalidated (the arguments name it <c>batchElement</c>); otherwise <see langword="null"/>.</summary>
    public string? EachOf { get; init; }

    public string FieldName => "_" + char.ToLowerInvariant(MemberName[0]) + MemberName.Substring(1);
}

/// <summary>A forwarded property or indexer (<see cref="Name"/> is <c>this</c>).</summary>
internal sealed record ForwardedPropertyModel
{
    public required string DeclaringInterface { get; init; }

    public required string Name { get; init; }

    public required string Type { get; init; }

    /// <summary>Whether it returns by reference.</summary>
    public required RefReturn Returns { get; init; }

    public required EquatableArray<ParameterModel> IndexerParameters { get; init; }

    public required bool HasGetter { get; init; }

    public required bool HasSetter { get; init; }

    public required bool IsInitOnly { get; init; }

    public EquatableArray<AttributeModel> Attributes { get; init; }

    public string? Receiver { get; init; }

    public bool IsUnreachable { get; init; }

    public bool IsUnsafe { get; init; }
}

/// <summary>A forwarded event.</summary>
/// <remarks>A member that is <c>IsUnreachable</c> (an abstract protected one: no class can call it on another object)
/// throws <see cref="System.NotSupportedException"/>.</remarks>
internal sealed record ForwardedEventModel
{
    public required string DeclaringInterface { get; init; }

    public required string Name { get; init; }

    public required string Type { get; init; }

    public EquatableArray<AttributeModel> Attributes { get; init; }

    public string? Receiver { get; init; }

    public bool IsUnreachable { get; init; }
}

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
