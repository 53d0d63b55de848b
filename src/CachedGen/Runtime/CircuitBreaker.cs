using System;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace CachedGen.Runtime;

/// <summary>
/// Opens after <see cref="CachedGenOptions.CircuitBreakerThreshold"/> consecutive Redis failures; while open, Redis
/// operations are skipped without waiting (L1 and the source serve). After <see cref="CachedGenOptions.CircuitBreakerDuration"/>
/// one probe is let through: success closes the circuit, failure opens it again. Failures are logged only while the
/// circuit is closed, so an outage logs a handful of warnings and one "opened" line, not one per call.
/// </summary>
internal sealed class CircuitBreaker(int threshold, TimeSpan breakDuration, TimeProvider time, ILogger logger)
{
    private const int Closed = 0;
    private const int Open = 1;
    private const int Probing = 2;

    private int _state;
    private int _consecutiveFailures;
    private long _openUntil;

    public RedisCircuitState State => Volatile.Read(ref _state) switch
    {
        Closed => RedisCircuitState.Closed,
        Open when time.GetTimestamp() >= Volatile.Read(ref _openUntil) => RedisCircuitState.HalfOpen,
        Open => RedisCircuitState.Open,
        _ => RedisCircuitState.HalfOpen,
    };

    /// <summary>Whether failures are worth logging one by one (the circuit is closed).</summary>
    public bool IsClosed => Volatile.Read(ref _state) == Closed;

    /// <summary>Whether an operation may go to Redis now. While open, only one caller after the break gets to probe.</summary>
    public bool TryEnter()
    {
        switch (Volatile.Read(ref _state))
        {
            case Closed:
                return true;
            case Open:
                return time.GetTimestamp() >= Volatile.Read(ref _openUntil)
                    && Interlocked.CompareExchange(ref _state, Probing, Open) == Open;
            default:
                return false; // a probe is in flight
        }
    }

    // Called after every Redis operation that succeeded: it writes only when there is something to reset, so the closed
    // circuit's fields stay shared by the cores that read them instead of being taken over by each success.
    public void OnSuccess()
    {
        if (Volatile.Read(ref _consecutiveFailures) != 0)
        {
            Volatile.Write(ref _consecutiveFailures, 0);
        }

        if (Volatile.Read(ref _state) != Closed && Interlocked.Exchange(ref _state, Closed) != Closed)
        {
            Log.CircuitClosed(logger);
        }
    }

    public void OnFailure()
    {
        var failures = Interlocked.Increment(ref _consecutiveFailures);
        var state = Volatile.Read(ref _state);
        if (state == Probing || (state == Closed && failures >= threshold))
        {
            Volatile.Write(ref _openUntil, time.GetTimestamp() + (long)(breakDuration.TotalSeconds * time.TimestampFrequency));
            // A failed probe keeps the circuit open: logged as such, not as an opening (the count of failures would then
            // include the calls that were in flight when it opened, and every probe since).
            switch (Interlocked.Exchange(ref _state, Open))
            {
                case Closed:
                    Log.CircuitOpened(logger, failures, breakDuration.TotalMilliseconds);
                    break;
                case Probing:
                    Log.ProbeFailed(logger, breakDuration.TotalMilliseconds);
                    break;
            }
        }
    }
}
