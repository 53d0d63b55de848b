using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

/// <summary>
/// Which MessagePack formatters a cached value needs and whether the generator can write them (docs/serialization.md).
/// The generator writes one for every type this walk collects; CG0020 reports the first type it cannot write. Members
/// follow <see cref="SerializedShape.Members"/>, the shape fingerprint's rule, so what is written is what the key's
/// fingerprint describes.
/// </summary>
internal sealed partial class FormatterRules
{
    /// <summary>Generic framework types and the MessagePack 2.5 formatter that writes them (the ones its dynamic
    /// resolver picks, so the bytes are the same).</summary>
    private static readonly Dictionary<string, string> FrameworkFormatters = new(System.StringComparer.Ordinal)
    {
        ["System.Collections.Generic.List`1"] = "Formatters.ListFormatter",
        ["System.Collections.Generic.IList`1"] = "Formatters.InterfaceListFormatter2",
        ["System.Collections.Generic.ICollection`1"] = "Formatters.InterfaceCollectionFormatter2",
        ["System.Collections.Generic.IEnumerable`1"] = "Formatters.InterfaceEnumerableFormatter",
        ["System.Collections.Generic.IReadOnlyList`1"] = "Formatters.InterfaceReadOnlyListFormatter",
        ["System.Collections.Generic.IReadOnlyCollection`1"] = "Formatters.InterfaceReadOnlyCollectionFormatter",
        ["System.Collections.Generic.ISet`1"] = "Formatters.InterfaceSetFormatter",
        ["System.Collections.Generic.IReadOnlySet`1"] = "Formatters.InterfaceReadOnlySetFormatter",
        ["System.Collections.Generic.HashSet`1"] = "Formatters.HashSetFormatter",
        ["System.Collections.Generic.Dictionary`2"] = "Formatters.DictionaryFormatter",
        ["System.Collections.Generic.IDictionary`2"] = "Formatters.InterfaceDictionaryFormatter",
        ["System.Collections.Generic.IReadOnlyDictionary`2"] = "Formatters.InterfaceReadOnlyDictionaryFormatter",
        ["System.Collections.Generic.KeyValuePair`2"] = "Formatters.KeyValuePairFormatter",
        ["System.Collections.Immutable.ImmutableArray`1"] = "ImmutableCollection.ImmutableArrayFormatter",
        ["System.Collections.Immutable.ImmutableList`1"] = "ImmutableCollection.ImmutableListFormatter",
        ["System.Collections.Immutable.ImmutableHashSet`1"] = "ImmutableCollection.ImmutableHashSetFormatter",
        ["System.Collections.Immutable.ImmutableDictionary`2"] = "ImmutableCollection.ImmutableDictionaryFormatter",
        ["System.Collections.Generic.Queue`1"] = "Formatters.QueueFormatter",
        ["System.Collections.Generic.Stack`1"] = "Formatters.StackFormatter",
        ["System.Collections.Generic.LinkedList`1"] = "Formatters.LinkedListFormatter",
        ["System.Collections.Generic.SortedDictionary`2"] = "Formatters.SortedDictionaryFormatter",
        ["System.Collections.Generic.SortedList`2"] = "Formatters.SortedListFormatter",
        ["System.Collections.Concurrent.ConcurrentDictionary`2"] = "Formatters.ConcurrentDictionaryFormatter",
        ["System.Collections.ObjectModel.ReadOnlyCollection`1"] = "Formatters.ReadOnlyCollectionFormatter",
        ["System.Collections.ObjectModel.ReadOnlyDictionary`2"] = "Formatters.ReadOnlyDictionaryFormatter",
        ["System.Collections.ObjectModel.ObservableCollection`1"] = "Formatters.ObservableCollectionFormatter",
        ["System.Nullable`1"] = "Formatters.NullableFormatter",
        ["System.Collections.ObjectModel.ReadOnlyObservableCollection`1"] = "Formatters.ReadOnlyObservableCollectionFormatter",
        ["System.Collections.Concurrent.ConcurrentQueue`1"] = "Formatters.ConcurrentQueueFormatter",
        ["System.Collections.Concurrent.ConcurrentBag`1"] = "Formatters.ConcurrentBagFormatter",
        ["System.Lazy`1"] = "Formatters.LazyFormatter",
        ["System.ValueTuple`1"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`2"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`3"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`4"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`5"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`6"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`7"] = "Formatters.ValueTupleFormatter",
        ["System.ValueTuple`8"] = "Formatters.ValueTupleFormatter",
        ["System.Tuple`1"] = "Formatters.TupleFormatter",
        ["System.Tuple`2"] = "Formatters.TupleFormatter",
        ["System.Tuple`3"] = "Formatters.TupleFormatter",
        ["System.Tuple`4"] = "Formatters.TupleFormatter",
        ["System.Tuple`5"] = "Formatters.TupleFormatter",
        ["System.Tuple`6"] = "Formatters.TupleFormatter",
        ["System.Tuple`7"] = "Formatters.TupleFormatter",
        ["System.Tuple`8"] = "Formatters.TupleFormatter",
    };

    /// <summary>Framework types MessagePack's built-in resolver writes, or the runtime's own
    /// (<c>CachedGen.Runtime.FrameworkFormatters</c>: 128-bit integers, JSON elements and nodes), with no reflection:
    /// nothing to generate.</summary>
    private static readonly HashSet<string> Builtin = new(System.StringComparer.Ordinal)
    {
        "System.Decimal", "System.DateTime", "System.DateTimeOffset", "System.TimeSpan", "System.Guid", "System.Uri",
        "System.Version", "System.DateOnly", "System.TimeOnly", "System.Half", "System.Numerics.BigInteger",
        "System.Numerics.Complex", "System.Text.StringBuilder", "System.Collections.BitArray",
        "System.Int128", "System.UInt128", "System.Text.Json.JsonElement", "System.Text.Json.Nodes.JsonNode",
        "System.Text.Json.Nodes.JsonObject", "System.Text.Json.Nodes.JsonArray", "System.Text.Json.Nodes.JsonValue",
    };

    /// <summary>Generic framework types MessagePack's built-in resolver writes when their argument is <c>byte</c>
    /// (as <c>bin</c>, like <c>byte[]</c>).</summary>
    private static readonly HashSet<string> BuiltinOfBytes = new(System.StringComparer.Ordinal)
    {
        "System.ReadOnlyMemory`1", "System.Memory`1", "System.ArraySegment`1",
    };

    private readonly Compilation _compilation;
    private readonly bool _unsafeAccessors;
    private readonly HashSet<ITypeSymbol> _seen = new(SymbolEqualityComparer.Default);
    private readonly List<ObjectShape> _objects = new();
    private readonly List<(ITypeSymbol Type, string Creation)> _entries = new();

    private FormatterRules(Compilation compilation)
    {
        _compilation = compilation;
        _unsafeAccessors = compilation.GetTypeByMetadataName("System.Runtime.CompilerServices.UnsafeAccessorAttribute") is not null;
    }

    /// <summary>The types a generated formatter writes, in the order they were reached.</summary>
    public IReadOnlyList<ObjectShape> Objects => _objects;

    /// <summary>Framework types (collections, nullables, enums) and types with their own <c>[MessagePackFormatter]</c>:
    /// the expression that creates the formatter the generated resolver hands out for each.</summary>
    public IReadOnlyList<(ITypeSymbol Type, string Creation)> Entries => _entries;

    /// <summary>Why a type reached cannot be written by a generated formatter (the first found), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Whether <see cref="Problem"/> is one CG0008 reports already (an interface, an abstract class,
    /// <c>object</c>, a delegate, no public constructor).</summary>
    public bool ProblemIsUnserializable { get; private set; }

    /// <summary>Whether <see cref="Problem"/> is one MessagePack's own resolvers solve at run time under the JIT (a
    /// <c>[Union]</c> type): the value is then stored everywhere but under Native AOT.</summary>
    public bool ProblemWorksUnderJit { get; private set; }

    /// <summary>Whether the value is built from a type parameter (a generic repository): the closed type is known only
    /// at run time, so its formatters are MessagePack's dynamic ones (not available under Native AOT).</summary>
    public bool UsesTypeParameters { get; private set; }

    /// <summary>CG0020's reason for a value built from type parameters (<see cref="UsesTypeParameters"/>), or null.</summary>
    public string? TypeParameterProblem { get; private set; }

    /// <summary>
    /// The severity of CG0020 for a value built from a generic interface's type parameters (docs/diagnostics/CG0020.md).
    /// Under the JIT such a value works (MessagePack's contractless resolver writes it), so a legitimate generic
    /// repository must not break a TreatWarningsAsErrors build: Info. In a build that trims or publishes with Native AOT
    /// (<see cref="BuildProperties.TrimmedOrAot"/>) the generic decorator is not registered and the value has no formatter
    /// there: Warning, unless the compilation declares an interface that closes the generic one (the way such a build
    /// caches it, with formatters written at compile time), where it stays Info.
    /// </summary>
    public static DiagnosticSeverity TypeParameterSeverity(bool trimmedOrAot, bool closedByDerivedInterface)
        => trimmedOrAot && !closedByDerivedInterface ? DiagnosticSeverity.Warning : DiagnosticSeverity.Info;

    /// <summary>The closed constructions of the generic interface <paramref name="definition"/> that non-generic
    /// interfaces declared in <paramref name="compilation"/> derive from (<c>IOrderRepository : IRepository&lt;Order&gt;</c>
    /// gives <c>IRepository&lt;Order&gt;</c>), each once: the generator writes the formatters of their values
    /// (<c>FormatterParser.ParseDerived</c>), so CG0020 walks them too.</summary>
    public static ImmutableArray<INamedTypeSymbol> ClosedByDerivedInterfaces(INamedTypeSymbol definition, Compilation compilation, CancellationToken cancellationToken)
    {
        var found = new List<INamedTypeSymbol>();
        foreach (var type in compilation.Assembly.DeclaredTypes(cancellationToken))
        {
            if (type.TypeKind != TypeKind.Interface || type.IsGenericType)
            {
                continue;
            }

            foreach (var closed in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(closed.OriginalDefinition, definition) && !closed.ContainsTypeParameter()
                    && !found.Contains(closed, SymbolEqualityComparer.Default))
                {
                    found.Add(closed);
                }
            }
        }

        return found.ToImmutableArray();
    }

    /// <summary>Walks <paramref name="valueType"/> and every type reachable through its serialized members.</summary>
    public static FormatterRules Walk(ITypeSymbol valueType, Compilation compilation, CancellationToken cancellationToken)
    {
        var rules = new FormatterRules(compilation);
        rules.Visit(valueType, "the result", cancellationToken);
        return rules;
    }

    /// <summary>The serialized shape of a type whose formatter is generated.</summary>
    internal sealed class ObjectShape
    {
        public ObjectShape(INamedTypeSymbol type, bool arrayLayout, ImmutableArray<ShapeMember> members, IMethodSymbol? constructor)
            => (Type, ArrayLayout, Members, Constructor) = (type, arrayLayout, members, constructor);

        /// <summary>Whether <see cref="Constructor"/> is a non-public parameterless one (an EF Core entity's
        /// <c>protected Order() { }</c>), called through an <c>[UnsafeAccessor]</c>.</summary>
        public bool ConstructorIsNonPublic => Constructor is { DeclaredAccessibility: not Accessibility.Public };

        public INamedTypeSymbol Type { get; }

        /// <summary>An array indexed by <c>[Key(int)]</c>; otherwise a map by name.</summary>
        public bool ArrayLayout { get; }

        /// <summary>The members written, in order: declaration order for a map, key order for an array.</summary>
        public ImmutableArray<ShapeMember> Members { get; }

        /// <summary>The constructor a read calls (parameters matched to members by name), or null for a struct's
        /// default one.</summary>
        public IMethodSymbol? Constructor { get; }

        /// <summary>Whether a member the formatter writes but cannot set back may hold data rather than be computed: a
        /// non-public setter or field no <c>[UnsafeAccessor]</c> reaches (a generic type's), or a get-only property of
        /// another assembly, whose private setter or backing field this compilation does not see. A read would leave it
        /// at its default, so each value written is read back and compared before it goes to Redis, as a value of the
        /// contractless resolver is (event 1023 when it does not read back).</summary>
        public bool VerifiesRoundTrip => Members.Any(m => m.ConstructorParameter < 0 && !m.Settable && MayHoldData(m.Member));

        private static bool MayHoldData(ISymbol member) => member switch
        {
            IFieldSymbol => true,
            IPropertySymbol property => property.SetMethod is not null || BackingField(property) is not null
                || !property.Locations.Any(l => l.IsInSource),
            _ => false,
        };
    }

    /// <summary>One serialized member: its key (a name, or an index as text for the array layout) and how a read sets it.</summary>
    internal sealed class ShapeMember
    {
        public ShapeMember(ISymbol member, ITypeSymbol type, string key, int constructorParameter, bool settable, MemberAccess access = MemberAccess.Direct, string accessorTarget = "")
            => (Member, Type, Key, ConstructorParameter, Settable, Access, AccessorTarget) = (member, type, key, constructorParameter, settable, access, accessorTarget);

        /// <summary>How a read sets it when <see cref="Settable"/>: through its public setter or <c>init</c>, or through
        /// an <c>[UnsafeAccessor]</c> to its non-public setter or to its field (a get-only auto-property's backing
        /// field, a read-only field).</summary>
        public MemberAccess Access { get; }

        /// <summary>The setter's or field's metadata name for an <c>[UnsafeAccessor]</c> (<c>set_Id</c>,
        /// <c>&lt;Id&gt;k__BackingField</c>), or empty.</summary>
        public string AccessorTarget { get; }

        public ISymbol Member { get; }

        public ITypeSymbol Type { get; }

        public string Key { get; }

        /// <summary>Its parameter's position in <see cref="ObjectShape.Constructor"/>, or -1.</summary>
        public int ConstructorParameter { get; }

        /// <summary>Set after construction (a public setter or <c>init</c>) when no constructor parameter takes it; a
        /// member neither takes is read and dropped, as MessagePack does.</summary>
        public bool Settable { get; }
    }

    /// <summary>How a read sets a member no constructor parameter takes.</summary>
    internal enum MemberAccess
    {
        /// <summary>Its public setter or <c>init</c> accessor, or its public field.</summary>
        Direct,

        /// <summary>Its non-public setter (<c>{ get; private set; }</c>), through an <c>[UnsafeAccessor]</c>.</summary>
        Setter,

        /// <summary>Its field, through an <c>[UnsafeAccessor]</c>: a get-only auto-property's backing field or a
        /// read-only field.</summary>
        Field,
    }

    private void Visit(ITypeSymbol type, string where, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Problem is not null)
        {
            return;
        }

        type = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        if (!_seen.Add(type) || IsInline(type))
        {
            return;
        }

        if (type.ContainsTypeParameter())
        {
            if (!UsesTypeParameters)
            {
                UsesTypeParameters = true;
                TypeParameterProblem = $"{where} is '{Display(type)}', built from the interface's type parameters: formatters are written only for the closed types this assembly names, and trimmed or Native AOT builds do not decorate the generic interface itself; cache it through an interface that closes it (interface IOrderRepository : IRepository<Order>)";
            }

            return;
        }

        if (!_compilation.IsSymbolAccessibleWithin(type, _compilation.Assembly))
        {
            Fail($"{where} is '{Display(type)}', which this assembly cannot access");
            return;
        }

        if (SkipRules.ErrorObsolete(type) is not null)
        {
            Fail($"{where} is '{Display(type)}', which is obsolete as an error: generated code cannot name it");
            return;
        }

        switch (type)
        {
            case IArrayTypeSymbol { Rank: 1 } array:
                if (array.ElementType.SpecialType == SpecialType.System_Byte)
                {
                    return;
                }

                _entries.Add((type, Counted(type, "new global::MessagePack.Formatters.ArrayFormatter<" + Name(array.ElementType) + ">()")));
                Visit(array.ElementType, where, cancellationToken);
                return;
            case IArrayTypeSymbol:
                Fail($"{where} is the multi-dimensional array '{Display(type)}'");
                return;
            case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                _entries.Add((type, "new global::MessagePack.Formatters.GenericEnumFormatter<" + Name(type) + ">()"));
                return;
            case INamedTypeSymbol named when SerializedShape.IsFrameworkType(named):
                VisitFramework(named, where, cancellationToken);
                return;
            case INamedTypeSymbol named:
                VisitObject(named, where, cancellationToken);
                return;
            default:
                Fail($"{where} is '{Display(type)}', which MessagePack cannot write", unserializable: true);
                return;
        }
    }

    private void VisitFramework(INamedTypeSymbol type, string where, CancellationToken cancellationToken)
    {
        var metadataName = type.OriginalDefinition.MetadataFullName();
        if (Builtin.Contains(metadataName) || (BuiltinOfBytes.Contains(metadataName) && type.TypeArguments[0].SpecialType == SpecialType.System_Byte))
        {
            return;
        }

        if (type.SpecialType == SpecialType.System_Object || type.TypeKind == TypeKind.Delegate)
        {
            Fail($"{where} is '{Display(type)}'", unserializable: true);
            return;
        }

        if (!type.IsGenericType || !FrameworkFormatters.TryGetValue(metadataName, out var formatter))
        {
            Fail($"{where} is the framework type '{Display(type)}', which has no MessagePack formatter CachedGen can name", unserializable: type.TypeKind == TypeKind.Interface);
            return;
        }

        var arguments = string.Join(", ", type.TypeArguments.Select(Name));
        _entries.Add((type, Counted(type, $"new global::MessagePack.{formatter}<{arguments}>()")));
        foreach (var argument in type.TypeArguments)
        {
            Visit(argument, where, cancellationToken);
        }
    }

    private void VisitObject(INamedTypeSymbol type, string where, CancellationToken cancellationToken)
    {
        var custom = Attribute(type, "MessagePack.MessagePackFormatterAttribute");
        if (custom is { ConstructorArguments.Length: >= 1 } && custom.ConstructorArguments[0].Value is INamedTypeSymbol formatterType)
        {
            // The type names its own formatter: the resolver hands it out, as MessagePack's attribute resolver would.
            _entries.Add((type, "new " + Name(formatterType) + "()"));
            return;
        }

        if (Attribute(type, "MessagePack.UnionAttribute") is not null)
        {
            Fail($"{where} is '{Display(type)}', a [Union] type, whose formatter MessagePack writes at run time");
            ProblemWorksUnderJit = true;
            return;
        }

        if (type.TypeKind == TypeKind.Interface || type.IsAbstract)
        {
            Fail($"{where} is the {(type.TypeKind == TypeKind.Interface ? "interface" : "abstract class")} '{Display(type)}'", unserializable: true);
            return;
        }

        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            Fail($"{where} is '{Display(type)}', which MessagePack cannot write", unserializable: true);
            return;
        }

        if (Attribute(type, "System.Runtime.Serialization.DataContractAttribute") is not null)
        {
            Fail($"{where} is '{Display(type)}', a [DataContract] type (use [MessagePackObject] or plain public members)");
            return;
        }

        if (CollectionOrigin(type) is { } collection)
        {
            Fail($"{where} is '{Display(type)}', which {collection}: its items and its own members cannot both be stored; return the collection, or a type that holds it as a member");
            return;
        }

        if (Shape(type, _unsafeAccessors, out var problem) is not { } shape)
        {
            Fail($"'{Display(type)}' {problem}", unserializable: problem!.StartsWith("has no public constructor to create", System.StringComparison.Ordinal));
            return;
        }

        _objects.Add(shape);
        foreach (var member in shape.Members)
        {
            Visit(member.Type, $"member '{Display(type)}.{member.Member.Name}'", cancellationToken);
        }
    }

    /// <summary>How a type of the project is a collection (<c>derives from the collection type 'List&lt;int&gt;'</c>,
    /// <c>implements 'IEnumerable&lt;string&gt;'</c>), or null. A generated formatter writes its members as a map and
    /// never its items; MessagePack's dynamic one writes its items and never its members: neither stores both.</summary>
    private static string? CollectionOrigin(INamedTypeSymbol type)
    {
        if (!type.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
        {
            return null;
        }

        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (SerializedShape.IsFrameworkType(current) && current.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
            {
                return $"derives from the collection type '{Display(current)}'";
            }
        }

        // It, or a base of the project, implements a collection interface itself: name the one declared.
        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (var declared in current.Interfaces)
            {
                if (declared.SpecialType == SpecialType.System_Collections_IEnumerable
                    || declared.AllInterfaces.Any(i => i.SpecialType == SpecialType.System_Collections_IEnumerable))
                {
                    return $"implements '{Display(declared)}'";
                }
            }
        }

        return "is enumerable";
    }

    /// <summary>Whether a generated formatter writes the type itself, with one <c>MessagePackWriter.Write</c>.</summary>
    internal static bool IsInline(ITypeSymbol type)
        => type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_SByte or SpecialType.System_Byte
            or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
            or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
            or SpecialType.System_String;

    /// <summary>A member's type as declared, with its nullable reference annotations (what its formatter is asked
    /// for, so that reading and writing it is warning-free).</summary>
    internal static string DeclaredName(ITypeSymbol type)
        => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier));

    /// <summary>A name that compiles anywhere: fully qualified, without nullable reference annotations (they are not
    /// allowed in <c>typeof</c>), tuples as <c>ValueTuple&lt;...&gt;</c> (element names are not part of the type: a
    /// tuple named two ways is one type with one formatter).</summary>
    internal static string Name(ITypeSymbol type) => type.ToDisplayString(NameFormat);

    private static readonly SymbolDisplayFormat NameFormat = SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.ExpandValueTuple);

    private static string Counted(ITypeSymbol type, string creation)
        => type.IsValueType ? creation : $"new global::CachedGen.Runtime.DepthCountingFormatter<{Name(type)}?>({creation})";


    private static AttributeData? Attribute(ISymbol symbol, string fullName)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass.HasFullName(fullName))
            {
                return attribute;
            }
        }

        return null;
    }

    private void Fail(string problem, bool unserializable = false)
    {
        Problem = problem;
        ProblemIsUnserializable = unserializable;
        ProblemWorksUnderJit = false;
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
}
