using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using BitFaster.Caching.Lru;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// The per-process cache of one generated method: a bounded L1 keyed by the generated key struct, in-flight loads
/// (one source call per key per process), and the Redis L2 path.
/// </summary>
/// <typeparam name="TKey">The generated key struct.</typeparam>
/// <typeparam name="TValue">The cached result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class CachedMethod<TKey, TValue> : ICachedMethodStatistics
    where TKey : struct, ICacheKey, IEquatable<TKey>
{
    private readonly CacheRuntime _runtime;
    private readonly RedisLevel? _redis;
    private readonly ConcurrentLru<TKey, LocalEntry>? _local;
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _inflight = new();
    private readonly string _keyPrefix;
    private readonly long _localTtlMs;
    private readonly int _maxValueBytes;
    private readonly CacheMetrics _metrics;
    // Striped counters (LongAdder-style), exact under concurrency; incremented only while a listener wants hit counts,
    // since even one atomic increment costs the L1 hit path a quarter of its time. Observed by the meter.
    private readonly BitFaster.Caching.Counters.Counter _l1Hits = new();
    private readonly BitFaster.Caching.Counters.Counter _l2Hits = new();
    private readonly KeyValuePair<string, object?> _methodTag;
    private long _invalidations;

    internal CachedMethod(CacheMethodDescriptor descriptor, CacheRuntime runtime)
    {
        Descriptor = descriptor;
        _runtime = runtime;
        _keyPrefix = runtime.Options.KeyPrefix + descriptor.KeyPrefix;
        var localTtl = descriptor.LocalTtl ?? descriptor.Ttl;
        if (localTtl > descriptor.Ttl)
        {
            localTtl = descriptor.Ttl;
        }

        _localTtlMs = (long)localTtl.TotalMilliseconds;
        if (_localTtlMs > 0)
        {
            var capacity = descriptor.MaxLocalEntries > 0 ? descriptor.MaxLocalEntries : runtime.Options.DefaultMaxLocalEntries;
            _local = new ConcurrentLru<TKey, LocalEntry>(Math.Max(3, capacity));
        }

        _maxValueBytes = descriptor.MaxValueBytes > 0 ? descriptor.MaxValueBytes : runtime.Options.DefaultMaxValueBytes;

        _metrics = runtime.Metrics;
        _methodTag = CacheMetrics.Method(descriptor.MethodId);

        // Sensitive values never reach Redis in plaintext.
        _redis = descriptor.Sensitive ? null : runtime.Redis;
    }

    /// <summary>Calls served from L1 since the method was first used in this runtime.</summary>
    public long LocalHits => _l1Hits.Count();

    /// <summary>Calls served from Redis since the method was first used in this runtime.</summary>
    public long RedisHits => _l2Hits.Count();

    (string MethodId, long LocalHits, long RedisHits) ICachedMethodStatistics.Hits => (Descriptor.MethodId, LocalHits, RedisHits);

    /// <summary>What the generator recorded about the method.</summary>
    public CacheMethodDescriptor Descriptor { get; }

    /// <summary>Number of entries in L1 (fresh or not yet evicted).</summary>
    public int LocalCount => _local?.Count ?? 0;

    /// <summary>Whether this method writes to Redis (Redis configured and the method not sensitive).</summary>
    public bool UsesRedis => _redis is not null;

    /// <summary>L1 lookup: no string is built and nothing is allocated.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool TryGetLocal(in TKey key, out TValue value)
    {
        if (_local is not null && _runtime.Enabled && _local.TryGet(key, out var entry) && CoarseClock.IsBefore(entry.ExpiresAt))
        {
            value = entry.Value;
            if (_metrics.CountHits)
            {
                _l1Hits.Increment();
            }

            return true;
        }

        value = default!;
        return false;
    }

    /// <summary>L1 lookup for <see cref="Task{TResult}"/> methods: returns the entry's completed task, created once.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool TryGetLocalTask(in TKey key, out Task<TValue> task)
    {
        if (_local is not null && _runtime.Enabled && _local.TryGet(key, out var entry) && CoarseClock.IsBefore(entry.ExpiresAt))
        {
            task = entry.Task ??= Task.FromResult(entry.Value);
            if (_metrics.CountHits)
            {
                _l1Hits.Increment();
            }

            return true;
        }

        task = null!;
        return false;
    }

    /// <summary>After an L1 miss: Redis, then the source, called once per key per process (others wait for it).</summary>
    public ValueTask<TValue> GetOrLoadAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (!_runtime.Enabled)
        {
            return load(state, cancellationToken);
        }

        return _redis is null
            ? new ValueTask<TValue>(GetOrJoinAsync(key, state, load, null, cancellationToken))
            : ReadThroughAsync(key, state, load, cancellationToken);
    }

    /// <summary>Synchronous form of <see cref="GetOrLoadAsync{TState}"/> for methods that return a plain value.
    /// It blocks on Redis I/O; prefer asynchronous methods for remote data.</summary>
    public TValue GetOrLoad<TState>(TKey key, TState state, Func<TState, TValue> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        if (!_runtime.Enabled)
        {
            return load(state);
        }

        return GetOrLoadAsync(key, (state, load), static (s, _) => new ValueTask<TValue>(s.load(s.state)), CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Removes the entry from L1 and Redis. Loads that were in flight when it was called do not cache
    /// their result. Never throws: a Redis failure is logged.</summary>
    public async ValueTask InvalidateAsync(TKey key)
    {
        Interlocked.Increment(ref _invalidations);
        _metrics.Invalidations.Add(1, _methodTag);
        _local?.TryRemove(key);
        if (_redis is not null)
        {
            await _redis.DeleteAsync(RenderKey(key), Descriptor.MethodId).ConfigureAwait(false);
        }
    }

    /// <summary>Synchronous form of <see cref="InvalidateAsync"/>.</summary>
    public void Invalidate(TKey key) => InvalidateAsync(key).AsTask().GetAwaiter().GetResult();

    /// <summary>Removes every L1 entry of this method on this node.</summary>
    public void ClearLocal() => _local?.Clear();

    /// <summary>The Redis key of <paramref name="key"/>: options prefix, assembly prefix, rendered template, version.</summary>
    public string RenderKey(in TKey key)
    {
        var builder = new CacheKeyBuilder(stackalloc char[256], _runtime.Hasher);
        builder.AppendLiteral(_keyPrefix);
        key.Render(ref builder);
        builder.AppendLiteral(Descriptor.KeySuffix);
        return builder.ToStringAndClear();
    }

    /// <summary>Reads Redis before joining the in-flight load: concurrent callers each read Redis (a cheap GET), and only
    /// the source call is shared. This keeps the single-flight machinery off the L2 hit path.</summary>
    private async ValueTask<TValue> ReadThroughAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, CancellationToken cancellationToken)
    {
        var generation = Volatile.Read(ref _invalidations);
        var redisKey = RenderKey(key);
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

        using (var lease = read)
        {
            if (lease is not null)
            {
                if (PayloadEnvelope.TryDecode<TValue>(lease.Memory, Descriptor.ShapeFingerprint, out var hit, out var expiresUnixMs, out var error))
                {
                    var remainingMs = expiresUnixMs - _runtime.Time.GetUtcNow().ToUnixTimeMilliseconds();
                    if (remainingMs > 0)
                    {
                        // An invalidation during the read may have removed what was just read: serve it, keep it out of L1.
                        if (Volatile.Read(ref _invalidations) == generation)
                        {
                            SetLocal(key, hit, Math.Min(_localTtlMs, remainingMs));
                        }

                        if (_metrics.CountHits)
                        {
                            _l2Hits.Increment();
                        }

                        return hit;
                    }
                }
                else
                {
                    Log.CorruptPayload(_runtime.Logger, Descriptor.MethodId, redisKey, error!);
                    await _redis.DeleteAsync(redisKey, Descriptor.MethodId).ConfigureAwait(false);
                }
            }
        }

        return await GetOrJoinAsync(key, state, load, redisKey, cancellationToken).ConfigureAwait(false);
    }

    private async Task<TValue> GetOrJoinAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string? redisKey, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_inflight.TryGetValue(key, out var running))
            {
                _metrics.Misses.Add(1, _methodTag);
                _metrics.Coalesced.Add(1, _methodTag);
                try
                {
                    return await running.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (running.IsCanceled && !cancellationToken.IsCancellationRequested)
                {
                    // The caller that led the load was cancelled, this one was not: load again.
                    continue;
                }
            }

            var flight = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_inflight.TryAdd(key, flight.Task))
            {
                continue;
            }

            try
            {
                var value = await LoadAsync(key, state, load, redisKey, cancellationToken).ConfigureAwait(false);
                flight.TrySetResult(value);
                return value;
            }
            catch (OperationCanceledException ex)
            {
                flight.TrySetCanceled(ex.CancellationToken);
                throw;
            }
            catch (Exception ex)
            {
                flight.TrySetException(ex);
                _ = flight.Task.Exception; // waiters rethrow it; with none, it is observed here
                throw;
            }
            finally
            {
                _inflight.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, flight.Task));
            }
        }
    }

    private async Task<TValue> LoadAsync<TState>(TKey key, TState state, Func<TState, CancellationToken, ValueTask<TValue>> load, string? redisKey, CancellationToken cancellationToken)
    {
        // Another load may have filled L1 between this caller's miss and its flight.
        if (TryGetLocal(key, out var fresh))
        {
            return fresh;
        }

        var generation = Volatile.Read(ref _invalidations);
        _metrics.Misses.Add(1, _methodTag);
        _metrics.SourceCalls.Add(1, _methodTag);
        var value = await load(state, cancellationToken).ConfigureAwait(false);

        if (Volatile.Read(ref _invalidations) != generation)
        {
            // Invalidated while the source was read: the value may predate the write, so it is served but not cached.
            return value;
        }

        if (redisKey is not null)
        {
            await WriteRedisAsync(redisKey, value).ConfigureAwait(false);
        }

        SetLocal(key, value, _localTtlMs);
        return value;
    }

    private async ValueTask WriteRedisAsync(string redisKey, TValue value)
    {
        var now = _runtime.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var ttl = Jittered(Descriptor.Ttl, _runtime.Options.TtlJitter);
        byte[] buffer;
        int length;
        try
        {
            buffer = PayloadEnvelope.Encode(value, Descriptor.ShapeFingerprint, now, now + (long)ttl.TotalMilliseconds, _runtime.Options.CompressionThresholdBytes, out length);
        }
        catch (Exception ex)
        {
            Log.SerializationFailed(_runtime.Logger, Descriptor.MethodId, ex);
            return;
        }

        if (length > _maxValueBytes)
        {
            Log.ValueTooLarge(_runtime.Logger, Descriptor.MethodId, length, _maxValueBytes);
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        _metrics.PayloadBytes.Record(length, _methodTag);
        if (await _redis!.SetAsync(redisKey, buffer.AsMemory(0, length), ttl, Descriptor.MethodId).ConfigureAwait(false))
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

    private void SetLocal(TKey key, TValue value, long lifetimeMs)
    {
        if (_local is not null && lifetimeMs > 0)
        {
            _local.AddOrUpdate(key, new LocalEntry(value, Environment.TickCount64 + lifetimeMs));
        }
    }

    private sealed class LocalEntry(TValue value, long expiresAt)
    {
        public readonly TValue Value = value;
        public readonly long ExpiresAt = expiresAt;
        public Task<TValue>? Task;
    }
}

/// <summary>What the meter reads from every method without knowing its type arguments.</summary>
internal interface ICachedMethodStatistics
{
    (string MethodId, long LocalHits, long RedisHits) Hits { get; }
}
