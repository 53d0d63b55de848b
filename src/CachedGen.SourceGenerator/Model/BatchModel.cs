namespace CachedGen.SourceGenerator.Model;

/// <summary>What makes a cached method a batch method (<c>{ids[]}</c>, docs/batch.md): its collection parameter, the
/// element and dictionary types, and the single-item twin whose entries (and runtime cache) it shares.</summary>
internal sealed record BatchModel
{
    /// <summary>The collection parameter (escaped name).</summary>
    public required string ParameterName { get; init; }

    /// <summary>The element type, the dictionary's key.</summary>
    public required string ElementType { get; init; }

    /// <summary>The declared dictionary type (<c>IReadOnlyDictionary&lt;int, Product&gt;</c>).</summary>
    public required string ResultType { get; init; }

    /// <summary>How the loader builds the declared collection from the array of missing elements: <c>""</c> (the array
    /// itself), <c>"List"</c> or <c>"HashSet"</c>.</summary>
    public required string Conversion { get; init; }

    /// <summary>The position of the batch placeholder's value in the key tuple.</summary>
    public required int KeyElement { get; init; }

    /// <summary>The field of the twin's runtime cache when the batch shares it; <see langword="null"/> when the batch
    /// has entries of its own.</summary>
    public string? TwinFieldName { get; init; }

    /// <summary>The twin's member name (its field, and the generated comment, name it).</summary>
    public string? TwinName { get; init; }
}
