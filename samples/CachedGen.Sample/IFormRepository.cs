using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CachedGen;

namespace CachedGen.Sample;

// The CachedGen generator reads this interface at compile time and emits CachedFormRepository, a decorator that
// implements IFormRepository, serves [Cached] methods from L1/Redis and forwards everything else to the inner
// repository. AddCachedGen() puts that decorator in front of the registered IFormRepository.
public interface IFormRepository
{
    // Cached for an hour under "form:{formId}:schema". When UpdateSchemaAsync or DeleteFormAsync completes, the
    // decorator removes the entry whose key their own formId parameter names (matched by parameter name).
    [Cached("1h", "form:{formId}:schema", nameof(UpdateSchemaAsync), nameof(DeleteFormAsync))]
    Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default);

    // The writes have no {page} to fill this template with, so the pages carry a tag instead: every page of the
    // tenant's list goes at once when a write invalidates "tenant:{tenantId}:forms" (O(1), whatever the page count).
    [Cached("5m", "tenant:{tenantId}:forms:page:{page}", Tags = ["tenant:{tenantId}:forms"])]
    ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default);

    // The e-mail is personal data: it reaches the key only as a keyed HMAC ({email:hash}, which needs
    // CachedGenOptions.KeyHashSecret), and Sensitive = true encrypts the profile before it goes to Redis
    // (CachedGenOptions.ValueEncryptionKey).
    [Cached("30m", "user:{email:hash}:profile", Sensitive = true)]
    Task<UserProfile?> GetProfileAsync([PersonalData] string email, CancellationToken ct = default);

    // Not cached: always forwarded to the inner repository (then they invalidate, see above). A renamed form
    // changes the tenant's list too: the tag takes every cached page of it.
    [InvalidatesTags("tenant:{tenantId}:forms")]
    Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default);

    Task DeleteFormAsync(int formId, CancellationToken ct = default);
}
