using System;

namespace CachedGen;

/// <summary>
/// On a write method of a decorated interface: when it completes successfully, every cached entry carrying one of
/// these tags is invalidated, on every node, in O(1) (see <see cref="CachedAttribute.Tags"/>).
/// </summary>
/// <remarks>
/// Tag templates use the key template syntax; placeholders name the write method's parameters or their members
/// (<c>{command.TenantId}</c>, <c>{email:hash}</c>):
/// <code>
/// [Cached("5m", "tenant:{tenantId}:forms:page:{page}", Tags = ["tenant:{tenantId}:forms"])]
/// ValueTask&lt;IReadOnlyList&lt;FormSummary&gt;&gt; ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default);
///
/// [InvalidatesTags("tenant:{tenantId}:forms")]
/// Task CreateFormAsync(Guid tenantId, FormSchema schema, CancellationToken ct = default);
/// </code>
/// From outside a repository, <see cref="ICacheInvalidator.InvalidateTagAsync(ref Runtime.CacheTagHandler)"/> does the same.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class InvalidatesTagsAttribute : Attribute
{
    /// <summary>Invalidates the entries carrying any of <paramref name="tags"/> after a successful call.</summary>
    /// <param name="tags">Tag templates, such as <c>tenant:{tenantId}:forms</c>.</param>
    public InvalidatesTagsAttribute(params string[] tags) => Tags = tags ?? [];

    /// <summary>The tag templates.</summary>
    public string[] Tags { get; }
}
