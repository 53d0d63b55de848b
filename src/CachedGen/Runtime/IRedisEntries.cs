using System;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// What a <see cref="CachedMethod{TKey, TValue}"/> needs from L2: entries, their leases, fills under a lease, and
/// invalidations. <see cref="RedisLevel"/> is the implementation (every operation bounded, behind the circuit breaker,
/// never throwing); unit tests put an in-process one behind <see cref="CacheRuntime"/> to drive the method's logic
/// without Redis. Tag generations, the backplane and the connection stay on <see cref="RedisLevel"/>.
/// </summary>
internal interface IRedisEntries
{
    /// <summary>The payload under <paramref name="key"/>, or <see langword="null"/> (absent, or Redis failed).</summary>
    ValueTask<Lease<byte>?> GetAsync(RedisKey key, string method);

    /// <summary>Starts a GET when L2 is usable right now; see <see cref="RedisLevel.TryStartGet"/>.</summary>
    bool TryStartGet(RedisKey key, out Task<Lease<byte>?> pending, out ValueTask<Lease<byte>?> bounded);

    void OnGetSucceeded();

    void OnGetFailed(Exception exception, Task pending, string method);

    ValueTask<bool> DeleteAsync(RedisKey key, string method);

    /// <summary>The value if present (and not past its logical expiry when <paramref name="nowUnixMs"/> is not 0), else
    /// the lease for <paramref name="token"/> if nobody holds it.</summary>
    ValueTask<LeaseResult> GetOrLeaseAsync(RedisKey valueKey, RedisKey leaseKey, string token, long leaseMs, long nowUnixMs, string method);

    ValueTask<bool> TryLeaseAsync(RedisKey leaseKey, string token, long leaseMs, string method);

    /// <summary>Writes the value only while <paramref name="token"/> holds the lease, and releases it.</summary>
    ValueTask<FillOutcome> FillAsync(RedisKey valueKey, RedisKey leaseKey, string token, ReadOnlyMemory<byte> value, TimeSpan expiry, string method);

    ValueTask ReleaseAsync(RedisKey leaseKey, string token, string method);

    /// <summary>Deletes the value and its lease, and announces it on <paramref name="backplane"/>.</summary>
    ValueTask<bool> InvalidateAsync(RedisKey valueKey, RedisKey leaseKey, Backplane? backplane, string method, string? announcedKey = null);

    /// <summary>Leaves a write-through's mark before its write runs; see <see cref="RedisLevel.MarkPutAsync"/>.</summary>
    ValueTask<bool> MarkPutAsync(RedisKey markKey, string token, TimeSpan lifetime, string method);

    /// <summary>Writes the value over any other while the put's mark holds <paramref name="token"/> (else deletes it),
    /// deletes its lease and mark, and announces it on <paramref name="backplane"/>; see <see cref="RedisLevel.PutAsync"/>.</summary>
    ValueTask<bool?> PutAsync(RedisKey valueKey, RedisKey leaseKey, ReadOnlyMemory<byte> value, TimeSpan expiry, Backplane? backplane, string method, string announcedKey, string token);

    // Batch reads. The defaults run one operation per key; RedisLevel runs one round trip per hash slot, in parallel.

    /// <summary>The payloads under <paramref name="keys"/>, <see langword="null"/> where absent or where Redis failed.</summary>
    async ValueTask<byte[]?[]> GetManyAsync(RedisKey[] keys, string method)
    {
        var payloads = new byte[]?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            using var lease = await GetAsync(keys[i], method).ConfigureAwait(false);
            payloads[i] = lease?.Memory.ToArray();
        }

        return payloads;
    }

    /// <summary><see cref="GetOrLeaseAsync"/> for each pair of keys, under one token.</summary>
    async ValueTask<LeaseResult[]> GetOrLeaseManyAsync(RedisKey[] valueKeys, RedisKey[] leaseKeys, string token, long leaseMs, long nowUnixMs, string method)
    {
        var results = new LeaseResult[valueKeys.Length];
        for (var i = 0; i < valueKeys.Length; i++)
        {
            results[i] = await GetOrLeaseAsync(valueKeys[i], leaseKeys[i], token, leaseMs, nowUnixMs, method).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary><see cref="FillAsync"/> for each pair of keys, under one token.</summary>
    async ValueTask<FillOutcome[]> FillManyAsync(RedisKey[] valueKeys, RedisKey[] leaseKeys, string token, ReadOnlyMemory<byte>[] values, TimeSpan[] expiries, string method)
    {
        var outcomes = new FillOutcome[valueKeys.Length];
        for (var i = 0; i < valueKeys.Length; i++)
        {
            outcomes[i] = await FillAsync(valueKeys[i], leaseKeys[i], token, values[i], expiries[i], method).ConfigureAwait(false);
        }

        return outcomes;
    }

    /// <summary><see cref="ReleaseAsync"/> for each lease key.</summary>
    async ValueTask ReleaseManyAsync(RedisKey[] leaseKeys, string token, string method)
    {
        foreach (var leaseKey in leaseKeys)
        {
            await ReleaseAsync(leaseKey, token, method).ConfigureAwait(false);
        }
    }
}
