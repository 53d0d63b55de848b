using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Step 5 of docs/runtime.md, single flight in the process: one load per key; later callers join it unless an
// invalidation came in since it started.
public sealed partial class CachedMethod<TKey, TValue>
{
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TValue> JoinOrLeadFlightAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string? redisKey, Stamp stamp, Fallback fallback, CancellationToken cancellationToken, MissKind firstRead = MissKind.None)
    {
        Flight? flight = null;
        while (true)
        {
            if (_inflight.TryGetValue(key, out var running))
            {
                if (!IsCurrent(running.Stamp))
                {
                    // That load started before an invalidation of this key (or of one of its tags) that this caller has
                    // seen: what it read may be older than the write. Take its place rather than join it; it still
                    // answers its own callers, and does not cache what it read.
                    flight ??= new Flight(new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously), stamp);
                    if (!_inflight.TryUpdate(key, flight, running))
                    {
                        continue;
                    }

                    return await LeadFlightAsync(key, state, load, redisKey, stamp, fallback, flight, cancellationToken, firstRead).ConfigureAwait(false);
                }

                _metrics.Coalesced.Add(1, _methodTag);
                CacheTracing.Mark("source", "coalesced");
                TValue joined;
                try
                {
                    joined = await running.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (running.Task.IsCanceled && !cancellationToken.IsCancellationRequested)
                {
                    // The caller that led the load was cancelled, this one was not: load again.
                    continue;
                }
                catch
                {
                    _metrics.Misses.Add(1, _methodTag);
                    throw;
                }

                // The load this caller joined found the value in Redis (an L2 hit for its callers too), or got it from the
                // source (a miss, shared).
                if (!running.FoundInRedis)
                {
                    _metrics.Misses.Add(1, _methodTag);
                }
                else if (_metrics.CountHits)
                {
                    _l2Hits.Increment();
                }

                return joined;
            }

            flight ??= new Flight(new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously), stamp);
            if (!_inflight.TryAdd(key, flight))
            {
                continue;
            }

            return await LeadFlightAsync(key, state, load, redisKey, stamp, fallback, flight, cancellationToken, firstRead).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the load of <paramref name="flight"/>, which this caller registered, and completes it for the callers
    /// that joined.</summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TValue> LeadFlightAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string? redisKey, Stamp stamp, Fallback fallback, Flight flight, CancellationToken cancellationToken, MissKind firstRead)
    {
        try
        {
            var value = redisKey is null
                ? await LoadWithoutRedisAsync(key, state, load, stamp, cancellationToken).ConfigureAwait(false)
                : await LeaseOrWaitRedisAsync(key, state, load, redisKey, stamp, fallback, cancellationToken, firstRead, flight).ConfigureAwait(false);
            flight.Completion.TrySetResult(value);
            return value;
        }
        catch (OperationCanceledException ex)
        {
            flight.Completion.TrySetCanceled(ex.CancellationToken);
            throw;
        }
        catch (Exception ex)
        {
            flight.Completion.TrySetException(ex);
            _ = flight.Task.Exception; // waiters rethrow it; with none, it is observed here
            throw;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<TKey, Flight>(key, flight));
        }
    }

    /// <summary>A load in flight for a key, and what it started under (joiners check it is still current).</summary>
    private sealed class Flight(TaskCompletionSource<TValue> completion, Stamp stamp)
    {
        public TaskCompletionSource<TValue> Completion { get; } = completion;

        public Task<TValue> Task => Completion.Task;

        public Stamp Stamp { get; } = stamp;

        /// <summary>Set by the leader before it completes the flight when the value came from Redis rather than the
        /// source: the callers that joined count an L2 hit, not a miss.</summary>
        public bool FoundInRedis { get; set; }
    }

    /// <summary>Runs a refresh as this key's load in flight (misses meanwhile join it); <see langword="false"/> when a
    /// load was already in flight.</summary>
    private async Task<bool> RefreshFlightAsync(TKey key, Stamp stamp, Func<Task<TValue>> refresh)
    {
        var flight = new Flight(new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously), stamp);
        if (!_inflight.TryAdd(key, flight))
        {
            return false;
        }

        try
        {
            _metrics.EarlyRefreshes.Add(1, _methodTag);
            flight.Completion.TrySetResult(await refresh().ConfigureAwait(false));
            return true;
        }
        catch (Exception ex)
        {
            flight.Completion.TrySetException(ex);
            _ = flight.Task.Exception;
            throw;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<TKey, Flight>(key, flight));
        }
    }
}
