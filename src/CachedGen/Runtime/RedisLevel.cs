using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// The Redis L2. Every operation is bounded by <see cref="CachedGenOptions.RedisOperationTimeout"/>, passes through the
/// circuit breaker, and never throws: a failure or timeout is logged (while the circuit is closed) and reported as
/// "no value" / "not written", and the call goes on without L2.
/// </summary>
internal sealed class RedisLevel : IAsyncDisposable
{
    private readonly Task<IConnectionMultiplexer> _connection;
    private readonly bool _ownsConnection;
    private readonly TimeSpan _budget;
    private readonly ILogger _logger;
    private IDatabase? _database;

    private readonly CacheMetrics _metrics;

    public RedisLevel(Task<IConnectionMultiplexer> connection, bool ownsConnection, CachedGenOptions options, ILogger logger, CacheMetrics metrics)
    {
        _metrics = metrics;
        _connection = connection;
        _ownsConnection = ownsConnection;
        _budget = options.RedisOperationTimeout;
        _logger = logger;
        Breaker = new CircuitBreaker(Math.Max(1, options.CircuitBreakerThreshold), options.CircuitBreakerDuration, options.TimeProvider, logger);
        _connection.ContinueWith(
            static (t, state) => Log.RedisConnectFailed((ILogger)state!, t.Exception!.GetBaseException()),
            logger,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    public CircuitBreaker Breaker { get; }

    /// <summary>The multiplexer once connected; <see langword="null"/> while connecting or after a failed connect.</summary>
    public IConnectionMultiplexer? Multiplexer => _connection.IsCompletedSuccessfully ? _connection.Result : null;

    public async ValueTask<Lease<byte>?> GetAsync(RedisKey key, string method)
    {
        if (!Breaker.TryEnter() || await GetDatabaseAsync().ConfigureAwait(false) is not { } db)
        {
            return null;
        }

        Task<Lease<byte>?>? pending = null;
        try
        {
            pending = db.StringGetLeaseAsync(key);
            var lease = await Bounded(pending).ConfigureAwait(false);
            Breaker.OnSuccess();
            return lease;
        }
        catch (Exception ex)
        {
            OnFailure(ex, pending, "GET", method);
            return null;
        }
    }

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

        bounded = BoundedRead.Start(pending, _budget);
        return true;
    }

    public void OnGetSucceeded() => Breaker.OnSuccess();

    public void OnGetFailed(Exception exception, Task pending, string method) => OnFailure(exception, pending, "GET", method);

    /// <summary>Writes a value; returns whether Redis confirmed it within the budget.
    /// When it returns <see langword="false"/> the buffer may still be in use and must not be reused.</summary>
    public async ValueTask<bool> SetAsync(RedisKey key, ReadOnlyMemory<byte> value, TimeSpan expiry, string method)
    {
        if (!Breaker.TryEnter() || await GetDatabaseAsync().ConfigureAwait(false) is not { } db)
        {
            return false;
        }

        Task<bool>? pending = null;
        try
        {
            pending = db.StringSetAsync(key, value, expiry);
            var written = await Bounded(pending).ConfigureAwait(false);
            Breaker.OnSuccess();
            return written;
        }
        catch (Exception ex)
        {
            OnFailure(ex, pending, "SET", method);
            return false;
        }
    }

    public async ValueTask<bool> DeleteAsync(RedisKey key, string method)
    {
        if (!Breaker.TryEnter() || await GetDatabaseAsync().ConfigureAwait(false) is not { } db)
        {
            return false;
        }

        Task<bool>? pending = null;
        try
        {
            pending = db.KeyDeleteAsync(key);
            await Bounded(pending).ConfigureAwait(false);
            Breaker.OnSuccess();
            return true;
        }
        catch (Exception ex)
        {
            OnFailure(ex, pending, "DEL", method);
            return false;
        }
    }

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
            _metrics.RedisErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));
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
            await _connection.WaitAsync(_budget).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Still connecting after the budget, or the connect failed: go on without L2 this time.
            Breaker.OnFailure();
            return null;
        }

        return CacheDatabase();
    }

    /// <summary>The operation itself when it has completed (no timer), else a wait bounded by the budget that throws
    /// <see cref="TimeoutException"/> when it runs out.</summary>
    private Task<T> Bounded<T>(Task<T> pending) => pending.IsCompleted ? pending : pending.WaitAsync(_budget);

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connection.IsCompletedSuccessfully)
        {
            await _connection.Result.DisposeAsync().ConfigureAwait(false);
        }
    }
}
