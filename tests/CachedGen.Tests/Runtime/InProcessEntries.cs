using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using StackExchange.Redis;

namespace CachedGen.Tests.Runtime;

/// <summary>
/// An in-process L2 for unit tests of <see cref="CachedMethod{TKey, TValue}"/>'s logic: values and leases with physical
/// expiries on the test's clock, the lease taken only when free, fills only under the holder's token. Redis's own
/// semantics (scripts, cluster, failures) are covered by the integration tests against real servers.
/// </summary>
internal sealed class InProcessEntries(TimeProvider time) : IRedisEntries
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (byte[] Value, DateTimeOffset Until)> _values = new();
    private readonly Dictionary<string, (string Token, DateTimeOffset Until)> _leases = new();

    public int Fills { get; private set; }

    public bool Has(string key)
    {
        lock (_gate)
        {
            return Value(key) is not null;
        }
    }

    public ValueTask<Lease<byte>?> GetAsync(RedisKey key, string method)
    {
        lock (_gate)
        {
            return new ValueTask<Lease<byte>?>(Value(key) is { } value ? Copy(value) : null);
        }
    }

    public bool TryStartGet(RedisKey key, out Task<Lease<byte>?> pending, out ValueTask<Lease<byte>?> bounded)
    {
        (pending, bounded) = (null!, default);
        return false;
    }

    public void OnGetSucceeded()
    {
    }

    public void OnGetFailed(Exception exception, Task pending, string method)
    {
    }

    public ValueTask<bool> DeleteAsync(RedisKey key, string method)
    {
        lock (_gate)
        {
            return new ValueTask<bool>(_values.Remove(key.ToString()));
        }
    }

    public ValueTask<LeaseResult> GetOrLeaseAsync(RedisKey valueKey, RedisKey leaseKey, string token, long leaseMs, long nowUnixMs, string method)
    {
        lock (_gate)
        {
            byte[]? stale = null;
            if (Value(valueKey) is { } value)
            {
                if (nowUnixMs == 0 || !PayloadEnvelope.TryReadExpiry(value, out var expires) || expires > nowUnixMs)
                {
                    return new ValueTask<LeaseResult>(new LeaseResult(LeaseOutcome.Value, value, null));
                }

                stale = value;
            }

            if (Lease(leaseKey) is not null)
            {
                return new ValueTask<LeaseResult>(new LeaseResult(LeaseOutcome.Held, null, stale));
            }

            _leases[leaseKey.ToString()] = (token, time.GetUtcNow().AddMilliseconds(leaseMs));
            return new ValueTask<LeaseResult>(new LeaseResult(LeaseOutcome.Acquired, null, stale));
        }
    }

    /// <summary>Runs before each <see cref="TryLeaseAsync"/>: what another node does between a read and a lease.</summary>
    public Func<Task>? BeforeLease { get; set; }

    public async ValueTask<bool> TryLeaseAsync(RedisKey leaseKey, string token, long leaseMs, string method)
    {
        if (BeforeLease is { } before)
        {
            await before();
        }

        return TakeLease(leaseKey, token, leaseMs);
    }

    private bool TakeLease(RedisKey leaseKey, string token, long leaseMs)
    {
        lock (_gate)
        {
            if (Lease(leaseKey) is not null)
            {
                return false;
            }

            _leases[leaseKey.ToString()] = (token, time.GetUtcNow().AddMilliseconds(leaseMs));
            return true;
        }
    }

    public ValueTask<FillOutcome> FillAsync(RedisKey valueKey, RedisKey leaseKey, string token, ReadOnlyMemory<byte> value, TimeSpan expiry, string method)
    {
        lock (_gate)
        {
            if (Lease(leaseKey) != token)
            {
                return new ValueTask<FillOutcome>(FillOutcome.LeaseLost);
            }

            _leases.Remove(leaseKey.ToString());
            _values[valueKey.ToString()] = (value.ToArray(), time.GetUtcNow() + expiry);
            Fills++;
            return new ValueTask<FillOutcome>(FillOutcome.Written);
        }
    }

    public ValueTask ReleaseAsync(RedisKey leaseKey, string token, string method)
    {
        lock (_gate)
        {
            if (Lease(leaseKey) == token)
            {
                _leases.Remove(leaseKey.ToString());
            }
        }

        return default;
    }

    /// <summary>While set, invalidations and puts change nothing and report failure, as when Redis cannot be reached.</summary>
    public bool RefusesWrites { get; set; }

    public ValueTask<bool> InvalidateAsync(RedisKey valueKey, RedisKey leaseKey, Backplane? backplane, string method, string? announcedKey = null)
    {
        if (RefusesWrites)
        {
            return new ValueTask<bool>(false);
        }

        lock (_gate)
        {
            _values.Remove(valueKey.ToString());
            _leases.Remove(leaseKey.ToString());
            _putMarks.Remove(RedisLevel.PutMarkKey(announcedKey ?? valueKey.ToString()));
        }

        return new ValueTask<bool>(true);
    }

    private readonly Dictionary<string, string> _putMarks = new(StringComparer.Ordinal);

    public ValueTask<bool> MarkPutAsync(RedisKey markKey, string token, TimeSpan lifetime, string method)
    {
        if (RefusesWrites)
        {
            return new ValueTask<bool>(false);
        }

        lock (_gate)
        {
            _putMarks[markKey.ToString()] = token;
        }

        return new ValueTask<bool>(true);
    }

    /// <summary>Runs after each put is applied, before it returns: what happens between a put's reply and the writer's
    /// next step.</summary>
    public Func<Task>? AfterPut { get; set; }

    public async ValueTask<bool?> PutAsync(RedisKey valueKey, RedisKey leaseKey, ReadOnlyMemory<byte> value, TimeSpan expiry, Backplane? backplane, string method, string announcedKey, string token)
    {
        var outcome = Put(valueKey, leaseKey, value, expiry, announcedKey, token);
        if (AfterPut is { } after)
        {
            await after();
        }

        return outcome;
    }

    private bool? Put(RedisKey valueKey, RedisKey leaseKey, ReadOnlyMemory<byte> value, TimeSpan expiry, string announcedKey, string token)
    {
        if (RefusesWrites)
        {
            return null;
        }

        lock (_gate)
        {
            var markKey = RedisLevel.PutMarkKey(announcedKey);
            var marked = _putMarks.TryGetValue(markKey, out var held) && held == token;
            _leases.Remove(leaseKey.ToString());
            _putMarks.Remove(markKey);
            if (token.Length > 0 && !marked)
            {
                _values.Remove(valueKey.ToString());
                return false;
            }

            _values[valueKey.ToString()] = (value.ToArray(), time.GetUtcNow() + expiry);
        }

        return true;
    }

    private byte[]? Value(RedisKey key)
        => _values.TryGetValue(key.ToString(), out var entry) && entry.Until > time.GetUtcNow() ? entry.Value : null;

    private string? Lease(RedisKey key)
        => _leases.TryGetValue(key.ToString(), out var lease) && lease.Until > time.GetUtcNow() ? lease.Token : null;

    private static Lease<byte> Copy(byte[] value)
    {
        var lease = Lease<byte>.Create(value.Length, clear: false);
        value.CopyTo(lease.Memory.Span);
        return lease;
    }
}
