using System;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.WebApi.Catalog;

/// <summary>Customers, looked up by e-mail: personal data in the key and in the value.</summary>
public interface ICustomerRepository
{
    /// <summary>
    /// The e-mail reaches the Redis key only as a keyed HMAC (<c>{email:hash}</c>, needs <c>CachedGen:KeyHashSecret</c>),
    /// and <c>Sensitive = true</c> encrypts the value before it goes to Redis (needs <c>CachedGen:ValueEncryptionKey</c>).
    /// On L1 only neither secret is needed: nothing leaves the process.
    /// </summary>
    [Cached("5m", "tenant:{tenantId}:customer:{email:hash}", Sensitive = true)]
    Task<CustomerDto?> FindByEmailAsync(Guid tenantId, [PersonalData] string email, CancellationToken ct = default);
}
