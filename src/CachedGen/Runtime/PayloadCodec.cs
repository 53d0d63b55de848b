using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace CachedGen.Runtime;

/// <summary>
/// Step 9 of docs/runtime.md for one method: its values to and from the bytes Redis holds. Encoding envelopes the
/// value (<see cref="PayloadEnvelope"/>: header, MessagePack body through the depth guard, LZ4 above the threshold,
/// checksum), checks the size, and seals it for a sensitive method; decoding opens and validates it. Failures are
/// counted, and logged (a property of the method, such as an oversized or too-deep result, once per process).
/// </summary>
internal sealed class PayloadCodec<TValue>
{
    private readonly string _methodId;
    private readonly uint _shapeFingerprint;
    private readonly ValueCipher? _cipher;
    private readonly int _maxValueBytes;
    private readonly int _maxDepth;
    private readonly RuntimeClock _clock;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;
    private readonly KeyValuePair<string, object?> _methodTag;
    private readonly Func<string, string> _reportedKey;
    private int _oversizeLogged;
    private int _tooDeepLogged;
    private int _lossyLogged;
    private int _derivedLogged;

    /// <param name="descriptor">The method.</param>
    /// <param name="runtime">Its runtime: options, clock, logger and metrics.</param>
    /// <param name="cipher">The cipher of a sensitive method, else <see langword="null"/>.</param>
    /// <param name="reportedKey">A key as logs show it (see <see cref="CachedMethod{TKey, TValue}.ReportedKey"/>).</param>
    public PayloadCodec(CacheMethodDescriptor descriptor, CacheRuntime runtime, ValueCipher? cipher, Func<string, string> reportedKey)
    {
        _methodId = descriptor.MethodId;
        _shapeFingerprint = descriptor.ShapeFingerprint;
        _cipher = cipher;
        _maxValueBytes = descriptor.MaxValueBytes > 0 ? descriptor.MaxValueBytes : runtime.Options.DefaultMaxValueBytes;
        _maxDepth = runtime.Options.MaxSerializedDepth;
        _clock = runtime.Clock;
        _logger = runtime.Logger;
        _metrics = runtime.Metrics;
        _methodTag = CacheMetrics.Method(descriptor.MethodId);
        _reportedKey = reportedKey;
    }

    /// <summary>Whether payloads are sealed (a sensitive method).</summary>
    public bool Encrypts => _cipher is not null;

    /// <summary>The payload of <paramref name="value"/> for <paramref name="redisKey"/> under <paramref name="policy"/>'s
    /// TTL (jittered), compression threshold and fail-safe; <see langword="null"/> when it cannot be written
    /// (serialization failed, logged; or larger than the method's maximum, counted and logged once).</summary>
    public EncodedPayload? Encode(string redisKey, TValue value, MethodPolicy policy)
    {
        var now = _clock.UtcNowUnixMs;
        var ttl = Jittered(policy.Ttl, policy.TtlJitter);
        var expiresUnixMs = now + (long)ttl.TotalMilliseconds;
        byte[] buffer;
        int length;
        var pooled = true;
        try
        {
            buffer = PayloadEnvelope.Encode(value, _shapeFingerprint, now, expiresUnixMs, policy.CompressionThresholdBytes, out length, _maxDepth);
        }
        catch (SerializedGraphTooDeepException tooDeep)
        {
            // A property of the method's results (an entity graph with back references).
            if (CountUnserializable(ref _tooDeepLogged))
            {
                Log.GraphTooDeep(_logger, _methodId, tooDeep.Limit);
            }

            return null;
        }
        catch (LossyRoundTripException lossy)
        {
            // A property of the value's type (members the run-time resolver cannot set).
            if (CountUnserializable(ref _lossyLogged))
            {
                Log.LossyRoundTrip(_logger, _methodId, lossy.ValueType.ToString());
            }

            return null;
        }
        catch (DerivedValueException derived)
        {
            // A class derived from the declared one, which other nodes would read back as the declared one.
            if (CountUnserializable(ref _derivedLogged))
            {
                Log.DerivedValue(_logger, _methodId, derived.Actual.ToString(), derived.Declared.ToString());
            }

            return null;
        }
        catch (Exception ex)
        {
            Log.SerializationFailed(_logger, _methodId, ex);
            return null;
        }

        if (length > _maxValueBytes)
        {
            // Counted every time, logged once per method per process: an oversized result is a property of the method.
            _metrics.Oversize.Add(1, _methodTag);
            if (Interlocked.Exchange(ref _oversizeLogged, 1) == 0)
            {
                Log.ValueTooLarge(_logger, _methodId, length, _maxValueBytes);
            }

            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }

        if (_cipher is not null)
        {
            // Sensitive: only the sealed form leaves the process; the plaintext buffer is cleared before it is pooled.
            var plain = buffer;
            buffer = _cipher.Seal(plain.AsSpan(0, length), redisKey, out length);
            ArrayPool<byte>.Shared.Return(plain, clearArray: true);
            pooled = false;
        }

        _metrics.PayloadBytes.Record(length, _methodTag);

        // With the fail-safe on, Redis keeps the entry past its logical expiry, so that it can still be served stale.
        return new EncodedPayload(buffer, length, pooled, expiresUnixMs, ttl + TimeSpan.FromMilliseconds(policy.FailSafeMaxAgeMs));
    }

    /// <summary>A result that cannot go to Redis for a reason that is a property of the method: counted every time
    /// (<c>cachedgen.unserializable</c>); <see langword="true"/> the first time for <paramref name="logged"/>, which is
    /// then logged once per method.</summary>
    private bool CountUnserializable(ref int logged)
    {
        _metrics.Unserializable.Add(1, _methodTag);
        return Interlocked.Exchange(ref logged, 1) == 0;
    }

    /// <summary>Opens (a sensitive method) and validates a payload read from <paramref name="redisKey"/>: its value and
    /// logical expiry (Unix ms). An unreadable payload is counted and logged (at Debug when it is of the previous
    /// format, expected after an upgrade); the caller deletes it.</summary>
    public bool TryDecode(ReadOnlyMemory<byte> payload, string redisKey, out TValue value, out long expiresUnixMs)
    {
        bool decoded;
        string? error;
        if (_cipher is null)
        {
            decoded = PayloadEnvelope.TryDecode(payload, _shapeFingerprint, out value, out expiresUnixMs, out error);
        }
        else if (_cipher.TryOpen(payload.Span, redisKey, out var opened, out var length, out error))
        {
            decoded = PayloadEnvelope.TryDecode(opened.AsMemory(0, length), _shapeFingerprint, out value, out expiresUnixMs, out error);
            ArrayPool<byte>.Shared.Return(opened, clearArray: true);
        }
        else
        {
            (decoded, value, expiresUnixMs) = (false, default!, 0);
        }

        if (!decoded)
        {
            // An entry of the previous payload format is expected after an upgrade: a miss like any other, not logged
            // as damage. Everything else is logged and counted as corrupt.
            var outdated = ReferenceEquals(error, PayloadEnvelope.PreviousFormat);
            _metrics.PayloadsRejected.Add(1, _methodTag, outdated ? CacheMetrics.ReasonOutdated : CacheMetrics.ReasonCorrupt);
            if (outdated)
            {
                Log.PreviousFormatPayload(_logger, _methodId);
            }
            else
            {
                Log.CorruptPayload(_logger, _methodId, _reportedKey(redisKey), error!);
            }
        }

        return decoded;
    }

    /// <summary>The TTL shortened by a random share in [0, <paramref name="jitter"/>], at least one millisecond.</summary>
    internal static TimeSpan Jittered(TimeSpan ttl, double jitter)
    {
        if (jitter <= 0)
        {
            return ttl;
        }

        var factor = 1 - (Math.Min(jitter, 0.5) * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Max(1, Math.Floor(ttl.TotalMilliseconds * factor)));
    }
}
