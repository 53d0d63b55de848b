using System;
using Microsoft.Extensions.Logging;

namespace CachedGen.Runtime;

/// <summary>Source-generated log messages. Keys that hash personal data are logged as rendered (hashed) keys only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "CachedGen: Redis {Operation} failed for {Method}; continuing without L2")]
    public static partial void RedisOperationFailed(ILogger logger, string operation, string method, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "CachedGen: Redis {Operation} for {Method} exceeded {TimeoutMs} ms; continuing without L2")]
    public static partial void RedisOperationTimedOut(ILogger logger, string operation, string method, double timeoutMs);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "CachedGen: discarded an unreadable payload for {Method} under {Key}: {Reason}")]
    public static partial void CorruptPayload(ILogger logger, string method, string key, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "CachedGen: could not serialize the result of {Method}; it is served but not written to Redis")]
    public static partial void SerializationFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "CachedGen: result of {Method} is {Bytes} bytes, over its limit of {Limit}; not written to Redis (logged once; cachedgen.oversize counts every one)")]
    public static partial void ValueTooLarge(ILogger logger, string method, int bytes, int limit);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "CachedGen: could not connect to Redis; running on L1 only until it is reachable")]
    public static partial void RedisConnectFailed(ILogger logger, Exception? exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "CachedGen: Redis circuit opened after {Failures} consecutive failures; calls skip Redis for {BreakMs} ms, then probe")]
    public static partial void CircuitOpened(ILogger logger, int failures, double breakMs);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Information, Message = "CachedGen: Redis probe failed; the circuit stays open, calls skip Redis for {BreakMs} ms more, then probe again")]
    public static partial void ProbeFailed(ILogger logger, double breakMs);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Warning, Message = "CachedGen: CachedGenOptions.Methods has settings for {Id}, which names no cached method of the decorated services; they apply to nothing (ids are Namespace.IRepository.Method or IRepository.Method, case-insensitive, which name every overload; one overload adds its parameter types as its method id shows them, IRepository.Method(System.String,System.Threading.CancellationToken); @key names one of several registrations)")]
    public static partial void UnknownMethodSettings(ILogger logger, string id);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "CachedGen: Redis circuit closed; Redis is used again")]
    public static partial void CircuitClosed(ILogger logger);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "CachedGen: could not subscribe to the invalidation channel; other nodes' writes reach this node's L1 only by expiry until the subscription is restored")]
    public static partial void BackplaneSubscribeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "CachedGen: invalidation channel reconnected; L1 cleared, since invalidations sent meanwhile were missed")]
    public static partial void BackplaneResync(ILogger logger);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "CachedGen: early refresh of an entry of {Method} failed; the entry is served until it expires")]
    public static partial void RefreshFailed(ILogger logger, string method, Exception exception);

    // 1012 ("the source failed; serving the last value") is no longer logged: one serve is one event, 1013, which carries
    // the source's exception too.

    [LoggerMessage(EventId = 1013, Level = LogLevel.Warning, Message = "CachedGen: fail-safe served a value of {Method} expired {StaleMs} ms ago ({Reason})")]
    public static partial void FailSafeServed(ILogger logger, string method, string reason, long staleMs, Exception? exception);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Error, Message = "CachedGen: reloaded options rejected; the previous settings stay in force")]
    public static partial void ReloadRejected(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Warning, Message = "CachedGen: the audit sink threw for {Method}; the call goes on")]
    public static partial void AuditSinkFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1017, Level = LogLevel.Debug, Message = "CachedGen: an entry of {Method} was written in the previous payload format; read as a miss and replaced")]
    public static partial void PreviousFormatPayload(ILogger logger, string method);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "CachedGen: a result of {Method} ({Type}) does not read back as written: a member is written but not set back on a read (a non-public setter or field of another assembly's or a generic type, which no generated accessor reaches), or MessagePack's contractless resolver wrote it (a type CachedGen wrote no formatter for, CG0020); it is served but not written to Redis (logged once; cachedgen.unserializable counts every one)")]
    public static partial void LossyRoundTrip(ILogger logger, string method, string type);

    [LoggerMessage(EventId = 1027, Level = LogLevel.Warning, Message = "CachedGen: a result of {Method} holds a {Actual} where its type says {Declared}: written to Redis it would lose {Actual}'s own members and be read back as a {Declared} on other nodes, so it is served and kept in L1 but not written to Redis (logged once; cachedgen.unserializable counts every one). To cache it in Redis, return exactly the declared type (map the subclass to a sealed DTO), or declare the method with the type it returns")]
    public static partial void DerivedValue(ILogger logger, string method, string actual, string declared);

    [LoggerMessage(EventId = 1028, Level = LogLevel.Error, Message = "CachedGen: the runtime stops with {Count} changes Redis never confirmed ({Changes}): their entries may stay in Redis with the values from before the changes until they expire, and other nodes may serve them meanwhile; invalidate them (or everything) once Redis answers")]
    public static partial void UnconfirmedAtStop(ILogger logger, int count, string changes);

    [LoggerMessage(EventId = 1029, Level = LogLevel.Information, Message = "CachedGen: Redis confirmed the {Count} changes it had not confirmed when the runtime began to stop; no entry is left with a value from before its change")]
    public static partial void ConfirmedAtStop(ILogger logger, int count);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Debug, Message = "CachedGen: reading the new value of an entry of {Method} that another node changed failed; the next call reads it")]
    public static partial void FollowFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1019, Level = LogLevel.Warning, Message = "CachedGen: {Service} has a generated decorator, but a registration of it was not decorated (made after AddCachedGen(), or keyed and open generic): calls through it are not cached. Register it before AddCachedGen()")]
    public static partial void UndecoratedRegistration(ILogger logger, string service);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "CachedGen: {Service} is registered, but this build trims or publishes with Native AOT, where the generic decorator of {Definition} cannot be closed (dynamic code): calls through it are not cached. Register an interface that closes it instead (IOrderRepository : IRepository<Order>), whose decorator is generated with the type arguments (docs/serialization.md, Native AOT)")]
    public static partial void UnusableGenericRegistration(ILogger logger, string service, string definition);

    [LoggerMessage(EventId = 1018, Level = LogLevel.Warning, Message = "CachedGen: a result of {Method} has a cycle or nests deeper than {MaxDepth} levels; it is served but not written to Redis (logged once; cachedgen.unserializable counts every one)")]
    public static partial void GraphTooDeep(ILogger logger, string method, int maxDepth);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Warning, Message = "CachedGen: Redis did not confirm the invalidation of tag {Tag}; this node forgets the tag's generation, and other nodes keep serving its entries until they read it again (at most CachedGenOptions.TagRefreshInterval while they can read Redis)")]
    public static partial void TagInvalidationFailed(ILogger logger, string tag);

    [LoggerMessage(EventId = 1026, Level = LogLevel.Warning, Message = "CachedGen: reloaded options change settings fixed at start ({Settings}); they are ignored until the process restarts, the reloadable settings of the reload apply")]
    public static partial void FixedSettingsIgnored(ILogger logger, string settings);
}
