namespace CachedGen.Runtime;

// Caching decided by the data: [Cached(CacheNull = false)] and the source's own CacheContext.Current.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>The context a source call runs under (see <see cref="CacheContext.Current"/>).</summary>
    private CacheContext NewContext() => new(Descriptor.MethodId, _policy.Ttl);

    /// <summary>Whether a loaded value is stored: the source did not call <see cref="CacheContext.DoNotCache"/>, and it is
    /// not a null the method keeps out of the cache.</summary>
    private bool Keeps(TValue value, CacheContext context) => context.WillCache && (value is not null || Descriptor.CacheNull);

    /// <summary>The policy a loaded value is stored under: the method's, or with the TTL its source set.</summary>
    private MethodPolicy PolicyFor(CacheContext context) => context.OverriddenTtl is { } ttl ? _policy.WithTtl(ttl) : _policy;
}
