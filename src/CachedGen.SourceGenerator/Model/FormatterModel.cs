namespace CachedGen.SourceGenerator.Model;

/// <summary>The MessagePack formatters one assembly's generated resolver holds: one class per type written by a
/// generated formatter, and an entry per framework type (collection, nullable, enum) or type with its own formatter.
/// Strings and equatable arrays only, like <see cref="DecoratorModel"/>.</summary>
internal sealed record FormattersModel
{
    public static readonly FormattersModel Empty = new()
    {
        Objects = EquatableArray<ObjectFormatterModel>.Empty,
        Entries = EquatableArray<FormatterEntryModel>.Empty,
    };

    public required EquatableArray<ObjectFormatterModel> Objects { get; init; }

    public required EquatableArray<FormatterEntryModel> Entries { get; init; }

    /// <summary>The diagnostic ids of the <c>[Experimental]</c> types, members and constructors the formatters name,
    /// sorted: the file disables them, as it disables CS0612 and CS0618.</summary>
    public EquatableArray<string> ExperimentalIds { get; init; }
}

/// <summary>A generated formatter: the type it writes and its members in the order they are written.</summary>
internal sealed record ObjectFormatterModel
{
    /// <summary>Fully qualified, without nullable annotations (<c>global::Forms.FormSchema</c>).</summary>
    public required string TypeName { get; init; }

    /// <summary>The nested class's name (<c>Forms_FormSchemaFormatter</c>).</summary>
    public required string FormatterName { get; init; }

    public required bool IsValueType { get; init; }

    /// <summary>A class other classes may derive from: the write checks that the value is of this very type (a derived
    /// value would be written, and read back on other nodes, as this type).</summary>
    public bool CanBeDerived { get; init; }

    /// <summary>An array indexed by <c>[Key(int)]</c> (then <see cref="ArrayLength"/> slots); else a map by name.</summary>
    public required bool ArrayLayout { get; init; }

    public required int ArrayLength { get; init; }

    /// <summary>Whether a read calls a constructor (with <see cref="ConstructorArity"/> arguments); a struct without one
    /// starts from its default.</summary>
    public required bool HasConstructor { get; init; }

    public required int ConstructorArity { get; init; }

    /// <summary>The constructor is a non-public parameterless one, called through an <c>[UnsafeAccessor]</c>.</summary>
    public bool ConstructorIsNonPublic { get; init; }

    public required EquatableArray<FormattedMemberModel> Members { get; init; }

    /// <summary>A written member may not be set back (see <c>FormatterRules.ObjectShape.VerifiesRoundTrip</c>): the
    /// write asks for the value to be read back and compared before it goes to Redis.</summary>
    public bool VerifiesRoundTrip { get; init; }
}

/// <summary>One serialized member of an <see cref="ObjectFormatterModel"/>.</summary>
internal sealed record FormattedMemberModel
{
    /// <summary>The member as C# names it (escaped when a keyword).</summary>
    public required string Name { get; init; }

    /// <summary>The map key, or the array index as text.</summary>
    public required string Key { get; init; }

    public required string TypeName { get; init; }

    /// <summary>The <c>MessagePackReader.Read{Inline}</c> method of a type written inline (<c>Int32</c>, <c>String</c>),
    /// or empty: the resolver's formatter writes it.</summary>
    public required string Inline { get; init; }

    /// <summary>Its constructor argument's position, or -1.</summary>
    public required int ConstructorParameter { get; init; }

    /// <summary>Set in the object initializer after construction.</summary>
    public required bool Settable { get; init; }

    /// <summary>Set through an <c>[UnsafeAccessor]</c>: <c>"Method"</c> (a non-public or init-only setter) or
    /// <c>"Field"</c> (a backing or read-only field); empty when set directly.</summary>
    public string Accessor { get; init; } = "";

    /// <summary>The setter's or field's metadata name the accessor names.</summary>
    public string AccessorTarget { get; init; } = "";

    /// <summary>The member's declaring type (the accessor's first parameter).</summary>
    public string DeclaringTypeName { get; init; } = "";
}

/// <summary>A type the generated resolver hands out a formatter for that is not a generated class.</summary>
internal sealed record FormatterEntryModel(string TypeName, string Creation);
