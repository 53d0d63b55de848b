using System;
using System.Threading;

namespace CachedGen;

/// <summary>
/// The cache's view of the source call in progress: code called by a cached method on a miss (the repository's own
/// implementation) can decide, from the data it has, that the result must not be cached, or how long it lives.
/// <see cref="Current"/> is <see langword="null"/> anywhere else, so code that never reads it pays nothing on a hit.
/// </summary>
/// <example>
/// A result that is incomplete because an upstream call failed is served, but not cached:
/// <code>
/// public async Task&lt;Product?&gt; GetAsync(int id, CancellationToken ct)
/// {
///     var product = await _db.FindAsync(id, ct);
///     try { product = product with { Stock = await _stock.GetAsync(id, ct) }; }
///     catch (HttpRequestException) { CacheContext.Current?.DoNotCache(); }
///     return product;
/// }
/// </code>
/// </example>
public sealed class CacheContext
{
    private static readonly AsyncLocal<CacheContext?> s_current = new();
    private TimeSpan? _ttl;

    internal CacheContext(string methodId, TimeSpan ttl)
    {
        MethodId = methodId;
        DefaultTtl = ttl;
    }

    /// <summary>The source call CachedGen is making in this async flow (synchronous or asynchronous), or
    /// <see langword="null"/> outside one: on a hit, in a write, or in code no cached method called.</summary>
    public static CacheContext? Current => s_current.Value;

    /// <summary>The cached method whose miss called the source, such as <c>Shop.IProductRepository.GetAsync</c>.</summary>
    public string MethodId { get; }

    /// <summary>Whether the result will be cached (<see langword="false"/> once <see cref="DoNotCache"/> was called).</summary>
    public bool WillCache { get; private set; } = true;

    /// <summary>The lifetime the result is cached for: the method's TTL unless set. Setting it shortens or lengthens this
    /// one result's life in Redis and in L1 (L1 never keeps it longer than the method's <c>LocalTtl</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative (use <see cref="DoNotCache"/>).</exception>
    public TimeSpan Ttl
    {
        get => _ttl ?? DefaultTtl;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _ttl = value;
        }
    }

    /// <summary>The method's TTL (the attribute's, or its configured override).</summary>
    internal TimeSpan DefaultTtl { get; }

    /// <summary>The TTL set by the source, if any.</summary>
    internal TimeSpan? OverriddenTtl => _ttl;

    /// <summary>The result is returned to the caller (and to callers waiting for the same load) but is written neither to
    /// L1 nor to Redis; the next call asks the source again.</summary>
    public void DoNotCache() => WillCache = false;

    /// <summary>Makes <paramref name="context"/> current for the source call started inside the returned scope. The value
    /// flows into the source's asynchronous continuations; the scope restores the caller's value.</summary>
    internal static Scope Enter(CacheContext context)
    {
        var previous = s_current.Value;
        s_current.Value = context;
        return new Scope(previous);
    }

    internal readonly struct Scope(CacheContext? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
