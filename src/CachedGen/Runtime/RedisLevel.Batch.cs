using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace CachedGen.Runtime;

// Batch reads (CachedMethod.Batch.cs): one MGET, one lease script and one fill script per hash slot. On a standalone or
// Sentinel server every key is in one group, so each is one round trip; on a cluster the groups run in parallel.
internal sealed partial class RedisLevel
{
    // GET-or-lease for triples of keys (value, lease, waited mark): 2 and the value when present (and not past its logical
    // expiry when ARGV[3] is not 0), else 1 when this caller took the lease, 0 when another holds it (the wait is then
    // marked, as GetOrLeaseScript does, so the holder's fill announces itself); with either, the expired value.
    private static readonly RedisScript GetOrLeaseManyScript = new("""
        local r = {}
        for i = 1, #KEYS, 3 do
          local v = redis.call('GET', KEYS[i])
          if v and (ARGV[3] == '0' or string.len(v) < 22 or struct.unpack('<i8', v, 15) > tonumber(ARGV[3])) then
            r[#r + 1] = 2
          elseif redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
            r[#r + 1] = 1
          else
            redis.call('SET', KEYS[i + 2], 'w', 'PX', ARGV[2])
            r[#r + 1] = 0
          end
          r[#r + 1] = v or false
        end
        return r
        """);

    private static readonly RedisScript ReleaseManyScript = new("""
        for _, k in ipairs(KEYS) do
          if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k) end
        end
        return 1
        """);

    /// <summary>The payloads under <paramref name="keys"/>: one <c>MGET</c> per hash slot (one in all on a standalone
    /// server), the groups in parallel; <see langword="null"/> where absent or where the group's read failed.</summary>
    public async ValueTask<byte[]?[]> GetManyAsync(RedisKey[] keys, string method)
    {
        var payloads = new byte[]?[keys.Length];
        var groups = GroupBySlot(keys);
        var reads = new ValueTask<RedisValue[]?>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            reads[g] = RunAsync("MGET", method, (RedisValue[]?)null, Pick(keys, groups[g]), static (db, k) => db.StringGetAsync(k), static v => (RedisValue[]?)v);
        }

        for (var g = 0; g < groups.Count; g++)
        {
            if (await reads[g].ConfigureAwait(false) is not { } values)
            {
                continue;
            }

            var group = groups[g];
            for (var i = 0; i < group.Length && i < values.Length; i++)
            {
                payloads[group[i]] = values[i].IsNull ? null : (byte[]?)values[i];
            }
        }

        return payloads;
    }

    /// <summary>For each pair of keys: the value if present, else the lease for <paramref name="token"/> if nobody holds
    /// it; one script per hash slot, in parallel. A group Redis could not run is <see cref="LeaseOutcome.Unavailable"/>.</summary>
    public async ValueTask<LeaseResult[]> GetOrLeaseManyAsync(RedisKey[] valueKeys, RedisKey[] leaseKeys, string token, long leaseMs, long nowUnixMs, string method)
    {
        var results = new LeaseResult[valueKeys.Length];
        var groups = GroupBySlot(valueKeys);
        var runs = new ValueTask<RedisResult[]?>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            runs[g] = RunAsync(
                "LEASE",
                method,
                (RedisResult[]?)null,
                (Keys: Triples(valueKeys, leaseKeys, groups[g]), Args: new RedisValue[] { token, leaseMs, nowUnixMs }),
                static (db, s) => EvaluateAsync(db, GetOrLeaseManyScript, s.Keys, s.Args),
                static result => (RedisResult[]?)result);
        }

        for (var g = 0; g < groups.Count; g++)
        {
            if (await runs[g].ConfigureAwait(false) is not { } parts)
            {
                continue;
            }

            var group = groups[g];
            for (var i = 0; i < group.Length && 2 * i + 1 < parts.Length; i++)
            {
                var payload = parts[2 * i + 1].IsNull ? null : (byte[]?)parts[2 * i + 1];
                results[group[i]] = (long)parts[2 * i] switch
                {
                    2 => new LeaseResult(LeaseOutcome.Value, payload, null),
                    1 => new LeaseResult(LeaseOutcome.Acquired, null, payload),
                    _ => new LeaseResult(LeaseOutcome.Held, null, payload),
                };
            }
        }

        return results;
    }

    /// <summary>Writes each value whose lease <paramref name="token"/> still holds, and releases those leases; one script
    /// per hash slot, in parallel.</summary>
    public async ValueTask<FillOutcome[]> FillManyAsync(RedisKey[] valueKeys, RedisKey[] leaseKeys, string token, ReadOnlyMemory<byte>[] values, TimeSpan[] expiries, string method)
    {
        var outcomes = new FillOutcome[valueKeys.Length];
        var groups = GroupBySlot(valueKeys);
        var runs = new ValueTask<RedisResult[]?>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            var args = FillArgs(token, method, group.Length, values[group[0]], expiries[group[0]]);
            for (var i = 1; i < group.Length; i++)
            {
                SetFillArgs(args, i, values[group[i]], expiries[group[i]]);
            }

            runs[g] = RunAsync(
                "FILL",
                method,
                (RedisResult[]?)null,
                (Keys: Triples(valueKeys, leaseKeys, group), Args: args),
                static (db, s) => EvaluateAsync(db, FillScript, s.Keys, s.Args),
                static result => (RedisResult[]?)result);
        }

        for (var g = 0; g < groups.Count; g++)
        {
            if (await runs[g].ConfigureAwait(false) is not { } written)
            {
                continue; // Failed (the default)
            }

            var group = groups[g];
            for (var i = 0; i < group.Length && i < written.Length; i++)
            {
                outcomes[group[i]] = (long)written[i] == 1 ? FillOutcome.Written : FillOutcome.LeaseLost;
            }
        }

        return outcomes;
    }

    /// <summary>Gives back the leases <paramref name="token"/> still holds; one script per hash slot.</summary>
    public async ValueTask ReleaseManyAsync(RedisKey[] leaseKeys, string token, string method)
    {
        var groups = GroupBySlot(leaseKeys);
        var runs = new ValueTask<bool>[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            runs[g] = RunAsync("RELEASE", method, false, (Keys: Pick(leaseKeys, groups[g]), Token: token), static (db, s) => EvaluateAsync(db, ReleaseManyScript, s.Keys, [s.Token]), static _ => true);
        }

        for (var g = 0; g < groups.Count; g++)
        {
            await runs[g].ConfigureAwait(false);
        }
    }

    /// <summary>The indexes of <paramref name="keys"/> grouped by hash slot, in first-seen order: one group on a server
    /// that is not a cluster (StackExchange.Redis gives every key "no slot" there), or before the connection is made.</summary>
    private List<int[]> GroupBySlot(RedisKey[] keys)
    {
        if (Multiplexer is not { } multiplexer || keys.Length < 2)
        {
            return [All(keys.Length)];
        }

        var first = multiplexer.HashSlot(keys[0]);
        var same = true;
        for (var i = 1; i < keys.Length && same; i++)
        {
            same = multiplexer.HashSlot(keys[i]) == first;
        }

        if (same)
        {
            return [All(keys.Length)];
        }

        var bySlot = new Dictionary<int, List<int>>();
        var order = new List<List<int>>();
        for (var i = 0; i < keys.Length; i++)
        {
            var slot = multiplexer.HashSlot(keys[i]);
            if (!bySlot.TryGetValue(slot, out var members))
            {
                bySlot[slot] = members = [];
                order.Add(members);
            }

            members.Add(i);
        }

        return order.ConvertAll(static m => m.ToArray());
    }

    private static int[] All(int count)
    {
        var all = new int[count];
        for (var i = 0; i < count; i++)
        {
            all[i] = i;
        }

        return all;
    }

    private static RedisKey[] Pick(RedisKey[] keys, int[] group)
    {
        if (group.Length == keys.Length)
        {
            return keys;
        }

        var picked = new RedisKey[group.Length];
        for (var i = 0; i < group.Length; i++)
        {
            picked[i] = keys[group[i]];
        }

        return picked;
    }

    /// <summary>The value, lease and waited-mark keys of each element of <paramref name="group"/>, in that order (one hash
    /// slot: the lease and its mark share the value's hash tag).</summary>
    private static RedisKey[] Triples(RedisKey[] valueKeys, RedisKey[] leaseKeys, int[] group)
    {
        var triples = new RedisKey[3 * group.Length];
        for (var i = 0; i < group.Length; i++)
        {
            triples[3 * i] = valueKeys[group[i]];
            triples[3 * i + 1] = leaseKeys[group[i]];
            triples[3 * i + 2] = WaitedKey(leaseKeys[group[i]]);
        }

        return triples;
    }
}
