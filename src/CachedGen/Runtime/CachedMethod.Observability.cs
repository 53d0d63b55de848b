using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Observability: the L1 hit while a listener observes it, and one activity and audit event per call past L1.
public sealed partial class CachedMethod<TKey, TValue>
{
    // The coarse clock reading at which this method last timed an L1 lookup (see TryReadL1Observed).
    private long _l1TimedAtMs = long.MinValue;

    /// <summary>The L1 lookup while a listener observes it: counted, traced, and timed once per coarse clock tick.</summary>
    /// <remarks>Timing every lookup (two clock reads and a histogram record) would cost several times the lookup itself,
    /// and every L1 lookup falls in the histogram's first bucket; one sample per method per tick keeps the
    /// <c>l1/get</c> series and its distribution at a cost spread over all the tick's hits. Hits are counted exactly.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReadL1Observed(in TKey key, out LocalEntry entry)
    {
        bool hit;
        if (_metrics.TimesDurations && _clock.SampleMs is var tick && tick != _l1TimedAtMs)
        {
            _l1TimedAtMs = tick;
            var started = _metrics.StartTiming();
            hit = TryReadL1(key, out entry);
            _metrics.RecordDuration(started, _methodTag, CacheMetrics.L1, CacheMetrics.OpGet);
        }
        else
        {
            hit = TryReadL1(key, out entry);
        }

        if (hit)
        {
            if (_metrics.CountHits)
            {
                _l1Hits.Increment();
            }

            if (CacheTracing.Source.HasListeners())
            {
                CacheTracing.LocalHit(Descriptor.MethodId);
            }

            if (_audit is not null)
            {
                Audit(key, CacheAuditKind.LocalHit, CacheAudit.CurrentPrincipal);
            }
        }

        return hit;
    }

    /// <summary>A call past L1 while a trace listener or an audit sink observes: one activity and one audit event.</summary>
    private async ValueTask<TValue> ReadPastL1ObservedAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        var record = CacheTracing.Begin();
        var principal = CacheAudit.CurrentPrincipal;
        using var activity = CacheTracing.Source.HasListeners() ? CacheTracing.Start(Descriptor.MethodId) : null;
        try
        {
            return await ReadThroughAsync(key, state, load, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            activity?.SetTag("cachedgen.level", record.Level);
            activity?.SetTag("cachedgen.outcome", record.Outcome);
            if (_audit is not null)
            {
                Audit(key, record.Kind, principal);
            }
        }
    }

    private void Audit(in TKey key, CacheAuditKind kind, string? principal)
    {
        try
        {
            _audit!.Record(new CacheAuditEvent(Descriptor.MethodId, ReportedKey(RenderKey(key)), kind, principal, _runtime.Time.GetUtcNow()));
        }
        catch (Exception ex)
        {
            Log.AuditSinkFailed(_runtime.Logger, Descriptor.MethodId, ex);
        }
    }

    /// <summary>A key as logs and audit events show it: as rendered (hashed placeholders are already HMACs), except for
    /// a sensitive method, whose key is replaced by a keyed HMAC of itself (<c>sensitive:h1.…</c>): still the same for
    /// the same entry, so events can be correlated, but its values cannot be read or guessed.</summary>
    internal string ReportedKey(string redisKey)
    {
        if (!Descriptor.Sensitive)
        {
            return redisKey;
        }

        if (_runtime.Hasher is not { } hasher)
        {
            return "sensitive:<redacted>";
        }

        var builder = new CacheKeyBuilder(stackalloc char[64], hasher);
        builder.AppendLiteral("sensitive:");
        builder.AppendHashed(redisKey);
        return builder.ToStringAndClear();
    }
}
