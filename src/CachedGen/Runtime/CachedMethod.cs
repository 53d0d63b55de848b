using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using BitFaster.Caching.Lru;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// The per-process cache of one generated method: a bounded L1 keyed by the method's placeholder values (a value
/// tuple), in-flight loads (one source call per key per process, and through a Redis lease one per key across nodes),
/// the Redis L2 path, early refresh and the fail-safe.
/// </summary>
/// <typeparam name="TKey">The placeholder values (a value tuple), compared by value.</typeparam>
/// <typeparam name="TValue">The cached result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed partial class CachedMethod<TKey, TValue> : ICachedMethodStatistics
    where TKey : struct, IEquatable<TKey>
{
    private readonly CacheRuntime _runtime;
    private readonly RuntimeClock _clock;
    private readonly IRedisEntries? _redis;
    private readonly ConcurrentLru<TKey, LocalEntry>? _local;
    private readonly ConcurrentDictionary<TKey, Flight> _inflight = new();
    private readonly string _keyPrefix;
    private readonly long _leaseMs;
    private readonly long _leaseWaitMs;

    // A miss is answered before its Redis fill lands (CachedGenOptions.BackgroundFill; needs L1 to serve the next calls).
    private readonly bool _backgroundFill;
    private readonly CacheMetrics _metrics;
    // Per-thread counters (ThreadCounter), exact and free of atomic instructions; incremented only while a listener
    // wants hit counts. Observed by the meter.
    private readonly ThreadCounter _l1Hits = ThreadCounter.Create();
    private readonly ThreadCounter _l2Hits = ThreadCounter.Create();
    private readonly KeyValuePair<string, object?> _methodTag;
    private readonly PayloadCodec<TValue> _codec;
    private readonly ICacheAuditSink? _audit;
    private readonly bool _tagged;
    private readonly GenerationCell _generation;
    private volatile GenerationSuffixText _generationSuffix = new(0, 0, "");

    // Reloadable settings (see MethodPolicy), and the one flag the hit path reads: runtime and method both enabled.
    private volatile MethodPolicy _policy;
    private volatile bool _enabled;

    // What the L1 hit path does, in one field it reads first: 0 nothing (no L1, or the cache is off), 1 a plain lookup,
    // 2 a lookup that is counted, timed, traced or audited. Recomputed when any of those inputs changes.
    private volatile int _hitMode;

    private readonly CacheKeyRenderer<TKey> _renderKey;
    private readonly EntryTagsRenderer<TKey>? _renderTags;

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
        var capacity = Math.Max(CachedGenOptions.SmallestLocalCapacity, descriptor.MaxLocalEntries > 0 ? descriptor.MaxLocalEntries : runtime.Options.DefaultMaxLocalEntries);
        if (_policy.LocalTtlMs > 0)
        {
            // A warm queue (entries read again) of half the capacity, hot and cold queues of a quarter: with remote changes
            // followed it keeps 1-3 points more of the load test's Zipf(1.0) hot set than equal queues, and as much
            // without (docs/benchmarks.md#l1-policy).
            _local = new ConcurrentLru<TKey, LocalEntry>(Environment.ProcessorCount, new FavorWarmPartition(capacity, 0.5), EqualityComparer<TKey>.Default);
            _clock.StartTicking();
        }

        // Which keys are known to be in Redis: for the first read of an untagged method's miss (a tag invalidation moves
        // many keys at once, which no bit follows).
        _buckets = new BucketGenerations(_local is null ? 0 : capacity, trackRedis: runtime.Entries is not null && descriptor.TagTemplates.Length == 0);
        _remembered = RememberedEntriesFor(runtime, _local is not null, _buckets.Count);
        _metrics = runtime.Metrics;
        _unconfirmed = new UnconfirmedChanges<TKey>(descriptor.MethodId, runtime.UnconfirmedWrites, key => InvalidateCoreAsync(key, retry: true));
        UpdateHitMode();
        _leaseMs = Math.Max(1, (long)runtime.Options.LeaseDuration.TotalMilliseconds);
        _leaseWaitMs = Math.Clamp((long)runtime.Options.LeaseWaitTimeout.TotalMilliseconds, 0, _leaseMs);
        _backgroundFill = runtime.Options.BackgroundFill && _local is not null;

        _methodTag = CacheMetrics.Method(descriptor.MethodId);

        // Sensitive values reach Redis only encrypted (CacheRuntime.GetMethod refuses a sensitive method with Redis and
        // no key), and a sensitive method accepts only encrypted payloads.
        _redis = runtime.Entries;
        _codec = new PayloadCodec<TValue>(descriptor, runtime, descriptor.Sensitive ? runtime.Cipher : null, ReportedKey);
        _audit = runtime.AuditSink;
        _tagged = descriptor.TagTemplates.Length > 0;
        if (_tagged && _renderTags is null)
        {
            throw new ArgumentException($"{descriptor.MethodId} declares tags but its descriptor has no RenderTags.", nameof(descriptor));
        }

        _generation = runtime.Tags.MethodCell(descriptor.MethodId);
    }

    /// <summary>Calls served from L1 since the method was first used in this runtime.</summary>
    internal long LocalHits => _l1Hits.Count();

    /// <summary>Calls served from Redis since the method was first used in this runtime.</summary>
    internal long RedisHits => _l2Hits.Count();

    (string MethodId, long LocalHits, long RedisHits) ICachedMethodStatistics.Hits => (Descriptor.MethodId, LocalHits, RedisHits);

    /// <inheritdoc/>
    long ICachedMethodStatistics.Evictions => _local is { } local && local.Metrics.HasValue ? local.Metrics.Value!.Evicted : 0;

    /// <summary>What the generator recorded about the method.</summary>
    public CacheMethodDescriptor Descriptor { get; }

    /// <summary>Number of entries in L1 (fresh or not yet evicted).</summary>
    internal int LocalCount => _local?.Count ?? 0;

    /// <summary>Whether this method uses Redis (configured); a sensitive method's values are encrypted there.</summary>
    internal bool UsesRedis => _redis is not null;

    /// <summary>Whether values are encrypted before they go to Redis (a sensitive method).</summary>
    internal bool EncryptsValues => _codec.Encrypts;

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
    internal bool TryGetLocal(in TKey key, out TValue value)
    {
        var mode = _hitMode;
        if (mode != 0 && (mode == 1 ? TryReadL1(key, out var entry) : TryReadL1Observed(key, out entry)))
        {
            value = entry.Value;
            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>L1 lookup for <see cref="Task{TResult}"/> methods: returns the entry's completed task, created once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool TryGetLocalTask(in TKey key, out Task<TValue> task)
    {
        var mode = _hitMode;
        if (mode != 0 && (mode == 1 ? TryReadL1(key, out var entry) : TryReadL1Observed(key, out entry)))
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
        return ReadPastL1Async(key, (state, key, load), static (s, token) => new ValueTask<TValue>(s.load(s.state, s.key, token)), cancellationToken).AsTask();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ValueTask<TValue> LoadAsync<TState>(TKey key, TState state, Func<TState, TKey, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        return ReadPastL1Async(key, (state, key, load), static (s, token) => s.load(s.state, s.key, token), cancellationToken);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private TValue Load<TState>(TKey key, TState state, Func<TState, TKey, TValue> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (!_enabled)
        {
            return load(state, key);
        }

        return ReadPastL1Async(key, (state, key, load), static (s, _) => new ValueTask<TValue>(s.load(s.state, s.key)), CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();
    }
}
