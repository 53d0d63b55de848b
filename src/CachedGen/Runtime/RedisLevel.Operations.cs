using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen.Runtime;

// How every Redis operation runs: within its budget, through the circuit breaker, once connected; scripts by their
// SHA-1; a failure counted, logged while the circuit is closed, and never thrown.
internal sealed partial class RedisLevel
{
    /// <summary>
    /// Runs a script with the least a confined ACL user needs (<c>EVALSHA</c> and <c>EVAL</c>, never <c>SCRIPT</c>):
    /// <c>EVALSHA</c> first, one round trip once Redis has the script; when Redis answers <c>NOSCRIPT</c> (the first
    /// call on a server, after a restart or a <c>SCRIPT FLUSH</c>), <c>EVAL</c> with the script's text, which also
    /// puts it in the server's script cache. (StackExchange.Redis's own <c>ScriptEvaluateAsync(string)</c> sends
    /// <c>SCRIPT LOAD</c> for a script it has not seen loaded on the server: refused for such a user, on every call.)
    /// Both calls carry the keys, so a cluster routes them to the keys' slot.
    /// </summary>
    private static Task<RedisResult> EvaluateAsync(IDatabase db, RedisScript script, RedisKey[] keys, RedisValue[] args)
    {
        var bySha = db.ScriptEvaluateAsync(script.Sha1, keys, args);
        return bySha.IsCompletedSuccessfully ? bySha : WithFallback(bySha, db, script, keys, args);

        static async Task<RedisResult> WithFallback(Task<RedisResult> bySha, IDatabase db, RedisScript script, RedisKey[] keys, RedisValue[] args)
        {
            try
            {
                return await bySha.ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                return await db.ScriptEvaluateAsync(script.Text, keys, args, CommandFlags.NoScriptCache).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A Lua script and its SHA-1, the name <c>EVALSHA</c> knows it by.</summary>
    private sealed class RedisScript(string text)
    {
        public string Text { get; } = text;

        public byte[] Sha1 { get; } = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// One Redis operation: skipped (returning <paramref name="unavailable"/>) while the circuit is open or Redis is not
    /// connected; otherwise started with <paramref name="start"/>, awaited within the budget, and its result mapped by
    /// <paramref name="complete"/>. A failure or timeout is counted, logged while the circuit is closed, and also
    /// returns <paramref name="unavailable"/>: it never throws.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<T> RunAsync<TState, TResult, T>(
        string operation,
        string method,
        T unavailable,
        TState state,
        Func<IDatabase, TState, Task<TResult>> start,
        Func<TResult, T> complete,
        bool write = false)
    {
        // While the circuit is open a caller's write (an invalidation, a put, an announcement) does not wait for Redis
        // either: it returns unconfirmed at once, and the writer notes it (UnconfirmedWrites), leaves Redis out of its own
        // reads of what it changed, and tries it again every second. Those retries go to Redis even while the circuit is
        // open: skipped, the old value would stay in Redis for its TTL once Redis answers again; one that succeeds closes
        // the circuit.
        if ((!Breaker.TryEnter() && !(write && RetryingUnconfirmed.Value)) || await GetDatabaseAsync().ConfigureAwait(false) is not { } db)
        {
            return unavailable;
        }

        Task<TResult>? pending = null;
        try
        {
            pending = start(db, state);
            // Watched by the sweeper, which also leaves out of the budget any time the process spent paused for garbage
            // collection meanwhile: that time was not Redis's.
            var result = await _sweeper.Start(pending, _budget).ConfigureAwait(false);
            Breaker.OnSuccess();
            return complete(result);
        }
        catch (Exception ex)
        {
            OnFailure(ex, pending, operation, method);
            return unavailable;
        }
    }

    /// <summary>Set for the retries of unconfirmed writes (<see cref="UnconfirmedWrites.RetryAsync"/>): they go to Redis
    /// whatever the circuit's state, and their failures do not count towards opening it.</summary>
    internal static readonly AsyncLocal<bool> RetryingUnconfirmed = new();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> OperationTags = new(StringComparer.Ordinal);

    private void OnFailure(Exception exception, Task? pending, string operation, string method)
    {
        var timedOut = exception is TimeoutException && pending is { IsCompleted: false };
        if (timedOut)
        {
            // The operation may still fail later; observe it so it is not reported as unobserved.
            _ = pending!.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        }

        if (_metrics.RedisErrors.Enabled)
        {
            // Lower case, as cachedgen.operation.duration's operation tag is (the logs keep the command's name).
            _metrics.RedisErrors.Add(1, new KeyValuePair<string, object?>("operation", OperationTags.GetOrAdd(operation, static o => o.ToLowerInvariant())));
        }

        if (RetryingUnconfirmed.Value)
        {
            // A retry of a change Redis has not confirmed: its first failure was logged, and the change waits (the stop
            // reports what is left, 1028). Counted above; it neither logs again every second nor opens the circuit,
            // which is the callers': a Redis that refuses writes (full, noeviction) still answers their reads.
            return;
        }

        if (Breaker.IsClosed)
        {
            if (timedOut)
            {
                Log.RedisOperationTimedOut(_logger, operation, method, _budget.TotalMilliseconds);
            }
            else
            {
                Log.RedisOperationFailed(_logger, operation, method, exception);
            }
        }

        Breaker.OnFailure();
    }

    private ValueTask<IDatabase?> GetDatabaseAsync()
    {
        if (_database is { } cached)
        {
            return new ValueTask<IDatabase?>(cached);
        }

        return _connection.IsCompleted ? new ValueTask<IDatabase?>(CacheDatabase()) : WaitForConnectionAsync();
    }

    private IDatabase? CacheDatabase()
    {
        if (!_connection.IsCompletedSuccessfully)
        {
            // The connect failed (logged once): count it, so the breaker stops every call from trying.
            Breaker.OnFailure();
            return null;
        }

        return _database = _connection.Result.GetDatabase();
    }

    private async ValueTask<IDatabase?> WaitForConnectionAsync()
    {
        try
        {
            await _connection.WaitAsync(_budget, _time).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Still connecting after the budget, or the connect failed: go on without L2 this time.
            Breaker.OnFailure();
            return null;
        }

        return CacheDatabase();
    }
}
