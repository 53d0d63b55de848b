using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace CachedGen;

/// <summary>
/// The shared state behind every generated decorator of an application: options, the Redis connection, and one
/// <see cref="Runtime.CachedMethod{TKey, TValue}"/> (L1 cache, in-flight loads) per cached method.
/// </summary>
/// <remarks>
/// <see cref="CachedGenServiceCollectionExtensions.AddCachedGen(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>
/// registers one as a singleton. Without dependency injection, create one and pass it to the decorator:
/// <code>
/// var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "forms:" }, redis);
/// IFormRepository repository = new CachedFormRepository(new SqliteFormRepository(db), runtime);
/// </code>
/// Keep one runtime per process: each holds its own L1.
/// </remarks>
public sealed partial class CacheRuntime : ICacheInvalidator, IAsyncDisposable, IDisposable
{
    /// <summary>Creates an L1-only runtime, or an L1 + Redis runtime over an existing multiplexer.</summary>
    public CacheRuntime(CachedGenOptions options, IConnectionMultiplexer? redis = null, ILoggerFactory? loggerFactory = null)
        : this(options, redis is null ? null : Task.FromResult(redis), ownsConnection: false, loggerFactory)
    {
    }

    /// <summary>A runtime whose cached methods use <paramref name="entries"/> as L2 (tag generations and invalidation
    /// scopes stay local, as without Redis): unit tests drive the methods' L2 logic with it.</summary>
    internal CacheRuntime(CachedGenOptions options, Runtime.IRedisEntries entries, ILoggerFactory? loggerFactory = null)
        : this(options, null, ownsConnection: false, loggerFactory)
        => _entries = entries;

    /// <param name="options">The options.</param>
    /// <param name="redis">The connection, connecting or connected; <see langword="null"/> for an L1-only runtime.</param>
    /// <param name="ownsConnection">Whether disposing the runtime disposes the connection.</param>
    /// <param name="loggerFactory">Where logs go.</param>
    /// <param name="timeProvider">The clock when <see cref="CachedGenOptions.TimeProvider"/> is left at
    /// <see cref="TimeProvider.System"/> (the one registered in dependency injection); the options' clock otherwise.</param>
    internal CacheRuntime(CachedGenOptions options, Task<IConnectionMultiplexer>? redis, bool ownsConnection, ILoggerFactory? loggerFactory, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        CurrentOptions = options;
        _enabled = options.Enabled;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("CachedGen");
        Clock = new Runtime.RuntimeClock(ReferenceEquals(options.TimeProvider, TimeProvider.System) && timeProvider is not null ? timeProvider : options.TimeProvider);
        Time = Clock.Provider;
        ThrowConfigurationError(options);
        Runtime.ConfiguredMethods.Apply(options);
        Runtime.StartupSettings.Validate(options);
        Runtime.MethodPolicy.Validate(options);
        UnconfirmedWrites = new Runtime.UnconfirmedWrites(Time);
        UnconfirmedTags = new Runtime.UnconfirmedChanges<string>("tags", UnconfirmedWrites, RetryScopeAsync, StringComparer.Ordinal, static tag => tag);

        if (options.KeyHashSecret is { } secret)
        {
            Hasher = new Runtime.KeyHasher(secret, options.KeyHashSecretId);
        }

        if (options.PreviousKeyHashSecret is { } previous)
        {
            if (options.PreviousKeyHashSecretId is not { Length: > 0 } previousId || previousId == options.KeyHashSecretId)
            {
                throw new ArgumentException("CachedGenOptions.PreviousKeyHashSecretId must be set, and differ from KeyHashSecretId, when PreviousKeyHashSecret is.");
            }

            PreviousHasher = new Runtime.KeyHasher(previous, previousId, nameof(CachedGenOptions.PreviousKeyHashSecret));
            KeyHashRotationEndsAt = options.KeyHashRotationEndsAt ?? DateTimeOffset.MinValue;
        }

        if (options.ValueEncryptionKey is { } valueKey)
        {
            Cipher = new Runtime.ValueCipher(valueKey, options.ValueEncryptionKeyId, options.PreviousValueEncryptionKeys);
        }

        AuditSink = options.AuditSink;

        Metrics = new Runtime.CacheMetrics(Clock, () => (int)RedisCircuitState, ObserveHits, ObserveEvictions, ObserveRedisMemory) { Audited = options.AuditSink is not null };
        Metrics.ObservedChanged += () =>
        {
            foreach (var method in _methodsById.Values)
            {
                method.UpdateHitMode();
            }
        };
        Metrics.Refresh();
        TagRenderer = new Runtime.CacheTagRenderer(Hasher);
        if (redis is not null)
        {
            Redis = new Runtime.RedisLevel(redis, ownsConnection, options, Logger, Metrics, Clock);
            if (options.Backplane)
            {
                Backplane = new Runtime.Backplane(this, Redis, options.KeyPrefix, options.FollowRemoteChanges);
                Redis.FillNotices = Backplane;
            }
        }

        Tags = new Runtime.TagGenerations(this, options);
    }

    /// <summary>The options this runtime was created with.</summary>
    public CachedGenOptions Options { get; }

    /// <summary>Global kill switch, initialised from <see cref="CachedGenOptions.Enabled"/> (and set again by each
    /// options reload): when <see langword="false"/>, decorators call the repository directly. Takes effect on the next
    /// call.</summary>
    public bool Enabled
    {
        get => _enabled;
        set
        {
            _enabled = value;
            Reconfigure(CurrentOptions, value);
        }
    }

    private volatile bool _enabled;

    /// <summary>The <c>IOptionsMonitor</c> change subscription, disposed with the runtime.</summary>
    internal IDisposable? OptionsSubscription { get; set; }

    /// <summary>The options in force: those given at construction, then each reload's.</summary>
    internal CachedGenOptions CurrentOptions { get; private set; }

    /// <summary>
    /// Applies reloaded options: the kill switches (global and per method), per-method TTL overrides, early refresh,
    /// fail-safe and source timeouts. The connection, key prefix, secrets and L1 capacities are fixed at start: a reload
    /// that changes any of them logs event 1026 naming them, and they stay as they were.
    /// <see cref="CachedGenServiceCollectionExtensions.AddCachedGen(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>
    /// calls it on every <c>IOptionsMonitor</c> change.
    /// </summary>
    public void Reload(CachedGenOptions options)
    {
        if (Apply(options) is { Count: > 0 } ignored)
        {
            // Fixed at start (the connection's budget and breaker, the key prefix, secrets, L1 capacities, ...): said once
            // per reload, rather than applied to half of the runtime or dropped without a word.
            Runtime.Log.FixedSettingsIgnored(Logger, string.Join(", ", ignored));
        }
    }

    /// <summary>Applies reloaded options; returns the settings fixed at start that they would change (ignored).</summary>
    private IReadOnlyList<string> Apply(CachedGenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ThrowConfigurationError(options);
        Runtime.ConfiguredMethods.Apply(options); // Methods as configured, in the attribute's duration syntax too
        Runtime.MethodPolicy.Validate(options); // all or nothing: a bad setting changes nothing
        _enabled = options.Enabled;
        Reconfigure(options, options.Enabled);
        return Runtime.StartupSettings.ChangedOnReload(Options, options);
    }

    /// <summary>A value of the configuration given to <c>AddCachedGen(configuration)</c> that could not be read: the
    /// runtime does not start, a reload is rejected whole.</summary>
    private static void ThrowConfigurationError(CachedGenOptions options)
    {
        if (options.ConfigurationError is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>A reload from configuration: invalid settings are logged and the previous ones kept, never thrown into
    /// the configuration system's change callback.</summary>
    internal void TryReload(CachedGenOptions options)
    {
        try
        {
            var ignored = Apply(options);
            var unknown = UnknownMethodSettings(options);

            // A file watcher often reports one save twice, with the same settings: what a reload has to say is said when
            // it differs from what the previous reload said.
            var said = string.Join(", ", ignored) + "|" + string.Join(", ", unknown);
            if (Interlocked.Exchange(ref _lastReloadWarnings, said) == said)
            {
                return;
            }

            if (ignored.Count > 0)
            {
                Runtime.Log.FixedSettingsIgnored(Logger, string.Join(", ", ignored));
            }

            foreach (var id in unknown)
            {
                Runtime.Log.UnknownMethodSettings(Logger, id);
            }
        }
        catch (Exception ex)
        {
            Runtime.Log.ReloadRejected(Logger, ex);
        }
    }

    private string? _lastReloadWarnings;

    private void Reconfigure(CachedGenOptions options, bool enabled)
    {
        CurrentOptions = options;
        foreach (var method in _methodsById.Values)
        {
            method.Reconfigure(options, enabled);
        }
    }

    /// <summary>Whether a Redis L2 is configured (connected or not).</summary>
    public bool HasRedis => Redis is not null;

    /// <summary>The Redis multiplexer once connected, else <see langword="null"/>.</summary>
    public IConnectionMultiplexer? RedisConnection => Redis?.Multiplexer;

    /// <summary>Whether Redis is configured, connected, and its circuit closed: the state a health check reports.</summary>
    public bool IsRedisAvailable => Redis is { } redis && redis.Multiplexer is { IsConnected: true } && redis.Breaker.State == RedisCircuitState.Closed;

    /// <summary>State of the Redis circuit breaker (<see cref="CachedGen.RedisCircuitState.Closed"/> without Redis).</summary>
    public RedisCircuitState RedisCircuitState => Redis?.Breaker.State ?? RedisCircuitState.Closed;

    internal Runtime.RedisLevel? Redis { get; }

    /// <summary>What cached methods use as L2: <see cref="Redis"/>, or the in-process entries a unit test gave.</summary>
    internal Runtime.IRedisEntries? Entries => _entries ?? Redis;

    private readonly Runtime.IRedisEntries? _entries;

    internal Runtime.Backplane? Backplane { get; }

    /// <summary>The tag generations this node knows.</summary>
    internal Runtime.TagGenerations Tags { get; }

    /// <summary>Renders the tags of generated keys.</summary>
    internal Runtime.CacheTagRenderer TagRenderer { get; }

    internal Runtime.KeyHasher? Hasher { get; }

    /// <summary>The hasher of the previous secret while its rotation window lasts (see <see cref="IsRotating"/>).</summary>
    internal Runtime.KeyHasher? PreviousHasher { get; }

    internal DateTimeOffset KeyHashRotationEndsAt { get; }

    /// <summary>Whether reads also try keys hashed with the previous secret (and invalidations delete them).</summary>
    internal bool IsRotating => PreviousHasher is not null && Time.GetUtcNow() < KeyHashRotationEndsAt;

    internal Runtime.ValueCipher? Cipher { get; }

    internal ICacheAuditSink? AuditSink { get; }

    internal ILogger Logger { get; }

    /// <summary>The runtime's clock (<see cref="Time"/>), with the coarse reading the L1 hit path uses.</summary>
    internal Runtime.RuntimeClock Clock { get; }

    /// <summary>Redis work started in the background and not awaited by a caller: fills (<see cref="CachedGenOptions.BackgroundFill"/>),
    /// lease releases, and reads that follow another node's change (<see cref="CachedGenOptions.FollowRemoteChanges"/>).</summary>
    internal Runtime.PendingFills PendingFills { get; } = new();

    /// <summary>The invalidations Redis did not confirm, tried again until it does.</summary>
    internal Runtime.UnconfirmedWrites UnconfirmedWrites { get; }

    /// <summary>The tag (and everything, and method) invalidations Redis did not confirm.</summary>
    internal Runtime.UnconfirmedChanges<string> UnconfirmedTags { get; }

    /// <summary>The one time source of the runtime: <see cref="CachedGenOptions.TimeProvider"/>, or the
    /// <see cref="TimeProvider"/> registered in dependency injection when the options leave it at the system clock.</summary>
    internal TimeProvider Time { get; }

    internal Runtime.CacheMetrics Metrics { get; }

    /// <inheritdoc/>
    public ValueTask InvalidateAsync<TKey, TValue>(Runtime.CacheMethodDescriptor<TKey, TValue> descriptor, TKey key)
        where TKey : struct, IEquatable<TKey>
        => GetMethod<TKey, TValue>(descriptor).InvalidateAsync(key);

    /// <inheritdoc/>
    public ValueTask<bool> InvalidateTagAsync([System.Runtime.CompilerServices.InterpolatedStringHandlerArgument("")] ref Runtime.CacheTagHandler tag)
        => InvalidateTagAsync(tag.ToStringAndClear());

    /// <inheritdoc/>
    public ValueTask<bool> InvalidateTagAsync(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        if (tag.StartsWith(Runtime.TagGenerations.ReservedPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Tags starting with '{Runtime.TagGenerations.ReservedPrefix}' are reserved for CachedGen.", nameof(tag));
        }

        return InvalidateScopeAsync(tag);
    }

    /// <inheritdoc/>
    public ValueTask<bool> InvalidateAllAsync() => InvalidateScopeAsync(Runtime.TagGenerations.AllTag);

    /// <inheritdoc/>
    public ValueTask<bool> InvalidateMethodAsync(Runtime.CacheMethodDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        Tags.MethodCell(descriptor.MethodId);
        return InvalidateScopeAsync(Runtime.TagGenerations.MethodTag(descriptor.MethodId));
    }

    /// <summary>Drops every L1 entry of one method on this node (a generation of it changed).</summary>
    internal void ClearLocalOf(string methodId)
    {
        if (_methodsById.TryGetValue(methodId, out var method))
        {
            method.ClearLocal();
        }
    }

    /// <summary>Moves the generation of <paramref name="tag"/> (or of everything, or of a method) again, after Redis did not
    /// confirm it; not counted, logged or audited again. Moving it once more than needed costs its entries one miss.</summary>
    private async ValueTask RetryScopeAsync(string tag)
    {
        if (await Tags.InvalidateAsync(tag).ConfigureAwait(false))
        {
            UnconfirmedTags.Confirmed(tag);
        }
    }

    private async ValueTask<bool> InvalidateScopeAsync(string tag)
    {
        var started = Metrics.StartTiming();
        var confirmed = await Tags.InvalidateAsync(tag).ConfigureAwait(false);
        Metrics.AddInvalidation(Runtime.CacheMetrics.KindTag, null);
        if (!confirmed)
        {
            Metrics.InvalidationFailures.Add(1, new KeyValuePair<string, object?>("kind", Runtime.CacheMetrics.KindTag));
            if (Redis?.Breaker.IsClosed != false)
            {
                // As every Redis failure: logged one by one while the circuit is closed; an outage is logged once, as the
                // circuit opening (1007), and cachedgen.invalidation.failures counts every one.
                Runtime.Log.TagInvalidationFailed(Logger, tag);
            }

            // Tags.InvalidateAsync noted it in UnconfirmedTags (before forgetting the generation), which retries it.
        }
        else
        {
            UnconfirmedTags.Confirmed(tag);
        }

        if (AuditSink is { } sink)
        {
            try
            {
                sink.Record(new CacheAuditEvent("tag", tag, CacheAuditKind.Invalidation, CacheAudit.CurrentPrincipal, Time.GetUtcNow()));
            }
            catch (Exception ex)
            {
                Runtime.Log.AuditSinkFailed(Logger, "tag", ex);
            }
        }

        Metrics.RecordDuration(started, Runtime.CacheMetrics.Method("tag"), Runtime.CacheMetrics.L2, Runtime.CacheMetrics.OpInvalidate);
        return confirmed;
    }

    /// <summary>Synchronous form of <see cref="InvalidateTagAsync(string)"/>, for synchronous write methods.</summary>
    public bool InvalidateTag([System.Runtime.CompilerServices.InterpolatedStringHandlerArgument("")] ref Runtime.CacheTagHandler tag)
        => InvalidateTagAsync(tag.ToStringAndClear()).AsTask().GetAwaiter().GetResult();

    /// <summary>Removes every L1 entry of every cached method on this node (Redis is untouched).</summary>
    public void ClearLocal()
    {
        foreach (var method in _methodsById.Values)
        {
            method.ClearLocal();
        }
    }

    /// <summary>Removes every L1 entry of every cached method on every node: this one now, the others through the
    /// backplane. Redis is untouched. Never throws; returns whether the other nodes were told (always
    /// <see langword="true"/> without Redis or backplane, where there are none to tell).</summary>
    public async ValueTask<bool> ClearLocalEverywhereAsync()
    {
        ClearLocal();
        return Backplane is null || await Backplane.PublishAllAsync().ConfigureAwait(false);
    }

    /// <summary>Another node wrote the value of <paramref name="redisKey"/> (as in Redis, or without its generations and
    /// tags when <paramref name="isBaseKey"/>) after a change: the method that holds a stale L1 copy of it reads the new
    /// one (<see cref="CachedGenOptions.FollowRemoteChanges"/>).</summary>
    internal void OnRemoteFill(string methodId, string redisKey, bool isBaseKey)
    {
        if (_methodsById.TryGetValue(methodId, out var method))
        {
            method.FollowRemoteFill(redisKey, isBaseKey);
        }
    }

    /// <summary>Another node invalidated the entry rendered as <paramref name="redisKey"/> (every entry of the method
    /// when <see langword="null"/>), or replaced it (<paramref name="put"/>: the new value is in Redis).</summary>
    internal void OnRemoteInvalidation(string methodId, string? redisKey, bool put = false)
    {
        if (_methodsById.TryGetValue(methodId, out var method))
        {
            method.InvalidateLocal(redisKey);
            if (redisKey is not null)
            {
                method.Family?.Invalidate(method, redisKey);
                if (put)
                {
                    method.FollowRemoteFill(redisKey, isBaseKey: true);
                }
            }

            return;
        }

        if (redisKey is null)
        {
            return;
        }

        // A method this node has not used: the methods it has that render the same keys still drop their copies.
        foreach (var family in _keyFamilies.Values)
        {
            if (family.Renders(redisKey))
            {
                family.Invalidate(null, redisKey);
            }
        }
    }

    /// <summary>
    /// Before the runtime stops (the host stopping, then <see cref="DisposeAsync"/>): the invalidations, puts and tag
    /// invalidations Redis has not confirmed yet are tried again, pass after pass, for at most ten Redis budgets
    /// (<see cref="CachedGenOptions.RedisOperationTimeout"/>) of wall-clock time, and what is still left is logged (event 1028): those
    /// entries may stay in Redis with the value from before the change until they expire, since no node retries them.
    /// </summary>
    internal async Task ConfirmWritesBeforeStopAsync(CancellationToken cancellationToken = default)
    {
        // Once per runtime: the host's stop does it, and the disposal after it does not try (and log) again.
        if (Entries is null || UnconfirmedWrites.IsEmpty || Interlocked.Exchange(ref _confirmedAtStop, 1) == 1)
        {
            return;
        }

        var pending = UnconfirmedWrites.PendingCount;
        var left = await UnconfirmedWrites.ConfirmBeforeStopAsync(Options.RedisOperationTimeout * 10, cancellationToken).ConfigureAwait(false);
        if (left.Count > 0)
        {
            Runtime.Log.UnconfirmedAtStop(Logger, left.Sum(l => l.Count), string.Join(", ", left.Select(static l => l.Name + " (" + l.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + (l.Items is null ? ")" : ": " + l.Items + ")"))));
        }
        else if (pending > 0)
        {
            Runtime.Log.ConfirmedAtStop(Logger, pending);
        }
    }

    private int _confirmedAtStop;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        OptionsSubscription?.Dispose();
        await ConfirmWritesBeforeStopAsync().ConfigureAwait(false);
        UnconfirmedWrites.Dispose();
        Metrics.Dispose();
        Clock.Dispose();
        if (Redis is not null)
        {
            // Fills answered before they landed: let them land (each is bounded by the Redis budget), or other nodes
            // would wait out their leases.
            await PendingFills.WhenIdleAsync().ConfigureAwait(false);
            await Redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
