using System;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// The Redis L2. Every operation is bounded by <see cref="CachedGenOptions.RedisOperationTimeout"/> and never throws:
/// a failure or timeout is logged and reported as "no value" / "not written", and the call goes on without L2.
/// </summary>
internal sealed class RedisLevel : IAsyncDisposable
{
    private readonly Task<IConnectionMultiplexer> _connection;
    private readonly bool _ownsConnection;
    private readonly TimeSpan _budget;
    private readonly ILogger _logger;
    private IDatabase? _database;

    public RedisLevel(Task<IConnectionMultiplexer> connection, bool ownsConnection, TimeSpan budget, ILogger logger)
    {
        _connection = connection;
        _ownsConnection = ownsConnection;
        _budget = budget;
        _logger = logger;
        _connection.ContinueWith(
            static (t, state) => Log.RedisConnectFailed((ILogger)state!, t.Exception!.GetBaseException()),
            logger,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>The multiplexer once connected; <see langword="null"/> while connecting or after a failed connect.</summary>
    public IConnectionMultiplexer? Multiplexer => _connection.IsCompletedSuccessfully ? _connection.Result : null;

    public async ValueTask<Lease<byte>?> GetAsync(RedisKey key, string method)
    {
        var db = await GetDatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return null;
        }

        try
        {
            return await WithinBudget(db.StringGetLeaseAsync(key), "GET", method).ConfigureAwait(false);
        }
        catch (TimeoutBudgetExceededException)
        {
            return null;
        }
        catch (Exception ex)
        {
            Log.RedisOperationFailed(_logger, "GET", method, ex);
            return null;
        }
    }

    /// <summary>Writes a value; returns whether Redis confirmed it within the budget.
    /// When it returns <see langword="false"/> the buffer may still be in use and must not be reused.</summary>
    public async ValueTask<bool> SetAsync(RedisKey key, ReadOnlyMemory<byte> value, TimeSpan expiry, string method)
    {
        var db = await GetDatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return false;
        }

        try
        {
            var pending = db.StringSetAsync(key, value, expiry);
            return await WithinBudget(pending, "SET", method).ConfigureAwait(false);
        }
        catch (TimeoutBudgetExceededException)
        {
            return false;
        }
        catch (Exception ex)
        {
            Log.RedisOperationFailed(_logger, "SET", method, ex);
            return false;
        }
    }

    public async ValueTask<bool> DeleteAsync(RedisKey key, string method)
    {
        var db = await GetDatabaseAsync().ConfigureAwait(false);
        if (db is null)
        {
            return false;
        }

        try
        {
            await WithinBudget(db.KeyDeleteAsync(key), "DEL", method).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutBudgetExceededException)
        {
            return false;
        }
        catch (Exception ex)
        {
            Log.RedisOperationFailed(_logger, "DEL", method, ex);
            return false;
        }
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
            // Still connecting or failed to connect (logged once by the continuation): go on without L2.
            return null;
        }

        return CacheDatabase();
    }

    private async Task<T> WithinBudget<T>(Task<T> pending, string operation, string method)
    {
        if (pending.IsCompleted)
        {
            return await pending.ConfigureAwait(false);
        }

        try
        {
            return await pending.WaitAsync(_budget).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!pending.IsCompleted)
        {
            // The operation may still fail later; observe it so it is not reported as unobserved.
            _ = pending.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            Log.RedisOperationTimedOut(_logger, operation, method, _budget.TotalMilliseconds);
            throw new TimeoutBudgetExceededException();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connection.IsCompletedSuccessfully)
        {
            await _connection.Result.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class TimeoutBudgetExceededException : Exception
    {
    }
}
