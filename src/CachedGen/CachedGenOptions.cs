using System;
using System.Collections.Generic;
using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace CachedGen;

/// <summary>Run-time settings of CachedGen. Configure them with <c>services.AddCachedGen(o =&gt; ...)</c>.</summary>
public sealed class CachedGenOptions
{
    /// <summary>Prefix of every Redis key CachedGen writes (for example <c>"forms-app:"</c>). A Redis ACL user
    /// restricted to <c>~prefix*</c> is then enough.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>Global kill switch: when <see langword="false"/>, every cached method calls the repository directly.
    /// Takes effect on the next call.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Longest a call waits for one Redis operation before it gives up on L2 and goes on without it.
    /// Default 100 ms; a dead or slow Redis never adds more than this to a call. Time the process spends paused for
    /// garbage collection during the operation is not counted: such a pause holds up Redis's reply and the timeout
    /// alike, and counting it would fail every operation in flight (and open the circuit breaker) although Redis
    /// answered in time.</summary>
    public TimeSpan RedisOperationTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Consecutive Redis failures (errors or timeouts) that open the circuit breaker. Default 5.</summary>
    public int CircuitBreakerThreshold { get; set; } = 5;

    /// <summary>How long an open circuit skips Redis before one probe is let through. Default 5 s.</summary>
    public TimeSpan CircuitBreakerDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Share of the TTL by which each Redis entry's lifetime is shortened at random (0 to this fraction), so
    /// entries written together do not all expire together. Never lengthens a TTL. Default 0.1 (up to 10 %).</summary>
    public double TtlJitter { get; set; } = 0.1;

    /// <summary>Serialized values larger than this are LZ4-compressed before they go to Redis. Default 1 KiB.</summary>
    public int CompressionThresholdBytes { get; set; } = 1024;

    /// <summary>Deepest nesting of objects and collections a value may have to be written to Redis (the value itself
    /// is level 1, each object or collection inside it one more). A value nested deeper, or whose instance has a cycle
    /// (an ORM entity whose child points back at it), is returned and kept in L1 but not written to Redis; it is counted
    /// (<c>cachedgen.unserializable</c>) and logged once per method (event 1018). Default 64; 1 to 256 (a payload is read
    /// back with MessagePack's limit of 500).</summary>
    public int MaxSerializedDepth { get; set; } = DefaultMaxSerializedDepth;

    /// <summary>The default of <see cref="MaxSerializedDepth"/>.</summary>
    public const int DefaultMaxSerializedDepth = 64;

    /// <summary>The largest <see cref="MaxSerializedDepth"/> accepted.</summary>
    public const int MaxSerializedDepthLimit = 256;

    /// <summary>L1 entries per method when <c>[Cached(MaxLocalEntries = ...)]</c> does not say. Default 10,000; at least 3.</summary>
    public int DefaultMaxLocalEntries { get; set; } = 10_000;

    /// <summary>The smallest L1 a method keeps (the L1's three queues need an entry each): a smaller
    /// <c>[Cached(MaxLocalEntries = ...)]</c> is reported by CG0022 and raised to it.</summary>
    internal const int SmallestLocalCapacity = 3;

    /// <summary>Largest serialized value written to Redis when <c>[Cached(MaxValueBytes = ...)]</c> does not say.
    /// Larger values are still returned and kept in L1, but not written to L2. Default 1 MiB; positive.</summary>
    public int DefaultMaxValueBytes { get; set; } = 1 << 20;

    /// <summary>Secret of the keyed HMAC that renders <c>{param:hash}</c> placeholders (at least 32 bytes). Every node
    /// of a deployment must share it. Required when Redis is used and any cached method hashes a placeholder.</summary>
    public byte[]? KeyHashSecret { get; set; }

    /// <summary>Identifier of <see cref="KeyHashSecret"/>, written into every hashed placeholder so that a new secret
    /// gives new keys. Letters and digits only. Default <c>"1"</c>.</summary>
    public string KeyHashSecretId { get; set; } = "1";

    /// <summary>The secret <see cref="KeyHashSecret"/> replaced, kept for a rotation window: until
    /// <see cref="KeyHashRotationEndsAt"/>, a miss under the new secret's key also tries the key this secret gives, so a
    /// rotation does not empty the cache, and invalidations delete both. See docs/security.md.</summary>
    public byte[]? PreviousKeyHashSecret { get; set; }

    /// <summary>Identifier of <see cref="PreviousKeyHashSecret"/> (it must differ from <see cref="KeyHashSecretId"/>).</summary>
    public string? PreviousKeyHashSecretId { get; set; }

    /// <summary>End of the rotation window of <see cref="PreviousKeyHashSecret"/>; after it the previous secret is ignored.</summary>
    public DateTimeOffset? KeyHashRotationEndsAt { get; set; }

    /// <summary>
    /// AES-256-GCM key (32 bytes) that encrypts the values of <c>[Cached(Sensitive = true)]</c> methods before they go
    /// to Redis. Required once Redis is used by a sensitive method: without it CachedGen refuses to start that method
    /// rather than write plaintext. Every node must share it. See docs/security.md.
    /// </summary>
    public byte[]? ValueEncryptionKey { get; set; }

    /// <summary>Identifier of <see cref="ValueEncryptionKey"/>, written into each encrypted payload so that a reader
    /// picks the right key after a rotation. ASCII letters and digits, at most 32. Default <c>"1"</c>.</summary>
    public string ValueEncryptionKeyId { get; set; } = "1";

    /// <summary>Earlier encryption keys by id, used only to decrypt entries written before a rotation (new entries use
    /// <see cref="ValueEncryptionKey"/>). Drop a key once the longest TTL has passed since its replacement.</summary>
    public Dictionary<string, byte[]> PreviousValueEncryptionKeys { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Receives an event for each cached call and invalidation (method, key with hashed placeholders as
    /// HMACs, level, outcome, principal). <see langword="null"/> (the default) costs nothing; with dependency injection
    /// a registered <see cref="ICacheAuditSink"/> is used when this is not set.</summary>
    public ICacheAuditSink? AuditSink { get; set; }

    /// <summary>
    /// Lifetime of the Redis lease taken by the node that loads a missing entry (default 5 s). Other nodes wait for
    /// that node's value instead of calling the source (for at most <see cref="LeaseWaitTimeout"/>); a lease whose
    /// holder crashed expires after it. A load that outlives its lease is served but not written to Redis.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest a caller waits for another node's load (the holder of the entry's lease) before it calls the source
    /// itself, without writing to Redis. Bounds the wait when the holder is slow, crashed, or lost its lease to a Redis
    /// outage. Default 1 s; at most <see cref="LeaseDuration"/>.
    /// </summary>
    public TimeSpan LeaseWaitTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a miss is answered as soon as the source answers, with the value written to Redis in the background
    /// (default <see langword="true"/>). The value goes to this node's L1 at once and the lease stays held until the
    /// fill lands, so other nodes wait for it rather than calling the source; a fill that finds its lease gone (an
    /// invalidation came in meanwhile) also takes the value back out of L1. Turned off, or for a method without L1, the
    /// caller waits for the fill (one more Redis round trip), and the value is in Redis when the call returns. The
    /// warm-up and the runtime's disposal wait for fills still pending.
    /// </summary>
    public bool BackgroundFill { get; set; } = true;

    /// <summary>
    /// Whether a node whose L1 copy another node's write made stale reads the new value from Redis in the background
    /// as soon as it is there (default <see langword="true"/>; needs <see cref="Backplane"/>). After a put
    /// (<c>[CachePut]</c>) that is at once; after an invalidation, when the entry's next fill (by any node, within 10 s)
    /// announces itself. Only copies still in L1 are followed, so the next call on that node is an L1 hit instead of a
    /// Redis read. The cost: one more backplane message per fill after an invalidation, a marker key per invalidation
    /// (for at most 10 s), and one Redis GET per node that held a copy.
    /// </summary>
    public bool FollowRemoteChanges { get; set; } = true;

    /// <summary>
    /// Whether invalidations are broadcast to the other nodes over Redis pub/sub, so that they drop the entry from
    /// their L1 too (default <see langword="true"/>). The channel is <c>{KeyPrefix}cachedgen:invalidations</c>.
    /// </summary>
    public bool Backplane { get; set; } = true;

    /// <summary>
    /// Share of an entry's L1 lifetime after which a hit also refreshes it in the background, so a popular entry is
    /// replaced before it expires and its callers never wait for the source. Each entry draws its moment at random
    /// between this share and halfway to its expiry, so entries written together are not refreshed together. The
    /// refresh takes the entry's Redis lease: one node refreshes, the others pick the new value up from Redis.
    /// Default 0.8; 0 (or 1 and above) turns early refresh off. Reloadable.
    /// </summary>
    public double EarlyRefresh { get; set; } = 0.8;

    /// <summary>
    /// Fail-safe: how long after its expiry a value may still be served when the source throws (or exceeds
    /// <see cref="SourceSoftTimeout"/>/<see cref="SourceHardTimeout"/>). Entries then stay in Redis this much longer
    /// than their TTL, marked expired. Default zero: off, the caller gets the source's exception. Reloadable.
    /// </summary>
    public TimeSpan FailSafeMaxAge { get; set; }

    /// <summary>After the fail-safe served an expired value, how long that value is served from L1 before the source
    /// is tried again (a failing source is not called by every caller). Default 5 s. Reloadable.</summary>
    public TimeSpan FailSafeThrottle { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>With an expired value available to the fail-safe, how long a caller waits for the source before it gets
    /// that value instead; the source call goes on in the background and its result is cached. Default zero: off.
    /// Reloadable.</summary>
    public TimeSpan SourceSoftTimeout { get; set; }

    /// <summary>How long a caller waits for the source at most: then it gets the fail-safe value if there is one, else a
    /// <see cref="TimeoutException"/>; the source call goes on in the background and its result is cached. Default
    /// zero: no limit. Reloadable.</summary>
    public TimeSpan SourceHardTimeout { get; set; }

    /// <summary>
    /// Key generation of every cached method: when it changes (a reload is enough), every node uses new Redis keys
    /// and clears its L1, so all entries written before are never read again and expire with their TTL. O(1), no
    /// <c>FLUSHDB</c> or key scan: the way to drop the whole cache after data changed behind the application's back.
    /// Letters, digits, <c>-</c> and <c>.</c>; default empty.
    /// </summary>
    public string Generation { get; set; } = "";

    /// <summary>
    /// How long a node trusts a tag generation it knows before it reads it from Redis again (on the next miss that
    /// needs it). Tag invalidations normally arrive over the backplane at once; this bounds how long a node that missed
    /// one (backplane down) keeps reading the tag's old entries from Redis. Default 10 s.
    /// </summary>
    public TimeSpan TagRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long Redis keeps a tag's generation after its last invalidation (<c>{KeyPrefix}cachedgen:tag:{tag}</c>). It
    /// must outlive every entry that carries the tag, so a tagged method whose TTL plus <see cref="FailSafeMaxAge"/>
    /// exceeds it refuses to start. Default 30 days.
    /// </summary>
    public TimeSpan TagRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Most tag generations a node remembers (least recently used are forgotten and read again from Redis when
    /// needed). Default 100,000.</summary>
    public int MaxKnownTags { get; set; } = 100_000;

    /// <summary>Per-method settings, by method id (<c>Namespace.IFormRepository.GetSchemaAsync</c> or
    /// <c>IFormRepository.GetSchemaAsync</c>, in any case, as configuration keys are). Reloadable; checked at start and
    /// on every reload. Bound from configuration, their durations take the attribute's syntax (<c>"30s"</c>,
    /// <c>"5m"</c>, <c>"1h30m"</c>, <c>"250ms"</c>) or <c>"00:00:30"</c> (see <see cref="MethodsConfiguration"/>).</summary>
    public Dictionary<string, CachedMethodOptions> Methods { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The <c>Methods</c> section of the configuration these options were bound from, set by the configuration binder
    /// (<c>services.Configure&lt;CachedGenOptions&gt;(configuration.GetSection("CachedGen"))</c>) beside
    /// <see cref="Methods"/>; not meant to be set by code. The binder drops a whole <c>Methods</c> entry without a word when
    /// one of its values does not convert (a TTL written <c>"30s"</c>); the runtime therefore reads every entry of this
    /// section again, at start and on each reload, with the attribute's duration syntax, and refuses a value it cannot read
    /// (the runtime does not start; a reload is rejected, event 1015), naming the setting's path and the value.
    /// </summary>
    [ConfigurationKeyName(nameof(Methods))]
    [EditorBrowsable(EditorBrowsableState.Never)]
    public IConfigurationSection? MethodsConfiguration { get; set; }

    /// <summary>What <see cref="Runtime.ConfiguredOptions"/> could not read of the configuration given to
    /// <c>AddCachedGen(configuration)</c>: thrown by the runtime at start, a reload's rejected (1015).</summary>
    internal ArgumentException? ConfigurationError { get; set; }

    /// <summary>The runtime's one clock: L1 expiry, early refresh, fail-safe, source timeouts, lease waits, tag
    /// freshness, the Redis read budget, the circuit breaker and payload timestamps. Left at
    /// <see cref="System.TimeProvider.System"/>, <c>AddCachedGen</c> uses a <see cref="System.TimeProvider"/> registered in
    /// dependency injection, if any. Replace it in tests (a <c>FakeTimeProvider</c> drives everything).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
