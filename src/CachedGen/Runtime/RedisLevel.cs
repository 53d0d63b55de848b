using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// The Redis L2. Every operation is bounded by <see cref="CachedGenOptions.RedisOperationTimeout"/>, passes through the
/// circuit breaker, and never throws: a failure or timeout is logged (while the circuit is closed) and reported as
/// "no value" / "not written", and the call goes on without L2.
/// </summary>
internal sealed partial class RedisLevel : IRedisEntries, IAsyncDisposable
{
    private readonly Task<IConnectionMultiplexer> _connection;
    private readonly bool _ownsConnection;
    private readonly TimeSpan _budget;
    private readonly ILogger _logger;
    private IDatabase? _database;

    private readonly CacheMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly BoundedReadSweeper _sweeper;

    public RedisLevel(Task<IConnectionMultiplexer> connection, bool ownsConnection, CachedGenOptions options, ILogger logger, CacheMetrics metrics, RuntimeClock clock)
    {
        _time = clock.Provider;
        _sweeper = new BoundedReadSweeper(clock);
        _metrics = metrics;
        _connection = connection;
        _ownsConnection = ownsConnection;
        _budget = options.RedisOperationTimeout;
        _logger = logger;
        Breaker = new CircuitBreaker(Math.Max(1, options.CircuitBreakerThreshold), options.CircuitBreakerDuration, clock.Provider, logger);
        // A connect that failed, or a multiplexer handed over unconnected (abortConnect=false, as UseRedis(string) and
        // most hosts configure it: it keeps retrying in the background): either way the node starts on L1 only.
        _connection.ContinueWith(
            static (t, state) =>
            {
                if (t.IsFaulted)
                {
                    Log.RedisConnectFailed((ILogger)state!, t.Exception!.GetBaseException());
                }
                else if (t.IsCompletedSuccessfully && !t.Result.IsConnected)
                {
                    _ = LogWhyNotConnectedAsync(t.Result, (ILogger)state!);
                }
            },
            logger,
            TaskContinuationOptions.NotOnCanceled | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>How long a multiplexer handed over unconnected has to answer the <c>PING</c> that asks it why.</summary>
    private static readonly TimeSpan WhyNotConnectedWait = TimeSpan.FromSeconds(1);

    /// <summary>Logs 1006 for a multiplexer handed over unconnected, with the cause its client knows: a <c>PING</c> fails
    /// with the connection's last failure as the inner exception (<c>NOAUTH</c> for a wrong password, a refused
    /// connection, a TLS error), which the multiplexer does not say otherwise once connected in the background. Nothing is
    /// logged when the <c>PING</c> is answered: the client has connected meanwhile.</summary>
    private static async Task LogWhyNotConnectedAsync(IConnectionMultiplexer multiplexer, ILogger logger)
    {
        Exception? cause = null;
        try
        {
            await multiplexer.GetDatabase().PingAsync().WaitAsync(WhyNotConnectedWait).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            // Commands wait for the connection (a backlog policy other than fail-fast): the cause is not known.
        }
        catch (Exception ex)
        {
            cause = ex;
        }

        Log.RedisConnectFailed(logger, cause);
    }

    public CircuitBreaker Breaker { get; }

    /// <summary>The connection, connecting or connected.</summary>
    public Task<IConnectionMultiplexer> Connection => _connection;

    /// <summary>The multiplexer once connected; <see langword="null"/> while connecting or after a failed connect.</summary>
    public IConnectionMultiplexer? Multiplexer => _connection.IsCompletedSuccessfully ? _connection.Result : null;

    public ValueTask<Lease<byte>?> GetAsync(RedisKey key, string method)
        => RunAsync("GET", method, (Lease<byte>?)null, key, static (db, k) => db.StringGetLeaseAsync(k), static lease => lease);

    /// <summary>
    /// Starts a GET when Redis is usable right now (connected, circuit closed or this call is the probe), returning the
    /// operation and its budget-bounded wait; the caller awaits <paramref name="bounded"/> and reports the outcome with
    /// <see cref="OnGetSucceeded"/> or <see cref="OnGetFailed"/>. This keeps an async wrapper off the L2 hit path;
    /// when it returns <see langword="false"/>, use <see cref="GetAsync"/>, which also waits for a connection in progress.
    /// </summary>
    public bool TryStartGet(RedisKey key, out Task<Lease<byte>?> pending, out ValueTask<Lease<byte>?> bounded)
    {
        pending = null!;
        bounded = default;
        if (_database is not { } db || !Breaker.TryEnter())
        {
            return false;
        }

        try
        {
            pending = db.StringGetLeaseAsync(key);
        }
        catch (Exception ex)
        {
            pending = Task.FromException<Lease<byte>?>(ex);
        }

        bounded = _sweeper.Start(pending, _budget);
        return true;
    }

    public void OnGetSucceeded() => Breaker.OnSuccess();

    public void OnGetFailed(Exception exception, Task pending, string method) => OnFailure(exception, pending, "GET", method);

    public ValueTask<bool> DeleteAsync(RedisKey key, string method)
        => RunAsync("DEL", method, false, key, static (db, k) => db.KeyDeleteAsync(k), static _ => true);

    // A miss: the value if another node wrote it meanwhile, else this caller's lease if nobody holds one. With the
    // fail-safe on (ARGV[3] = now, Unix ms), a value past its logical expiry (bytes 14-21 of the envelope, little
    // endian) does not count as found: the lease is taken as for a miss, and the expired payload comes back beside the
    // outcome for the fail-safe.
    // A caller that finds the lease held marks it as waited for (KEYS[3], the lease key + ":w", same slot, same lifetime,
    // value 'w') and learns the holder's token: the holder's fill then announces itself on the backplane with the value
    // it wrote and that token, and the waiter takes the value from the announcement instead of reading Redis again.
    private static readonly RedisScript GetOrLeaseScript = new("""
        local v = redis.call('GET', KEYS[1])
        if v and (ARGV[3] == '0' or string.len(v) < 22 or struct.unpack('<i8', v, 15) > tonumber(ARGV[3])) then return v end
        if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1, v} end
        redis.call('SET', KEYS[3], 'w', 'PX', ARGV[2])
        return {0, v, redis.call('GET', KEYS[2])}
        """);

    // Fills of triples of keys (value, lease, waited mark): each value written only while the loader's lease is still
    // there, then the lease released. An invalidation deletes the lease, so a value read from the source before a write
    // completed can never land in Redis after that write's invalidation. A written value whose mark is there (a waiter's
    // 'w', see GetOrLeaseScript, or an invalidation's follow marker) is announced on the backplane channel ARGV[2] when
    // one is given: with the value and the lease token (prefix ARGV[4]) when a waiter marked it and the value may be
    // carried (its third argument is not empty), else naming the key only (prefix ARGV[3]). ARGV[1] is the token and
    // ARGV[5] the method; the n-th triple (from 0) has its payload, lifetime and carry flag at ARGV[6 + 3n] onwards.
    // A single fill is a batch of one.
    private static readonly RedisScript FillScript = new("""
        local r = {}
        for i = 1, #KEYS, 3 do
          local a = 6 + (i - 1)
          if redis.call('GET', KEYS[i + 1]) == ARGV[1] then
            redis.call('SET', KEYS[i], ARGV[a], 'PX', ARGV[a + 1])
            redis.call('DEL', KEYS[i + 1])
            local w = redis.call('GET', KEYS[i + 2])
            if w then
              redis.call('DEL', KEYS[i + 2])
              if ARGV[2] ~= '' then
                if w == 'w' and ARGV[a + 2] ~= '' then
                  redis.call('PUBLISH', ARGV[2], ARGV[4] .. ARGV[5] .. '|' .. ARGV[1] .. '|' .. string.len(KEYS[i]) .. '|' .. KEYS[i] .. ARGV[a])
                else
                  redis.call('PUBLISH', ARGV[2], ARGV[3] .. ARGV[5] .. '|' .. KEYS[i])
                end
              end
            end
            r[#r + 1] = 1
          else
            r[#r + 1] = 0
          end
        end
        return r
        """);

    /// <summary>The backplane that announces fills other nodes wait for (<see langword="null"/>: they poll).</summary>
    public Backplane? FillNotices { get; set; }

    private static RedisKey WaitedKey(RedisKey leaseKey) => leaseKey.Append(":w");

    // Releases a lease this node holds (compare-and-delete), when its load failed.
    private static readonly RedisScript ReleaseScript = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """);

    /// <summary>After a GET miss: reads the value once more and, when still missing (or, with
    /// <paramref name="nowUnixMs"/> given, logically expired), tries to take the lease (<c>SET NX PX</c>) in the same
    /// round trip. Both keys share a hash slot (see <see cref="CachedMethod{TKey, TValue}.RenderKey(in TKey)"/>).</summary>
    public ValueTask<LeaseResult> GetOrLeaseAsync(RedisKey valueKey, RedisKey leaseKey, string token, long leaseMs, long nowUnixMs, string method)
        => RunAsync(
            "LEASE",
            method,
            default(LeaseResult),
            (Keys: new[] { valueKey, leaseKey, WaitedKey(leaseKey) }, Args: new RedisValue[] { token, leaseMs, nowUnixMs }),
            static (db, s) => EvaluateAsync(db, GetOrLeaseScript, s.Keys, s.Args),
            static result =>
            {
                if (result.Resp2Type != ResultType.Array)
                {
                    return new LeaseResult(LeaseOutcome.Value, (byte[]?)result, null);
                }

                var parts = (RedisResult[])result!;
                return (long)parts[0] == 1
                    ? new LeaseResult(LeaseOutcome.Acquired, null, parts[1].IsNull ? null : (byte[]?)parts[1])
                    : new LeaseResult(LeaseOutcome.Held, null, parts[1].IsNull ? null : (byte[]?)parts[1], parts.Length > 2 ? (string?)parts[2] : null);
            });

    /// <summary>Takes the lease without reading the value (an early refresh); <see langword="false"/> when another node
    /// holds it or Redis cannot be asked.</summary>
    public ValueTask<bool> TryLeaseAsync(RedisKey leaseKey, string token, long leaseMs, string method)
        => RunAsync("LEASE", method, false, (leaseKey, token, leaseMs), static (db, s) => db.StringSetAsync(s.leaseKey, s.token, TimeSpan.FromMilliseconds(s.leaseMs), When.NotExists), static taken => taken);

    /// <summary>Writes a loaded value if <paramref name="token"/> still holds the lease, and releases it.</summary>
    public ValueTask<FillOutcome> FillAsync(RedisKey valueKey, RedisKey leaseKey, string token, ReadOnlyMemory<byte> value, TimeSpan expiry, string method)
        => RunAsync(
            "FILL",
            method,
            FillOutcome.Failed,
            (Keys: new[] { valueKey, leaseKey, WaitedKey(leaseKey) }, Args: FillArgs(token, method, 1, value, expiry)),
            static (db, s) => EvaluateAsync(db, FillScript, s.Keys, s.Args),
            static result => (long)((RedisResult[])result!)[0] == 1 ? FillOutcome.Written : FillOutcome.LeaseLost);

    // The arguments of FillScript for `count` values, the first one given (the others are set with SetFillArgs). The
    // announcement is built by the script from its parts, so a fill nobody waits for builds no message.
    private RedisValue[] FillArgs(string token, string method, int count, ReadOnlyMemory<byte> first, TimeSpan firstExpiry)
    {
        var args = new RedisValue[5 + 3 * count];
        args[0] = token;
        args[1] = FillNotices?.ChannelName ?? "";
        args[2] = FillNotices?.FilledMessagePrefix ?? "";
        args[3] = FillNotices?.ValueMessagePrefix ?? "";
        args[4] = method;
        SetFillArgs(args, 0, first, firstExpiry);
        return args;
    }

    // The value rides along in the announcement only up to Backplane.MaxCarriedValueBytes: every subscribed node
    // receives the message.
    private static void SetFillArgs(RedisValue[] args, int index, ReadOnlyMemory<byte> value, TimeSpan expiry)
    {
        args[5 + 3 * index] = value;
        args[6 + 3 * index] = (long)Math.Max(1, expiry.TotalMilliseconds);
        args[7 + 3 * index] = value.Length <= Backplane.MaxCarriedValueBytes ? "1" : "";
    }

    /// <summary>Gives a lease back (only if <paramref name="token"/> still holds it) so waiters need not wait it out.</summary>
    public async ValueTask ReleaseAsync(RedisKey leaseKey, string token, string method)
        => await RunAsync("RELEASE", method, false, (leaseKey, token), static (db, s) => EvaluateAsync(db, ReleaseScript, [s.leaseKey], [s.token]), static _ => true).ConfigureAwait(false);

    // An invalidation: the value and its lease go, then the other nodes hear of it. One script, so the message cannot
    // overtake the delete (a node that heard it first could read the old value back into its L1). With ARGV[3] > 0
    // (other nodes follow changes, CachedGenOptions.FollowRemoteChanges) the next fill is marked as waited for
    // (KEYS[3], see GetOrLeaseScript) for that many milliseconds: it then announces itself, and the nodes whose L1 copy
    // the invalidation made stale read the new value from Redis before their next call needs it.
    private static readonly RedisScript InvalidateScript = new("""
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[4])
        if ARGV[1] ~= '' then
          redis.call('PUBLISH', ARGV[1], ARGV[2])
          if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[3], '1', 'PX', ARGV[3]) end
        end
        return 1
        """);

    /// <summary>Deletes a value and its lease (same slot) and publishes the invalidation on the backplane, in one round
    /// trip; returns whether Redis confirmed it.</summary>
    /// <remarks>The message names <paramref name="announcedKey"/> (default: the value key): for a tagged method, the key
    /// without its tag suffix, which other nodes hash to the same L1 bucket whatever tag generations they know.</remarks>
    public ValueTask<bool> InvalidateAsync(RedisKey valueKey, RedisKey leaseKey, Backplane? backplane, string method, string? announcedKey = null)
        => RunAsync(
            "INVALIDATE",
            method,
            false,
            (Keys: new RedisKey[] { valueKey, leaseKey, WaitedKey(leaseKey), PutMarkKey(announcedKey ?? valueKey.ToString()) }, Args: new RedisValue[] { backplane is null ? "" : backplane.ChannelName, backplane is null ? "" : backplane.KeyMessage(method, announcedKey ?? valueKey.ToString()), backplane?.FollowWindowMs ?? 0 }),
            static (db, s) => EvaluateAsync(db, InvalidateScript, s.Keys, s.Args),
            static _ => true,
            write: true);

    // A write-through: the write's result replaces the entry, and any lease on it goes (a load in flight, which read
    // before the write, then cannot fill), and the other nodes hear of it (Backplane.PutMessage), in one script.
    // A write-through: the value is written over the entry only while the put's mark (KEYS[3], left by MarkPutAsync
    // before the write ran) still holds its token (ARGV[5]): an invalidation of the entry since (InvalidateScript deletes
    // the mark) or another put (which replaced it) means this value may be older than the entry's last change, so the
    // entry is deleted instead and announced as an invalidation (ARGV[6]). Either way the lease and the mark go. An empty
    // token writes unconditionally.
    private static readonly RedisScript PutScript = new("""
        local m = redis.call('GET', KEYS[3])
        redis.call('DEL', KEYS[2], KEYS[3])
        if ARGV[5] == '' or m == ARGV[5] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
          return 1
        end
        redis.call('DEL', KEYS[1])
        if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[6]) end
        return 0
        """);

    /// <summary>The key of the mark a write-through leaves on an entry before its write runs (<see cref="MarkPutAsync"/>):
    /// the entry's key without generations or tags (so it is known before the write, in the entry's slot), and
    /// <c>#put</c>.</summary>
    public static string PutMarkKey(string baseKey) => baseKey + "#put";

    /// <summary>Leaves the mark of a write-through that is about to run (<paramref name="token"/>, for at most
    /// <paramref name="lifetime"/>); whether Redis confirmed it.</summary>
    /// <remarks>A script rather than <c>StringSetAsync</c>, which sends <c>PSETEX</c>: not among the commands the
    /// least-privilege user of docs/security.md is granted.</remarks>
    public ValueTask<bool> MarkPutAsync(RedisKey markKey, string token, TimeSpan lifetime, string method)
        => RunAsync(
            "PUT",
            method,
            false,
            (Keys: new[] { markKey }, Args: new RedisValue[] { token, (long)Math.Max(1, lifetime.TotalMilliseconds) }),
            static (db, s) => EvaluateAsync(db, MarkPutScript, s.Keys, s.Args),
            static _ => true,
            write: true);

    private static readonly RedisScript MarkPutScript = new("""
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """);

    /// <summary>Writes <paramref name="value"/> over the entry while its put mark holds <paramref name="token"/> (always,
    /// when it is empty), drops its lease and mark, and announces the change (as an invalidation of
    /// <paramref name="announcedKey"/>); else deletes the entry. <see langword="true"/> when written,
    /// <see langword="false"/> when deleted instead, <see langword="null"/> when Redis did not confirm either.</summary>
    public ValueTask<bool?> PutAsync(RedisKey valueKey, RedisKey leaseKey, ReadOnlyMemory<byte> value, TimeSpan expiry, Backplane? backplane, string method, string announcedKey, string token)
        => RunAsync(
            "PUT",
            method,
            (bool?)null,
            (Keys: new[] { valueKey, leaseKey, (RedisKey)PutMarkKey(announcedKey) }, Args: new RedisValue[]
            {
                value, (long)Math.Max(1, expiry.TotalMilliseconds), backplane is null ? "" : backplane.ChannelName,
                backplane is null ? "" : backplane.PutMessage(method, announcedKey), token,
                backplane is null ? "" : backplane.KeyMessage(method, announcedKey),
            }),
            static (db, s) => EvaluateAsync(db, PutScript, s.Keys, s.Args),
            static result => (bool?)((long)result == 1),
            write: true);

    /// <summary>The generation of a tag (0 when it was never invalidated, or its record has expired);
    /// <see langword="null"/> when Redis cannot be asked.</summary>
    public ValueTask<long?> GetTagGenerationAsync(RedisKey tagKey)
        => RunAsync("GET", "tag", (long?)null, tagKey, static (db, k) => db.StringGetAsync(k), static v => v.IsNull ? 0L : long.TryParse((string?)v, out var g) ? g : 0L);

    /// <summary>The generations stored at <paramref name="keys"/>, 0 where absent; <see langword="null"/> when Redis
    /// cannot be asked. One <c>GET</c> per key, sent together (one round trip): a script costs Redis several times a
    /// <c>GET</c>'s time before its first command, and <c>MGET</c> is not among the commands a confined user is granted.
    /// The reads need not be one instant: each generation only moves forward, and one read a moment later than another
    /// is as new as a read of both at that moment would have been for it.</summary>
    public ValueTask<long[]?> GetTagGenerationsAsync(RedisKey[] keys)
        => RunAsync(
            "GET",
            "generations",
            (long[]?)null,
            keys,
            static (db, k) => GetEachAsync(db, k),
            static values => Array.ConvertAll(values, static v => long.TryParse((string?)v, out var g) ? g : 0L));

    private static Task<RedisValue[]> GetEachAsync(IDatabase db, RedisKey[] keys)
    {
        var reads = new Task<RedisValue>[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            reads[i] = db.StringGetAsync(keys[i]);
        }

        return Task.WhenAll(reads);
    }

    // A tag invalidation: the tag's generation moves to the caller's clock in microseconds (ARGV[5]), or one past the old
    // value so that it always moves forward, kept for the retention period; the other nodes hear of the new value in the
    // same script. (The clock only matters once a tag's record has expired: its next generation is then still new.)
    private static readonly RedisScript InvalidateTagScript = new("""
        local g = tonumber(ARGV[5])
        local old = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        if g <= old then g = old + 1 end
        local s = string.format('%.0f', g)
        redis.call('SET', KEYS[1], s, 'PX', ARGV[1])
        if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3] .. s .. ARGV[4]) end
        return s
        """);

    /// <summary>Moves a tag to a new generation and announces it (message <c>prefix + generation + suffix</c>); returns the
    /// new generation, or <see langword="null"/> when Redis did not confirm it.</summary>
    public ValueTask<long?> InvalidateTagAsync(RedisKey tagKey, long retentionMs, string channel, string messagePrefix, string messageSuffix, long nowMicroseconds)
        => RunAsync(
            "INVALIDATE",
            "tag",
            (long?)null,
            (Keys: new[] { tagKey }, Args: new RedisValue[] { retentionMs, channel, messagePrefix, messageSuffix, nowMicroseconds }),
            static (db, s) => EvaluateAsync(db, InvalidateTagScript, s.Keys, s.Args),
            static result => long.TryParse((string?)result, out var g) ? g : null,
            write: true);

    /// <summary>Publishes <paramref name="message"/> on <paramref name="channel"/>; returns whether Redis confirmed it.</summary>
    public ValueTask<bool> PublishAsync(RedisChannel channel, string message, string method)
        => RunAsync("PUBLISH", method, false, (channel, message), static (db, s) => db.PublishAsync(s.channel, s.message), static _ => true, write: true);

    public async ValueTask DisposeAsync()
    {
        _sweeper.Dispose();
        if (_ownsConnection && _connection.IsCompletedSuccessfully)
        {
            // What the runtime waits for at a stop (fills, the last try of unconfirmed writes) it has waited for, each
            // within its budget. Closing without letting queued commands complete skips StackExchange.Redis's own wait
            // for them, which lasts its syncTimeout (5 s by default) when Redis does not answer.
            var connection = _connection.Result;
            await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>What <see cref="RedisLevel.GetOrLeaseAsync"/> found.</summary>
internal enum LeaseOutcome
{
    /// <summary>Redis could not be asked (down, circuit open, over budget): load without a lease.</summary>
    Unavailable,

    /// <summary>Another node wrote the value meanwhile.</summary>
    Value,

    /// <summary>This caller holds the lease: load, then fill.</summary>
    Acquired,

    /// <summary>Another node holds the lease: wait for its value.</summary>
    Held,
}

/// <summary>The outcome, the fresh payload (<see cref="LeaseOutcome.Value"/>), an expired payload still in Redis for the
/// fail-safe, and, when another caller holds the lease, its token (<see cref="Holder"/>, when the script reports it).</summary>
internal readonly record struct LeaseResult(LeaseOutcome Outcome, byte[]? Value, byte[]? Stale, string? Holder = null);

/// <summary>What <see cref="RedisLevel.FillAsync"/> did.</summary>
internal enum FillOutcome
{
    /// <summary>Redis failed or was over budget.</summary>
    Failed,

    /// <summary>The value is in Redis.</summary>
    Written,

    /// <summary>The lease was gone (invalidated, or expired during a slow load): nothing written.</summary>
    LeaseLost,
}
