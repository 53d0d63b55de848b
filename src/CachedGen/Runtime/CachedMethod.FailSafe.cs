using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Step 7 of docs/runtime.md, the fail-safe and source timeouts around a load.
public sealed partial class CachedMethod<TKey, TValue>
{
    /// <summary>
    /// Waits for a load under the fail-safe and the source timeouts. If the source throws, or runs past the soft timeout
    /// while an expired value is at hand, or past the hard timeout, the caller gets the expired value (if within
    /// <see cref="CachedGenOptions.FailSafeMaxAge"/>); a load that is only slow goes on and caches its result. The
    /// timeouts run from <paramref name="startedMs"/> (<see cref="RuntimeClock.NowMs"/> time) when given, so the elements
    /// of one batch call share them; else from now.
    /// </summary>
    private async Task<TValue> GuardFailSafeAsync(TKey key, Task<TValue> loading, Fallback fallback, CancellationToken cancellationToken, long? startedMs = null)
    {
        var policy = _policy;
        if (policy.FailSafeMaxAgeMs <= 0 && policy.HardTimeout == TimeSpan.Zero)
        {
            return await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!fallback.Has)
        {
            fallback = ReadL1Fallback(key);
        }

        var soft = fallback.Has && policy.SoftTimeout > TimeSpan.Zero;
        var wait = Remaining(soft ? policy.SoftTimeout : policy.HardTimeout, startedMs);
        try
        {
            return wait >= TimeSpan.Zero
                ? await loading.WaitAsync(wait, _clock.Provider, cancellationToken).ConfigureAwait(false)
                : await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!loading.IsCompleted)
        {
            Observe(loading);
            if (TryServeStale(key, fallback, "timeout", null, out var stale))
            {
                return stale;
            }

            if (soft && policy.HardTimeout == TimeSpan.Zero)
            {
                // Soft timeout with the expired value too old by now, and no hard timeout: wait for the source.
                return await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (soft && policy.HardTimeout > policy.SoftTimeout)
            {
                // Soft timeout with the expired value too old by now: wait out the hard one.
                return await WaitHardTimeoutAsync(loading, Remaining(policy.HardTimeout, startedMs ?? _clock.NowMs - (long)policy.SoftTimeout.TotalMilliseconds), cancellationToken).ConfigureAwait(false);
            }

            throw SourceTimeout(policy.HardTimeout);
        }
        catch (TimeoutException) when (loading.IsCompletedSuccessfully)
        {
            // The source answered between the end of the wait and this handler: its value stands.
            return loading.Result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && loading.IsFaulted && TryServeStale(key, fallback, "error", ex, out var stale))
        {
            return stale;
        }
        catch (TimeoutException) when (loading.IsCompleted)
        {
            // The source failed (or was cancelled) just as the wait ran out, and no stale value may answer: its own
            // outcome reaches the caller, not a timeout.
            return await loading.ConfigureAwait(false);
        }
    }

    /// <summary>What is left of <paramref name="timeout"/> since <paramref name="startedMs"/> (all of it without a start;
    /// zero once it has run out); <see cref="Timeout.InfiniteTimeSpan"/> for no timeout.</summary>
    private TimeSpan Remaining(TimeSpan timeout, long? startedMs)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (startedMs is not { } started)
        {
            return timeout;
        }

        var left = timeout - TimeSpan.FromMilliseconds(_clock.NowMs - started);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private async Task<TValue> WaitHardTimeoutAsync(Task<TValue> loading, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            return await loading.WaitAsync(wait, _clock.Provider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!loading.IsCompleted)
        {
            throw SourceTimeout(_policy.HardTimeout);
        }
        catch (TimeoutException)
        {
            // The source finished just as the wait ran out: its outcome stands.
            return await loading.ConfigureAwait(false);
        }
    }

    private TimeoutException SourceTimeout(TimeSpan hard)
        => new($"{Descriptor.MethodId} did not answer within CachedGenOptions.SourceHardTimeout ({hard.TotalMilliseconds:F0} ms) " +
               "and the cache held no value the fail-safe could serve. The call goes on in the background and its result is cached.");

    private static void Observe(Task task)
        => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>An expired L1 entry the fail-safe may serve: not invalidated since it was stored.</summary>
    private Fallback ReadL1Fallback(TKey key)
        => _local is not null && _local.TryGet(key, out var entry) && IsCurrent(entry)
            ? new Fallback(true, entry.Value, entry.ValueExpiresAt, new Stamp(entry.Bucket, entry.Generation, entry.Tags))
            : default;

    /// <summary>Serves <paramref name="fallback"/> if it expired no longer than the fail-safe's maximum age ago, and keeps
    /// it in L1 for <see cref="CachedGenOptions.FailSafeThrottle"/> so that the next callers do not all try the source.
    /// Each serve is counted and logged once (1013), with its age, its reason and the source's
    /// <paramref name="exception"/> when it failed.</summary>
    private bool TryServeStale(TKey key, Fallback fallback, string reason, Exception? exception, out TValue value)
    {
        value = fallback.Value;
        var policy = _policy;
        if (!fallback.Has || policy.FailSafeMaxAgeMs <= 0)
        {
            return false;
        }

        var now = _clock.NowMs;
        var staleMs = now - fallback.ExpiredAt;
        if (staleMs > policy.FailSafeMaxAgeMs || !IsCurrent(fallback.Stamp))
        {
            return false;
        }

        _metrics.FailSafe.Add(1, _methodTag, new KeyValuePair<string, object?>("reason", reason));
        Log.FailSafeServed(_runtime.Logger, Descriptor.MethodId, reason, staleMs, exception);
        CacheTracing.Mark("l1", "stale");
        var throttle = Math.Min(policy.FailSafeThrottleMs, fallback.ExpiredAt + policy.FailSafeMaxAgeMs - now);
        if (_local is not null && throttle > 0)
        {
            _local.AddOrUpdate(key, new LocalEntry(key, fallback.Value, now + throttle, fallback.Stamp, now + throttle, fallback.ExpiredAt, 0));
        }

        return true;
    }

    /// <summary>An expired value the fail-safe may serve: its expiry (in <see cref="RuntimeClock.NowMs"/> time) and
    /// the generation it was read under.</summary>
    private readonly record struct Fallback(bool Has, TValue Value, long ExpiredAt, Stamp Stamp);
}
