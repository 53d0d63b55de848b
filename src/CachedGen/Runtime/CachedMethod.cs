using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BitFaster.Caching.Lru;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// The per-process cache of one generated method: a bounded L1 keyed by the method's placeholder values (a value
/// tuple), in-flight loads (one source call per key per process, and through a Redis lease one per key across nodes),
/// the Redis L2 path, early refresh and the fail-safe.
/// </summary>
/// <typeparam name="TKey">The placeholder values (a value tuple), compared by value.</typeparam>
/// <typeparam name="TValue">The cached result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CachedMethod<TKey, TValue> : ICachedMethodStatistics
    where TKey : struct, IEquatable<TKey>
{
    private readonly CacheRuntime _runtime;
    private readonly RuntimeClock _clock;
    private readonly RedisLevel? _redis;
    private readonly ConcurrentLru<TKey, LocalEntry>? _local;
    private readonly ConcurrentDictionary<TKey, Flight> _inflight = new();
    private readonly string _keyPrefix;
    private readonly int _maxValueBytes;
    private readonly long _leaseMs;
    private readonly long _leaseWaitMs;
    private readonly CacheMetrics _metrics;
    // Striped counters (LongAdder-style), exact under concurrency; incremented only while a listener wants hit counts,
    // since even one atomic increment costs the L1 hit path a quarter of its time. Observed by the meter.
    private readonly BitFaster.Caching.Counters.Counter _l1Hits = new();
    private readonly BitFaster.Caching.Counters.Counter _l2Hits = new();
    private readonly KeyValuePair<string, object?> _methodTag;
    private readonly ValueCipher? _cipher;
    private readonly ICacheAuditSink? _audit;
    private readonly bool _tagged;
    private readonly GenerationCell _generation;
    private volatile GenerationSuffixText _generationSuffix = new(0, 0, "");
    private int _oversizeLogged;
    private int _tooDeepLogged;

    // Reloadable settings (see MethodPolicy), and the one flag the hit path reads: runtime and method both enabled.
    private volatile MethodPolicy _policy;
    private volatile bool _enabled;

    // What the L1 hit path does, in one field it reads first: 0 nothing (no L1, or the cache is off), 1 a plain lookup,
    // 2 a lookup that is counted, timed, traced or audited. Recomputed when any of those inputs changes.
    private volatile int _hitMode;

    private readonly CacheKeyRenderer<TKey> _renderKey;
    private readonly CacheTagsRenderer<TKey>? _renderTags;

    internal CachedMethod(CacheMethodDescriptor<TKey, TValue> descriptor, CacheRuntime runtime)
    {
        Descriptor = descriptor;
        _renderKey = descriptor.RenderKey;
        _renderTags = descriptor.RenderTags;
        _runtime = runtime;
        _clock = runtime.Clock;
        _keyPrefix = runtime.Options.KeyPrefix + descriptor.KeyPrefix;
        _policy = MethodPolicy.Create(descriptor, runtime.CurrentOptions);
        _enabled = runtime.Enabled && _policy.Enabled;

        // L1 exists unless the attribute turned it off (LocalTtl = 0); its capacity is fixed for the process.
        var capacity = Math.Max(3, descriptor.MaxLocalEntries > 0 ? descriptor.MaxLocalEntries : runtime.Options.DefaultMaxLocalEntries);
        if (_policy.LocalTtlMs > 0)
        {
            _local = new ConcurrentLru<TKey, LocalEntry>(capacity);
            _clock.StartTicking();
        }

        _generations = new int[BucketCount(_local is null ? 0 : capacity)];
        _metrics = runtime.Metrics;
        UpdateHitMode();
        _leaseMs = Math.Max(1, (long)runtime.Options.LeaseDuration.TotalMilliseconds);
        _leaseWaitMs = Math.Clamp((long)runtime.Options.LeaseWaitTimeout.TotalMilliseconds, 0, _leaseMs);
        _maxValueBytes = descriptor.MaxValueBytes > 0 ? descriptor.MaxValueBytes : runtime.Options.DefaultMaxValueBytes;

        _methodTag = CacheMetrics.Method(descriptor.MethodId);

        // Sensitive values reach Redis only encrypted (CacheRuntime.GetMethod refuses a sensitive method with Redis and
        // no key), and a sensitive method accepts only encrypted payloads.
        _redis = runtime.Redis;
        _cipher = descriptor.Sensitive ? runtime.Cipher : null;
        _audit = runtime.AuditSink;
        _tagged = descriptor.TagTemplates.Length > 0;
        if (_tagged && _renderTags is null)
        {
            throw new ArgumentException($"{descriptor.MethodId} declares tags but its descriptor has no RenderTags.", nameof(descriptor));
        }

        _generation = runtime.Tags.MethodCell(descriptor.MethodId);
    }

    /// <summary>Calls served from L1 since the method was first used in this runtime.</summary>
    public long LocalHits => _l1Hits.Count();

    /// <summary>Calls served from Redis since the method was first used in this runtime.</summary>
    public long RedisHits => _l2Hits.Count();

    (string MethodId, long LocalHits, long RedisHits) ICachedMethodStatistics.Hits => (Descriptor.MethodId, LocalHits, RedisHits);

    /// <inheritdoc/>
    long ICachedMethodStatistics.Evictions => _local is { } local && local.Metrics.HasValue ? local.Metrics.Value!.Evicted : 0;

    /// <summary>What the generator recorded about the method.</summary>
    public CacheMethodDescriptor Descriptor { get; }

    /// <summary>Number of entries in L1 (fresh or not yet evicted).</summary>
    public int LocalCount => _local?.Count ?? 0;

    /// <summary>Whether this method uses Redis (configured); a sensitive method's values are encrypted there.</summary>
    public bool UsesRedis => _redis is not null;

    /// <summary>Whether values are encrypted before they go to Redis (a sensitive method).</summary>
    public bool EncryptsValues => _cipher is not null;

    /// <summary>Whether calls go through the cache: the runtime's and this method's kill switches are both on.</summary>
    public bool Enabled => _enabled;

    /// <summary>The TTL entries are written with now (the attribute's, or its configured override).</summary>
    public TimeSpan Ttl => _policy.Ttl;

    /// <summary>Applies reloaded options (see <see cref="CachedMethodOptions"/>); the next call uses them.</summary>
    void ICachedMethodStatistics.Reconfigure(CachedGenOptions options, bool runtimeEnabled)
    {
        var policy = MethodPolicy.Create(Descriptor, options);
        var regenerated = policy.KeyGeneration != _policy.KeyGeneration;
        _policy = policy;
        if (regenerated)
        {
            // New keys: entries read under the old ones must not be served from L1 either.
            ClearLocal();
        }

        _enabled = runtimeEnabled && policy.Enabled;
        UpdateHitMode();
    }

    /// <inheritdoc/>
    void ICachedMethodStatistics.UpdateHitMode() => UpdateHitMode();

    private void UpdateHitMode() => _hitMode = _local is null || !_enabled ? 0 : _metrics.Observed ? 2 : 1;

    /// <summary>L1 lookup: no string is built and nothing is allocated.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetLocal(in TKey key, out TValue value)
    {
        var mode = _hitMode;
        if (mode != 0 && (mode == 1 ? TryGetFresh(key, out var entry) : TryGetObserved(key, out entry)))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>L1 lookup for <see cref="Task{TResult}"/> methods: returns the entry's completed task, created once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryGetLocalTask(in TKey key, out Task<TValue> task)
    {
        var mode = _hitMode;
        if (mode != 0 && (mode == 1 ? TryGetFresh(key, out var entry) : TryGetObserved(key, out entry)))
        {
            task = entry.Task ??= Task.FromResult(entry.Value);
            return true;
        }

        task = null!;
        return false;
    }

    /// <summary>A call of a cached method returning <see cref="Task{TResult}"/>: the L1 entry's completed task (created
    /// once), else Redis, else <paramref name="load"/>, called once per key across nodes (others wait for it). The
    /// generated decorator makes this its only call; the L1 lookup is inlined into it.</summary>
    /// <param name="key">The placeholder values.</param>
    /// <param name="state">What the loader needs besides the key (the generated decorator, and any argument the key
    /// does not hold), passed to it as is.</param>
    /// <param name="load">Calls the source on a miss. The generated decorator keeps it in a <c>static readonly</c> field,
    /// which the JIT reads as a constant.</param>
    /// <param name="cancellationToken">Cancels this caller's wait (and the load, when no other caller waits for it).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Task<TValue> GetTaskAsync<TState>(in TKey key, TState state, Func<TState, TKey, CancellationToken, Task<TValue>> load, CancellationToken cancellationToken)
        => TryGetLocalTask(in key, out var task) ? task : LoadTaskAsync(key, state, load, cancellationToken);

    /// <summary>A call of a cached method returning <see cref="ValueTask{TResult}"/>: as <see cref="GetTaskAsync{TState}"/>.</summary>
    /// <param name="key">The placeholder values.</param>
    /// <param name="state">What the loader needs besides the key, passed to it as is.</param>
    /// <param name="load">Calls the source on a miss.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask<TValue> GetAsync<TState>(in TKey key, TState state, Func<TState, TKey, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
        => TryGetLocal(in key, out var value) ? new ValueTask<TValue>(value) : LoadAsync(key, state, load, cancellationToken);

    /// <summary>A call of a cached method returning a plain value: as <see cref="GetTaskAsync{TState}"/>. It blocks on
    /// Redis I/O on a miss; prefer asynchronous methods for remote data.</summary>
    /// <param name="key">The placeholder values.</param>
    /// <param name="state">What the loader needs besides the key, passed to it as is.</param>
    /// <param name="load">Calls the source on a miss.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TValue Get<TState>(in TKey key, TState state, Func<TState, TKey, TValue> load)
        => TryGetLocal(in key, out var value) ? value : Load(key, state, load);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Task<TValue> LoadTaskAsync<TState>(TKey key, TState state, Func<TState, TKey, CancellationToken, Task<TValue>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        return GetOrLoadAsync(key, (state, key, load), static (s, token) => new ValueTask<TValue>(s.load(s.state, s.key, token)), cancellationToken).AsTask();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<TValue> LoadAsync<TState>(TKey key, TState state, Func<TState, TKey, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        return GetOrLoadAsync(key, (state, key, load), static (s, token) => s.load(s.state, s.key, token), cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TValue Load<TState>(TKey key, TState state, Func<TState, TKey, TValue> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (!_enabled)
        {
            return load(state, key);
        }

        return GetOrLoadAsync(key, (state, key, load), static (s, _) => new ValueTask<TValue>(s.load(s.state, s.key)), CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A fresh, current entry. The one caller that finds it due for an early refresh gets
    /// <see langword="false"/>: it goes on to <see cref="GetOrLoadAsync{TState}"/>, which has the source at hand, starts
    /// the refresh and still answers from this entry.</summary>
    /// <remarks>An entry's refresh moment is never after its expiry (equal when early refresh is off), so the common case
    /// is one clock comparison.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryGetFresh(in TKey key, out LocalEntry entry)
        => _local!.TryGet(key, out entry!) && IsCurrent(entry)
           && (_clock.IsBefore(entry.RefreshAt) || IsFreshPastRefreshMoment(entry));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool IsFreshPastRefreshMoment(LocalEntry entry)
        => _clock.IsBefore(entry.ExpiresAt) && (entry.RefreshAt == entry.ExpiresAt || !entry.ClaimRefresh());

    /// <summary>Whether no invalidation reached the entry's bucket (nor, for a tagged method, any of its tags) since its
    /// load started. The bucket index was masked
    /// to the array's length when the entry was made, so the read needs no bounds check.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsCurrent(LocalEntry entry)
        => entry.Generation == Volatile.Read(ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_generations), entry.Bucket))
           && (entry.Tags is null || _runtime.Tags.IsCurrent(entry.Tags));

    /// <summary>A fresh, current L1 entry, looked up from inside a load: unlike <see cref="TryGetLocal"/> it never claims
    /// the entry's early refresh (the caller could not start it) and is not counted as a hit of its own.</summary>
    private bool TryPeekLocal(in TKey key, out TValue value)
    {
        if (_hitMode != 0 && _local!.TryGet(key, out var entry) && IsCurrent(entry) && _clock.IsBefore(entry.ExpiresAt))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>The L1 lookup while a listener observes it: counted, timed and traced.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryGetObserved(in TKey key, out LocalEntry entry)
    {
        var started = _metrics.StartTiming();
        var hit = TryGetFresh(key, out entry);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L1, CacheMetrics.OpGet);
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

    /// <summary>After an L1 miss: Redis, then the source, called once per key across nodes (others wait for it).</summary>
    private ValueTask<TValue> GetOrLoadAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
        => CacheTracing.Source.HasListeners() || _audit is not null
            ? ObservedAsync(key, state, load, cancellationToken)
            : LoadThroughAsync(key, state, load, cancellationToken);

    /// <summary>A call past L1 while a trace listener or an audit sink observes: one activity and one audit event.</summary>
    private async ValueTask<TValue> ObservedAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        var record = CacheTracing.Begin();
        var principal = CacheAudit.CurrentPrincipal;
        using var activity = CacheTracing.Source.HasListeners() ? CacheTracing.Start(Descriptor.MethodId) : null;
        try
        {
            return await LoadThroughAsync(key, state, load, cancellationToken).ConfigureAwait(false);
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

    private ValueTask<TValue> LoadThroughAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        if (!_enabled)
        {
            CacheTracing.Mark("source", "bypass");
            return load(state, cancellationToken);
        }

        // The caller that claimed an early refresh: start it, answer from the entry.
        if (_local is not null && _local.TryGet(key, out var entry) && entry.TryStartRefresh()
            && _clock.IsBefore(entry.ExpiresAt) && IsCurrent(entry))
        {
            _ = RefreshAsync(key, state, load, entry);
            CacheTracing.Mark("l1", "hit");
            return new ValueTask<TValue>(entry.Value);
        }

        if (_redis is not null)
        {
            return ReadThroughAsync(key, state, load, cancellationToken);
        }

        var stamp = StampOf(BucketOf(key.GetHashCode()));
        if (_tagged)
        {
            // Without Redis the generations are this node's own: the snapshot completes at once.
            stamp = stamp with { Tags = TagSnapshotAsync(key).AsTask().GetAwaiter().GetResult() };
        }

        return new ValueTask<TValue>(GetOrJoinAsync(key, state, load, null, stamp, default, cancellationToken));
    }

    /// <summary>Removes the entry from L1 and Redis (the value and any lease on it, so a load in flight on any node
    /// cannot write what it read before the change) and tells the other nodes to drop it from their L1. Loads that
    /// were in flight here when it was called do not cache their result. Never throws: a Redis failure is logged.</summary>
    public async ValueTask InvalidateAsync(TKey key)
    {
        var (baseKey, bucket) = BeginChange(key, CacheMetrics.KindLocal, CacheAuditKind.Invalidation);

        if (baseKey is null)
        {
            return;
        }

        var started = _metrics.StartTiming();
        // The entry lives under the current generations of everything and of this method, and, when tagged, under its
        // tags' generations as Redis has them now (not as the backplane last said). The announcement names the key
        // without them: other nodes hash it to the same L1 bucket whatever generations they know.
        await EnsureGenerationsAsync().ConfigureAwait(false);
        var generationKey = baseKey + GenerationSuffix();
        string[]? tags = _tagged ? _renderTags!(in key, _runtime.TagRenderer) : null;
        var generations = tags is null ? null : await _runtime.Tags.ReadAsync(tags).ConfigureAwait(false);
        var suffix = generations is null ? "" : TagGenerations.Suffix(generations);
        var redisKey = generationKey + suffix;
        if ((tags is not null && generations is null)
            || !await _redis!.InvalidateAsync(redisKey, LeaseKey(redisKey), _runtime.Backplane, Descriptor.MethodId, baseKey).ConfigureAwait(false))
        {
            _metrics.InvalidationFailures.Add(1, _methodTag);
        }

        if (tags is not null && generations is not null && await _runtime.Tags.ReadAsync(tags).ConfigureAwait(false) is { } now
            && TagGenerations.Suffix(now) is var nowSuffix && nowSuffix != suffix)
        {
            // A tag moved on between the read and the delete: a load may already fill the new key with what it read before
            // this write. Delete that one too.
            var movedKey = generationKey + nowSuffix;
            await _redis!.InvalidateAsync(movedKey, LeaseKey(movedKey), null, Descriptor.MethodId).ConfigureAwait(false);
        }

        if (Descriptor.HashesKey && _runtime.IsRotating)
        {
            // During a key-hashing rotation the entry may still live under the previous secret's key: delete it too.
            var previousKey = RenderKey(key, _runtime.PreviousHasher) + GenerationSuffix() + suffix;
            await _redis!.InvalidateAsync(previousKey, LeaseKey(previousKey), null, Descriptor.MethodId).ConfigureAwait(false);
        }

        // Again, now that Redis no longer has the entry: a read on this node that started between the first bump and the
        // delete may have read the old value from Redis under the new generation. (Other nodes bump when the backplane
        // message arrives, which the same script sends after the delete; this node ignores its own message.)
        Bump(bucket);
        _local?.TryRemove(key);

        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpInvalidate);
    }

    /// <summary>The local half of a change to the entry of <paramref name="key"/> (an invalidation or a put): its L1 entry
    /// goes and its bucket's generation moves on (loads in flight do not cache their result); counted and audited.
    /// Returns the entry's key without generations or tags (<see langword="null"/> without Redis) and its bucket.</summary>
    private (string? BaseKey, int Bucket) BeginChange(TKey key, string kind, CacheAuditKind auditKind)
    {
        var baseKey = _redis is null ? null : RenderKey(key);
        var bucket = baseKey is null ? BucketOf(key.GetHashCode()) : BucketOf(baseKey);
        Bump(bucket);
        _local?.TryRemove(key);
        _metrics.AddInvalidation(kind, _methodTag);
        if (_audit is not null)
        {
            Audit(key, auditKind, CacheAudit.CurrentPrincipal);
        }

        return (baseKey, bucket);
    }

    /// <summary>Synchronous form of <see cref="InvalidateAsync"/>.</summary>
    public void Invalidate(TKey key) => InvalidateAsync(key).AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Write-through (<c>[CachePut]</c>): puts a write's result in the entry of <paramref name="key"/>, in Redis (over any
    /// value there, dropping the entry's lease so that a load in flight cannot overwrite it with what it read before)
    /// and in this node's L1; the other nodes drop their L1 copy and read the new value from Redis. A value that cannot
    /// be written (too large, not serializable) invalidates the entry instead. Never throws.
    /// </summary>
    public async ValueTask PutAsync(TKey key, TValue value)
    {
        if (!_enabled)
        {
            await InvalidateAsync(key).ConfigureAwait(false);
            return;
        }

        var (baseKey, bucket) = BeginChange(key, CacheMetrics.KindPut, CacheAuditKind.Put);

        string[]? tags = _tagged ? _renderTags!(in key, _runtime.TagRenderer) : null;
        if (baseKey is null)
        {
            var local = StampOf(bucket);
            if (tags is not null)
            {
                local = local with { Tags = await _runtime.Tags.SnapshotAsync(tags).ConfigureAwait(false) };
            }

            SetLocal(key, value, _policy.LocalTtlMs, local, 0);
            return;
        }

        var started = _metrics.StartTiming();
        await EnsureGenerationsAsync().ConfigureAwait(false);
        var redisKey = baseKey + GenerationSuffix();
        TagSnapshot? snapshot = null;
        if (tags is not null)
        {
            // Under the tags' generations as Redis has them now, as an invalidation would.
            snapshot = await _runtime.Tags.ReadSnapshotAsync(tags).ConfigureAwait(false);
            if (snapshot is null)
            {
                _metrics.InvalidationFailures.Add(1, _methodTag);
                return;
            }

            redisKey += snapshot.Suffix;
        }

        if (Encode(redisKey, value) is not { } encoded)
        {
            await _redis!.InvalidateAsync(redisKey, LeaseKey(redisKey), _runtime.Backplane, Descriptor.MethodId, baseKey).ConfigureAwait(false);
            return;
        }

        var written = await _redis!.PutAsync(redisKey, LeaseKey(redisKey), encoded.Memory, encoded.Physical, _runtime.Backplane, Descriptor.MethodId, baseKey).ConfigureAwait(false);
        encoded.Release(written);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpInvalidate);
        if (!written)
        {
            _metrics.InvalidationFailures.Add(1, _methodTag);
            return; // Redis may still hold the old value: L1 does not take the new one either (it would outlive it)
        }

        // Again, now that Redis has the new value: a read here that started between the first bump and the write may have
        // read the old one. Then L1 takes the new value under the newest generation.
        Bump(bucket);
        var remainingMs = encoded.ExpiresUnixMs - _clock.UtcNowUnixMs;
        SetLocal(key, value, Math.Min(_policy.LocalTtlMs, remainingMs), StampOf(bucket) with { Tags = snapshot }, encoded.ExpiresUnixMs);
    }

    /// <summary>Synchronous form of <see cref="PutAsync"/>.</summary>
    public void Put(TKey key, TValue value) => PutAsync(key, value).AsTask().GetAwaiter().GetResult();

    /// <summary>Removes every L1 entry of this method on this node; loads in flight do not cache their result.</summary>
    public void ClearLocal()
    {
        for (var i = 0; i < _generations.Length; i++)
        {
            Interlocked.Increment(ref _generations[i]);
        }

        _local?.Clear();
    }

    /// <summary>Removes every L1 entry of this method on every node (this one now, the others through the backplane).
    /// Redis entries stay. Never throws.</summary>
    public async ValueTask ClearLocalEverywhereAsync()
    {
        ClearLocal();
        _metrics.AddInvalidation(CacheMetrics.KindLocal, _methodTag);
        if (_runtime.Backplane is { } backplane && !await backplane.PublishMethodAsync(Descriptor.MethodId).ConfigureAwait(false))
        {
            _metrics.InvalidationFailures.Add(1, _methodTag);
        }
    }

    /// <summary>The Redis key of <paramref name="key"/>: options prefix, assembly prefix, then the rendered template in
    /// braces (a Redis Cluster hash tag, so the entry and its lease share a slot), then the version.</summary>
    public string RenderKey(in TKey key) => RenderKey(key, _runtime.Hasher);

    private string RenderKey(in TKey key, KeyHasher? hasher)
    {
        var builder = new CacheKeyBuilder(stackalloc char[256], hasher);
        builder.AppendLiteral(_keyPrefix);
        builder.AppendLiteral("{");
        _renderKey(in key, ref builder);
        builder.AppendLiteral("}");
        builder.AppendLiteral(Descriptor.KeySuffix);
        builder.AppendLiteral(_policy.KeyGeneration);
        return builder.ToStringAndClear();
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

    /// <summary>The tags of <paramref name="key"/> under the generations this node knows (read from Redis where it knows
    /// none, or an old one); <see langword="null"/> when one cannot be known.</summary>
    private ValueTask<TagSnapshot?> TagSnapshotAsync(in TKey key) => _runtime.Tags.SnapshotAsync(_renderTags!(in key, _runtime.TagRenderer));

    /// <summary>Makes sure the generations of everything and of this method are known and recent (at once in the common
    /// case); <see langword="false"/> when one was never known and Redis cannot be asked.</summary>
    private ValueTask<bool> EnsureGenerationsAsync() => _runtime.Tags.EnsureAsync(_generation);

    /// <summary>What the generations of everything and of this method add to a Redis key: nothing while both are 0
    /// (never invalidated), else <c>.r{all}.{method}</c> in hexadecimal.</summary>
    private string GenerationSuffix()
    {
        var all = _runtime.Tags.All.Value;
        var method = _generation.Value;
        var cached = _generationSuffix;
        if (cached.All == all && cached.Method == method)
        {
            return cached.Text;
        }

        var text = all == 0 && method == 0
            ? ""
            : ".r" + all.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "." + method.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        _generationSuffix = new GenerationSuffixText(all, method, text);
        return text;
    }

    private sealed record GenerationSuffixText(long All, long Method, string Text);

    /// <summary>The key of the lease on <paramref name="redisKey"/>: same hash tag, so same cluster slot.</summary>
    internal static string LeaseKey(string redisKey) => redisKey + ":lease";

    /// <summary>An invalidation that came over the backplane: <paramref name="redisKey"/> is the entry's rendered key,
    /// or <see langword="null"/> for every entry of the method.</summary>
    void ICachedMethodStatistics.InvalidateLocal(string? redisKey)
    {
        _metrics.AddInvalidation(CacheMetrics.KindRemote, _methodTag);
        if (redisKey is null)
        {
            ClearLocal();
        }
        else
        {
            // The entry cannot be found from its rendered key, so its bucket's generation moves on: the entry (and the
            // few that share its bucket) is no longer served, and a load in flight under it is not cached.
            Bump(BucketOf(redisKey));
        }
    }

    /// <summary>Reads Redis before joining the in-flight load: concurrent callers each read Redis (a cheap GET), and only
    /// the source call is shared. This keeps the single-flight machinery off the L2 hit path.</summary>
    private async ValueTask<TValue> ReadThroughAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        var redisKey = RenderKey(key);
        var stamp = StampOf(BucketOf(redisKey));
        if (!await EnsureGenerationsAsync().ConfigureAwait(false))
        {
            // The generations cannot be read yet (Redis unreachable or slow since start): Redis keys are unknown, so Redis
            // is left out of this call, as in an outage. Untagged values from the source can still live in L1.
            if (_tagged)
            {
                CacheTracing.Mark("source", "bypass");
                return await load(state, cancellationToken).ConfigureAwait(false);
            }

            return await GetOrJoinAsync(key, state, load, null, stamp, default, cancellationToken).ConfigureAwait(false);
        }

        redisKey += GenerationSuffix();
        if (_tagged)
        {
            if (await TagSnapshotAsync(key).ConfigureAwait(false) is not { } tags)
            {
                CacheTracing.Mark("source", "bypass");
                return await load(state, cancellationToken).ConfigureAwait(false);
            }

            stamp = stamp with { Tags = tags };
            redisKey += tags.Suffix;
        }

        var started = _metrics.StartTiming();
        Lease<byte>? read;
        if (_redis!.TryStartGet(redisKey, out var pending, out var bounded))
        {
            try
            {
                read = await bounded.ConfigureAwait(false);
                _redis.OnGetSucceeded();
            }
            catch (Exception ex)
            {
                _redis.OnGetFailed(ex, pending, Descriptor.MethodId);
                read = null;
            }
        }
        else
        {
            read = await _redis.GetAsync(redisKey, Descriptor.MethodId).ConfigureAwait(false);
        }

        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpGet);
        var fallback = default(Fallback);
        using (var lease = read)
        {
            if (lease is not null)
            {
                switch (Accept(key, lease.Memory, redisKey, stamp, out var hit, out fallback))
                {
                    case Payload.Fresh:
                        CacheTracing.Mark("l2", "hit");
                        return hit;
                }
            }
        }

        if (Descriptor.HashesKey && _runtime.IsRotating && await ReadPreviousKeyAsync(key, stamp, GenerationSuffix() + stamp.Tags?.Suffix).ConfigureAwait(false) is (true, var previous))
        {
            CacheTracing.Mark("l2", "hit");
            return previous;
        }

        return await GetOrJoinAsync(key, state, load, redisKey, stamp, fallback, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>During a key-hashing rotation: the entry under the previous secret's key, written before the rotation.</summary>
    private async ValueTask<(bool Found, TValue Value)> ReadPreviousKeyAsync(TKey key, Stamp stamp, string tagSuffix)
    {
        var previousKey = RenderKey(key, _runtime.PreviousHasher) + tagSuffix;
        using var read = await _redis!.GetAsync(previousKey, Descriptor.MethodId).ConfigureAwait(false);
        return read is not null && Accept(key, read.Memory, previousKey, stamp, out var value, out _) == Payload.Fresh
            ? (true, value)
            : (false, default!);
    }

    /// <summary>Decodes a payload read from Redis. Fresh: the value, now in L1 (unless an invalidation came in since
    /// <paramref name="stamp"/>). Expired: kept in <paramref name="fallback"/> while the fail-safe may still serve it.
    /// Unreadable: logged, and deleted in the background.</summary>
    private Payload Accept(TKey key, ReadOnlyMemory<byte> payload, string redisKey, Stamp stamp, out TValue value, out Fallback fallback)
    {
        fallback = default;
        byte[]? opened = null;
        bool decoded;
        long expiresUnixMs;
        string? error;
        if (_cipher is null)
        {
            decoded = PayloadEnvelope.TryDecode(payload, Descriptor.ShapeFingerprint, out value, out expiresUnixMs, out error);
        }
        else if (_cipher.TryOpen(payload.Span, redisKey, out opened, out var length, out error))
        {
            decoded = PayloadEnvelope.TryDecode(opened.AsMemory(0, length), Descriptor.ShapeFingerprint, out value, out expiresUnixMs, out error);
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
                Log.PreviousFormatPayload(_runtime.Logger, Descriptor.MethodId);
            }
            else
            {
                Log.CorruptPayload(_runtime.Logger, Descriptor.MethodId, ReportedKey(redisKey), error!);
            }

            _ = _redis!.DeleteAsync(redisKey, Descriptor.MethodId).AsTask();
            return Payload.Unreadable;
        }

        var remainingMs = expiresUnixMs - _clock.UtcNowUnixMs;
        if (remainingMs <= 0)
        {
            fallback = new Fallback(true, value, _clock.NowMs + remainingMs, stamp);
            return Payload.Expired;
        }

        SetLocal(key, value, Math.Min(_policy.LocalTtlMs, remainingMs), stamp, expiresUnixMs);
        if (_metrics.CountHits)
        {
            _l2Hits.Increment();
        }

        return Payload.Fresh;
    }

    private async Task<TValue> GetOrJoinAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string? redisKey, Stamp stamp, Fallback fallback, CancellationToken cancellationToken)
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

                    return await LeadAsync(key, state, load, redisKey, stamp, fallback, flight, cancellationToken).ConfigureAwait(false);
                }

                _metrics.Misses.Add(1, _methodTag);
                _metrics.Coalesced.Add(1, _methodTag);
                CacheTracing.Mark("source", "coalesced");
                try
                {
                    return await running.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (running.Task.IsCanceled && !cancellationToken.IsCancellationRequested)
                {
                    // The caller that led the load was cancelled, this one was not: load again.
                    continue;
                }
            }

            flight ??= new Flight(new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously), stamp);
            if (!_inflight.TryAdd(key, flight))
            {
                continue;
            }

            return await LeadAsync(key, state, load, redisKey, stamp, fallback, flight, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the load of <paramref name="flight"/>, which this caller registered, and completes it for the callers
    /// that joined.</summary>
    private async Task<TValue> LeadAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string? redisKey, Stamp stamp, Fallback fallback, Flight flight, CancellationToken cancellationToken)
    {
        try
        {
            var value = redisKey is null
                ? await LoadLocalAsync(key, state, load, stamp, cancellationToken).ConfigureAwait(false)
                : await LoadSharedAsync(key, state, load, redisKey, stamp, fallback, cancellationToken).ConfigureAwait(false);
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
    }

    /// <summary>A miss of a method without Redis: the source, then L1.</summary>
    private async Task<TValue> LoadLocalAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, Stamp stamp, CancellationToken cancellationToken)
    {
        // Another load may have filled L1 between this caller's miss and its flight.
        if (TryPeekLocal(key, out var fresh))
        {
            return fresh;
        }

        return await GuardAsync(key, LoadAndKeepAsync(key, state, load, stamp), default, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TValue> LoadAndKeepAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, Stamp stamp, bool refresh = false)
    {
        var value = await CallSourceAsync(state, load, refresh).ConfigureAwait(false);
        SetLocal(key, value, _policy.LocalTtlMs, stamp, 0);
        return value;
    }

    /// <summary>
    /// A miss with Redis: one source call per key across every node. The caller takes the entry's lease in Redis (or
    /// finds that another node wrote the value meanwhile); the lease holder calls the source and writes the value only
    /// while it still holds the lease; the others poll for the value, take the lease themselves once it has expired, and
    /// stop waiting after <see cref="CachedGenOptions.LeaseWaitTimeout"/> (then they load without writing to Redis).
    /// With Redis unreachable the caller loads without a lease and writes nothing to Redis.
    /// </summary>
    private async Task<TValue> LoadSharedAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string redisKey, Stamp stamp, Fallback fallback, CancellationToken cancellationToken)
    {
        if (TryPeekLocal(key, out var fresh))
        {
            return fresh;
        }

        var leaseKey = LeaseKey(redisKey);
        var token = Guid.NewGuid().ToString("N");
        var failSafe = _policy.FailSafeMaxAgeMs > 0;
        long waitStarted = 0;
        for (var attempt = 0; ; attempt++)
        {
            var started = _metrics.StartTiming();
            var nowUnixMs = failSafe ? _clock.UtcNowUnixMs : 0;
            var found = await _redis!.GetOrLeaseAsync(redisKey, leaseKey, token, _leaseMs, nowUnixMs, Descriptor.MethodId).ConfigureAwait(false);
            _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpLease);
            if (found.Stale is { } stale && !fallback.Has && Accept(key, stale, redisKey, stamp, out _, out var expired) == Payload.Expired)
            {
                fallback = expired;
            }

            switch (found.Outcome)
            {
                case LeaseOutcome.Value when found.Value is { } payload:
                    switch (Accept(key, payload, redisKey, stamp, out var written, out var expiredNow))
                    {
                        case Payload.Fresh:
                            CacheTracing.Mark("l2", waitStarted == 0 ? "hit" : "lease_wait");
                            return written;
                        case Payload.Expired:
                            fallback = fallback.Has ? fallback : expiredNow;
                            break;
                    }

                    // Unreadable, or expired between the script and now: load without the lease, write nothing.
                    return await GuardAsync(key, LoadAndKeepAsync(key, state, load, stamp), fallback, cancellationToken).ConfigureAwait(false);

                case LeaseOutcome.Acquired:
                    return await GuardAsync(key, LoadUnderLeaseAsync(key, state, load, redisKey, leaseKey, token, stamp), fallback, cancellationToken).ConfigureAwait(false);

                case LeaseOutcome.Held:
                    var now = _clock.NowMs;
                    if (waitStarted == 0)
                    {
                        waitStarted = now;
                        _metrics.LeaseWaits.Add(1, _methodTag);
                    }
                    else if (now - waitStarted > _leaseWaitMs)
                    {
                        // The holder is slow, crashed, or lost its lease to an outage: stop waiting, load, write nothing.
                        _metrics.LeaseTimeouts.Add(1, _methodTag);
                        return await GuardAsync(key, LoadAndKeepAsync(key, state, load, stamp), fallback, cancellationToken).ConfigureAwait(false);
                    }

                    if (fallback.Has && _policy.SoftTimeout > TimeSpan.Zero && now - waitStarted >= (long)_policy.SoftTimeout.TotalMilliseconds
                        && TryServeFallback(key, fallback, "timeout", out var staleValue))
                    {
                        return staleValue;
                    }

                    await Task.Delay(PollDelay(attempt), _clock.Provider, cancellationToken).ConfigureAwait(false);
                    continue;

                default:
                    return await GuardAsync(key, LoadAndKeepAsync(key, state, load, stamp), fallback, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Polling for another node's value: 2, 4, 8, 16, 32, then every 50 ms.</summary>
    private static TimeSpan PollDelay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(50, 2 << Math.Min(attempt, 5)));

    private async Task<TValue> LoadUnderLeaseAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string redisKey, string leaseKey, string token, Stamp stamp, bool refresh = false)
    {
        TValue value;
        try
        {
            value = await CallSourceAsync(state, load, refresh).ConfigureAwait(false);
        }
        catch
        {
            // Let the next caller (here or on another node) try at once instead of waiting out the lease.
            _ = _redis!.ReleaseAsync(leaseKey, token, Descriptor.MethodId).AsTask();
            throw;
        }

        // Redis is guarded by the lease: an invalidation of this key deleted it, and then nothing is written. L1 is guarded
        // by the stamp: SetLocal skips the value if the key's bucket was invalidated meanwhile (by this key, or by another
        // key sharing the bucket, which the lease rightly ignores). Either way the fill runs, and releases the lease.
        var (keep, expiresUnixMs) = await FillRedisAsync(redisKey, leaseKey, token, value).ConfigureAwait(false);
        if (keep)
        {
            SetLocal(key, value, _policy.LocalTtlMs, stamp, expiresUnixMs);
        }

        return value;
    }

    /// <summary>
    /// Waits for a load under the fail-safe and the source timeouts. If the source throws, or runs past the soft timeout
    /// while an expired value is at hand, or past the hard timeout, the caller gets the expired value (if within
    /// <see cref="CachedGenOptions.FailSafeMaxAge"/>); a load that is only slow goes on and caches its result.
    /// </summary>
    private async Task<TValue> GuardAsync(TKey key, Task<TValue> loading, Fallback fallback, CancellationToken cancellationToken)
    {
        var policy = _policy;
        if (policy.FailSafeMaxAgeMs <= 0 && policy.HardTimeout == TimeSpan.Zero)
        {
            return await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (!fallback.Has)
        {
            fallback = LocalFallback(key);
        }

        var wait = fallback.Has && policy.SoftTimeout > TimeSpan.Zero ? policy.SoftTimeout : policy.HardTimeout;
        try
        {
            return wait > TimeSpan.Zero
                ? await loading.WaitAsync(wait, _clock.Provider, cancellationToken).ConfigureAwait(false)
                : await loading.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!loading.IsCompleted)
        {
            Observe(loading);
            if (TryServeFallback(key, fallback, "timeout", out var stale))
            {
                return stale;
            }

            if (wait != policy.HardTimeout && policy.HardTimeout > wait)
            {
                // Soft timeout with the expired value too old by now: wait out the hard one.
                return await GuardTimeoutAsync(loading, policy.HardTimeout - wait, cancellationToken).ConfigureAwait(false);
            }

            throw SourceTimeout(policy.HardTimeout);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && loading.IsFaulted && TryServeFallback(key, fallback, "error", out var stale))
        {
            Log.FailSafeOnError(_runtime.Logger, Descriptor.MethodId, ex);
            return stale;
        }
    }

    private async Task<TValue> GuardTimeoutAsync(Task<TValue> loading, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            return await loading.WaitAsync(wait, _clock.Provider, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!loading.IsCompleted)
        {
            throw SourceTimeout(_policy.HardTimeout);
        }
    }

    private TimeoutException SourceTimeout(TimeSpan hard)
        => new($"{Descriptor.MethodId} did not answer within CachedGenOptions.SourceHardTimeout ({hard.TotalMilliseconds:F0} ms) " +
               "and the cache held no value the fail-safe could serve. The call goes on in the background and its result is cached.");

    private static void Observe(Task task)
        => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>An expired L1 entry the fail-safe may serve: not invalidated since it was stored.</summary>
    private Fallback LocalFallback(TKey key)
        => _local is not null && _local.TryGet(key, out var entry) && IsCurrent(entry)
            ? new Fallback(true, entry.Value, entry.ValueExpiresAt, new Stamp(entry.Bucket, entry.Generation, entry.Tags))
            : default;

    /// <summary>Serves <paramref name="fallback"/> if it expired no longer than the fail-safe's maximum age ago, and keeps
    /// it in L1 for <see cref="CachedGenOptions.FailSafeThrottle"/> so that the next callers do not all try the source.</summary>
    private bool TryServeFallback(TKey key, Fallback fallback, string reason, out TValue value)
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
        Log.FailSafeServed(_runtime.Logger, Descriptor.MethodId, reason, staleMs);
        CacheTracing.Mark("l1", "stale");
        var throttle = Math.Min(policy.FailSafeThrottleMs, fallback.ExpiredAt + policy.FailSafeMaxAgeMs - now);
        if (_local is not null && throttle > 0)
        {
            _local.AddOrUpdate(key, new LocalEntry(fallback.Value, now + throttle, fallback.Stamp, now + throttle, fallback.ExpiredAt, 0));
        }

        return true;
    }

    /// <summary>An early refresh: another node's newer value from Redis if there is one, else (when this node takes the
    /// lease) the source. Callers keep getting the current entry meanwhile; failures are logged, never thrown.</summary>
    private async Task RefreshAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, LocalEntry entry)
    {
        try
        {
            await Task.Yield();
            if (_redis is null)
            {
                var localStamp = StampOf(BucketOf(key.GetHashCode())) with { Tags = entry.Tags };
                await RefreshFlightAsync(key, localStamp, () => LoadAndKeepAsync(key, state, load, localStamp, refresh: true)).ConfigureAwait(false);
                return;
            }

            var redisKey = RenderKey(key);
            var stamp = StampOf(BucketOf(redisKey));
            if (!await EnsureGenerationsAsync().ConfigureAwait(false))
            {
                return;
            }

            redisKey += GenerationSuffix();
            if (_tagged)
            {
                if (await TagSnapshotAsync(key).ConfigureAwait(false) is not { } tags)
                {
                    return;
                }

                stamp = stamp with { Tags = tags };
                redisKey += tags.Suffix;
            }

            using (var read = await _redis.GetAsync(redisKey, Descriptor.MethodId).ConfigureAwait(false))
            {
                // A different payload in Redis is newer than this entry (invalidations delete, fills replace): take it.
                if (read is not null && PayloadEnvelope.TryReadExpiry(read.Memory.Span, out var expires) && expires != entry.ValueExpiresUnixMs
                    && Accept(key, read.Memory, redisKey, stamp, out _, out _) == Payload.Fresh)
                {
                    return;
                }
            }

            var leaseKey = LeaseKey(redisKey);
            var token = Guid.NewGuid().ToString("N");
            if (!await _redis.TryLeaseAsync(leaseKey, token, _leaseMs, Descriptor.MethodId).ConfigureAwait(false))
            {
                return; // another node is refreshing it; this node picks its value up from Redis at expiry
            }

            if (!await RefreshFlightAsync(key, stamp, () => LoadUnderLeaseAsync(key, state, load, redisKey, leaseKey, token, stamp, refresh: true)).ConfigureAwait(false))
            {
                await _redis.ReleaseAsync(leaseKey, token, Descriptor.MethodId).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.RefreshFailed(_runtime.Logger, Descriptor.MethodId, ex);
        }
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

    /// <summary>Calls the source. It is not cancelled with the caller: the fail-safe may have answered that caller, or
    /// other callers wait for the same load, and the value is still wanted by the cache. A refresh is a source call but
    /// not a miss: no caller waits for it.</summary>
    private ValueTask<TValue> CallSourceAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, bool refresh)
    {
        if (!refresh)
        {
            _metrics.Misses.Add(1, _methodTag);
            CacheTracing.Mark("source", "miss");
        }

        _metrics.SourceCalls.Add(1, _methodTag);
        var started = _metrics.StartTiming();
        return started == 0 ? load(state, CancellationToken.None) : TimedAsync(load(state, CancellationToken.None), started);
    }

    private async ValueTask<TValue> TimedAsync(ValueTask<TValue> loading, long started)
    {
        try
        {
            return await loading.ConfigureAwait(false);
        }
        finally
        {
            _metrics.RecordDuration(started, _methodTag, CacheMetrics.Source, CacheMetrics.OpLoad);
        }
    }

    /// <summary>Writes the value under the lease; returns whether it may go to L1 (written, or not written for a reason
    /// that does not make it stale: Redis down, too large, not serializable) and the logical expiry written. A lost
    /// lease means an invalidation (or a load slower than the lease) came in between: the value is served to this
    /// caller only.</summary>
    /// <summary>The payload of <paramref name="value"/> for <paramref name="redisKey"/>: enveloped, compressed above the
    /// threshold, sealed for a sensitive method; <see langword="null"/> when it cannot be written (serialization failed,
    /// logged; or larger than the method's maximum, counted and logged once).</summary>
    private Encoded? Encode(string redisKey, TValue value)
    {
        var policy = _policy;
        var now = _clock.UtcNowUnixMs;
        var ttl = Jittered(policy.Ttl, policy.TtlJitter);
        var expiresUnixMs = now + (long)ttl.TotalMilliseconds;
        byte[] buffer;
        int length;
        var pooled = true;
        try
        {
            buffer = PayloadEnvelope.Encode(value, Descriptor.ShapeFingerprint, now, expiresUnixMs, policy.CompressionThresholdBytes, out length, _runtime.Options.MaxSerializedDepth);
        }
        catch (SerializedGraphTooDeepException tooDeep)
        {
            // A property of the method's results (an entity graph with back references): counted every time, logged once.
            _metrics.Unserializable.Add(1, _methodTag);
            if (Interlocked.Exchange(ref _tooDeepLogged, 1) == 0)
            {
                Log.GraphTooDeep(_runtime.Logger, Descriptor.MethodId, tooDeep.Limit);
            }

            return null;
        }
        catch (Exception ex)
        {
            Log.SerializationFailed(_runtime.Logger, Descriptor.MethodId, ex);
            return null;
        }

        if (length > _maxValueBytes)
        {
            // Counted every time, logged once per method per process: an oversized result is a property of the method.
            _metrics.Oversize.Add(1, _methodTag);
            if (Interlocked.Exchange(ref _oversizeLogged, 1) == 0)
            {
                Log.ValueTooLarge(_runtime.Logger, Descriptor.MethodId, length, _maxValueBytes);
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
        return new Encoded(buffer, length, pooled, expiresUnixMs, ttl + TimeSpan.FromMilliseconds(policy.FailSafeMaxAgeMs));
    }

    private sealed record Encoded(byte[] Buffer, int Length, bool Pooled, long ExpiresUnixMs, TimeSpan Physical)
    {
        public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

        /// <summary>Returns a pooled buffer once Redis answered (it has copied the bytes); after a failure they may still be
        /// queued, and the buffer is left to the garbage collector.</summary>
        public void Release(bool answered)
        {
            if (answered && Pooled)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }

    private async ValueTask<(bool Keep, long ExpiresUnixMs)> FillRedisAsync(string redisKey, string leaseKey, string token, TValue value)
    {
        if (Encode(redisKey, value) is not { } encoded)
        {
            _ = _redis!.ReleaseAsync(leaseKey, token, Descriptor.MethodId).AsTask();
            return (true, 0);
        }

        var expiresUnixMs = encoded.ExpiresUnixMs;
        var started = _metrics.StartTiming();
        var outcome = await _redis!.FillAsync(redisKey, leaseKey, token, encoded.Memory, encoded.Physical, Descriptor.MethodId).ConfigureAwait(false);
        _metrics.RecordDuration(started, _methodTag, CacheMetrics.L2, CacheMetrics.OpFill);
        encoded.Release(outcome != FillOutcome.Failed);
        if (outcome == FillOutcome.Failed)
        {
            // The lease may still be there (a timeout, a failover): give it back, or other nodes would wait it out.
            _ = _redis.ReleaseAsync(leaseKey, token, Descriptor.MethodId).AsTask();
        }

        if (outcome == FillOutcome.LeaseLost)
        {
            _metrics.StaleFillsPrevented.Add(1, _methodTag);
        }

        return (outcome != FillOutcome.LeaseLost, outcome == FillOutcome.Written ? expiresUnixMs : 0);
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

    /// <summary>Stores an entry stamped with the generation its load started under: if an invalidation of its bucket
    /// came in since, the entry is never served (the check is on read, so no lock is needed here).</summary>
    private void SetLocal(TKey key, TValue value, long lifetimeMs, Stamp stamp, long valueExpiresUnixMs)
    {
        if (_local is not null && lifetimeMs > 0 && IsCurrent(stamp))
        {
            var now = _clock.NowMs;
            _local.AddOrUpdate(key, new LocalEntry(value, now + lifetimeMs, stamp, RefreshMoment(now, lifetimeMs), now + lifetimeMs, valueExpiresUnixMs));
        }
    }

    /// <summary>When a hit starts the early refresh: at a random point between <see cref="CachedGenOptions.EarlyRefresh"/>
    /// of the lifetime and halfway from there to the expiry; the expiry itself when early refresh is off.</summary>
    private long RefreshMoment(long now, long lifetimeMs)
    {
        var share = _policy.EarlyRefresh;
        if (share <= 0)
        {
            return now + lifetimeMs;
        }

        share += (1 - share) * 0.5 * Random.Shared.NextDouble();
        return now + (long)(lifetimeMs * share);
    }

    // L1 invalidation state: a generation per bucket of keys. An entry is served only while its bucket's generation is
    // the one its load started under. Remote invalidations name a rendered key, not a key tuple, and this is how one
    // reaches the entry: bump the generation of the key's bucket (hash of the rendered key, the same on every node).
    private readonly int[] _generations;

    private int BucketOf(string redisKey)
        => (int)(System.IO.Hashing.XxHash3.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(redisKey.AsSpan())) & (uint)(_generations.Length - 1));

    private int BucketOf(int hashCode) => hashCode & (_generations.Length - 1);

    private Stamp StampOf(int bucket) => new(bucket, Volatile.Read(ref _generations[bucket]));

    private bool IsCurrent(Stamp stamp)
        => Volatile.Read(ref _generations[stamp.Bucket]) == stamp.Generation && (stamp.Tags is null || _runtime.Tags.IsCurrent(stamp.Tags));

    private void Bump(int bucket) => Interlocked.Increment(ref _generations[bucket]);

    /// <summary>Buckets: the L1 capacity rounded up to a power of two (64 to 65,536), so an invalidation costs about
    /// one neighbouring entry at full capacity.</summary>
    private static int BucketCount(int capacity)
        => (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(capacity, 64, 1 << 16));

    /// <summary>What a load started under: its key's bucket generation and, for a tagged method, its tags' generations.</summary>
    private readonly record struct Stamp(int Bucket, int Generation, TagSnapshot? Tags = null);

    /// <summary>An expired value the fail-safe may serve: its expiry (in <see cref="RuntimeClock.NowMs"/> time) and
    /// the generation it was read under.</summary>
    private readonly record struct Fallback(bool Has, TValue Value, long ExpiredAt, Stamp Stamp);

    private enum Payload
    {
        Unreadable,
        Expired,
        Fresh,
    }

    private sealed class LocalEntry(TValue value, long expiresAt, Stamp stamp, long refreshAt, long valueExpiresAt, long valueExpiresUnixMs)
    {
        public readonly TValue Value = value;

        /// <summary>Until when L1 serves it (<see cref="RuntimeClock.NowMs"/> time).</summary>
        public readonly long ExpiresAt = expiresAt;
        public readonly int Bucket = stamp.Bucket;
        public readonly int Generation = stamp.Generation;

        /// <summary>The tags and generations it was loaded under (a tagged method), else <see langword="null"/>.</summary>
        public readonly TagSnapshot? Tags = stamp.Tags;

        /// <summary>When a hit starts the early refresh; never after <see cref="ExpiresAt"/>, equal to it when off.</summary>
        public readonly long RefreshAt = refreshAt;

        /// <summary>When the value itself expired or expires: the fail-safe's age is counted from here.</summary>
        public readonly long ValueExpiresAt = valueExpiresAt;

        /// <summary>The logical expiry of the Redis payload it came from (0 when not from or not in Redis).</summary>
        public readonly long ValueExpiresUnixMs = valueExpiresUnixMs;
        public Task<TValue>? Task;

        // 0: no refresh yet; 1: a hit claimed it (and missed on purpose); 2: that caller started it.
        private int _refresh;

        public bool ClaimRefresh() => Interlocked.CompareExchange(ref _refresh, 1, 0) == 0;

        public bool TryStartRefresh() => Volatile.Read(ref _refresh) == 1 && Interlocked.CompareExchange(ref _refresh, 2, 1) == 1;
    }
}

/// <summary>What the runtime reads from and does to every method without knowing its type arguments.</summary>
internal interface ICachedMethodStatistics
{
    (string MethodId, long LocalHits, long RedisHits) Hits { get; }

    /// <summary>L1 entries evicted for capacity so far.</summary>
    long Evictions { get; }

    /// <summary>Drops the entry rendered as <paramref name="redisKey"/> (every entry when <see langword="null"/>) from L1.</summary>
    void InvalidateLocal(string? redisKey);

    /// <summary>Drops every L1 entry.</summary>
    void ClearLocal();

    /// <summary>Applies reloaded options.</summary>
    void Reconfigure(CachedGenOptions options, bool runtimeEnabled);

    /// <summary>Re-reads whether anything observes the hit path (after a listener came or went).</summary>
    void UpdateHitMode();
}
