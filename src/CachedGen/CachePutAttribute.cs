using System;

namespace CachedGen;

/// <summary>
/// Write-through (Spring's <c>@CachePut</c>): on a write method that returns the new value, puts that value in the entry
/// of each named cached method instead of removing it, in Redis and in L1 (other nodes drop their L1 copy and read the
/// new value from Redis). The write's parameters fill the cached method's key template by name, as for
/// <c>invalidatedBy</c>, and its result type must convert to the cached type.
/// </summary>
/// <remarks>
/// <code>
/// [Cached("1h", "form:{formId}:schema")]
/// Task&lt;FormSchema?&gt; GetSchemaAsync(int formId, CancellationToken ct = default);
///
/// [CachePut(nameof(GetSchemaAsync))]
/// Task&lt;FormSchema&gt; SaveSchemaAsync(int formId, FormSchema schema, CancellationToken ct = default);
/// </code>
/// Two writes of the same entry on different nodes at the same moment may reach Redis in either order (the last put
/// wins, which may not be the last write in the database): for entries written concurrently, invalidation
/// (<c>invalidatedBy</c>) is the safe choice. See docs/consistency.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CachePutAttribute : Attribute
{
    /// <summary>Puts the write's result in the entries of <paramref name="methods"/> (cached methods of the same
    /// interface; use <c>nameof</c>).</summary>
    public CachePutAttribute(params string[] methods) => Methods = methods ?? [];

    /// <summary>The cached methods whose entry the result replaces.</summary>
    public string[] Methods { get; }
}
