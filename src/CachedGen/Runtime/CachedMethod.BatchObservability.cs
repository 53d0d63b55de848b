using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.Runtime;

// Batch reads, observed: one trace activity per batch call (its size and where its elements were answered) and one
// audit event per element, as single reads have. Nothing of it runs unless a listener or an audit sink is there.
public sealed partial class CachedMethod<TKey, TValue>
{
    private ValueTask<Dictionary<TElement, TValue>> ReadManyObservedOrNotAsync<TElement, TState>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, CancellationToken cancellationToken)
        where TElement : notnull
        => CacheTracing.Source.HasListeners() || _audit is not null
            ? ReadManyObservedAsync(elements, state, keyOf, load, cancellationToken)
            : ReadManyAsync(elements, state, keyOf, load, cancellationToken, null);

    private async ValueTask<Dictionary<TElement, TValue>> ReadManyObservedAsync<TElement, TState>(IEnumerable<TElement> elements, TState state, Func<TState, TElement, TKey> keyOf, Func<TState, TElement[], CancellationToken, ValueTask<IEnumerable<KeyValuePair<TElement, TValue>>?>> load, CancellationToken cancellationToken)
        where TElement : notnull
    {
        var record = new BatchRecord();
        var principal = _audit is null ? null : CacheAudit.CurrentPrincipal;
        using var activity = CacheTracing.Source.HasListeners() ? CacheTracing.Start(Descriptor.MethodId) : null;
        try
        {
            return await ReadManyAsync(elements, state, keyOf, load, cancellationToken, record).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            if (activity is not null)
            {
                activity.SetTag("cachedgen.batch.size", record.Events.Count);
                activity.SetTag("cachedgen.batch.l1_hits", record.Count(CacheAuditKind.LocalHit));
                activity.SetTag("cachedgen.batch.l2_hits", record.Count(CacheAuditKind.RedisHit));
                activity.SetTag("cachedgen.batch.misses", record.Count(CacheAuditKind.Miss));
                activity.SetTag("cachedgen.batch.bypassed", record.Count(CacheAuditKind.Bypass));
            }

            if (_audit is not null)
            {
                foreach (var (key, kind) in record.Events)
                {
                    Audit(key, kind, principal);
                }
            }
        }
    }

    /// <summary>Where each element of one observed batch call was answered (the call's steps run one after another).</summary>
    private sealed class BatchRecord
    {
        public List<(TKey Key, CacheAuditKind Kind)> Events { get; } = [];

        public void Note(TKey key, CacheAuditKind kind) => Events.Add((key, kind));

        public void NoteAll<TElement>(List<BatchItem<TElement>> items, CacheAuditKind kind)
        {
            foreach (var item in items)
            {
                Note(item.Key, kind);
            }
        }

        /// <summary>The items of <paramref name="asked"/> that are not in <paramref name="stillMissing"/>.</summary>
        public void NoteFound<TElement>(List<BatchItem<TElement>> asked, List<BatchItem<TElement>> stillMissing, CacheAuditKind kind)
        {
            var missing = new HashSet<BatchItem<TElement>>(stillMissing);
            foreach (var item in asked)
            {
                if (!missing.Contains(item))
                {
                    Note(item.Key, kind);
                }
            }
        }

        public int Count(CacheAuditKind kind) => Events.Count(e => e.Kind == kind);
    }
}
