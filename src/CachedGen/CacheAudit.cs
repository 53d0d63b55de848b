using System;
using System.Threading;

namespace CachedGen;

/// <summary>Receives cache access events for an audit trail. Called synchronously on the caller's thread: queue the
/// event and return; never throw (an exception is caught and logged, and the call goes on).</summary>
public interface ICacheAuditSink
{
    /// <summary>One cached call (its outcome) or one invalidation.</summary>
    void Record(in CacheAuditEvent auditEvent);
}

/// <summary>What happened to one cached call or invalidation.</summary>
/// <param name="Method">The method id, such as <c>Forms.IFormRepository.GetSchemaAsync</c>.</param>
/// <param name="Key">The entry's Redis key; hashed placeholders appear only as their HMAC, and a sensitive method's key
/// as a keyed HMAC of the whole key (<c>sensitive:h1.…</c>). Personal data reaches a key only hashed (CG0001).</param>
/// <param name="Kind">Where the call was answered, or that the entry was invalidated.</param>
/// <param name="Principal">Who made the call, as set with <see cref="CacheAudit.BeginScope"/>; <see langword="null"/>
/// when not set.</param>
/// <param name="Timestamp">When it happened (the runtime's <see cref="CachedGenOptions.TimeProvider"/>).</param>
public readonly record struct CacheAuditEvent(string Method, string Key, CacheAuditKind Kind, string? Principal, DateTimeOffset Timestamp);

/// <summary>The outcome an audit event records.</summary>
public enum CacheAuditKind
{
    /// <summary>Served from this node's L1.</summary>
    LocalHit,

    /// <summary>Served from Redis.</summary>
    RedisHit,

    /// <summary>Served by the source (called by this caller, or by another caller it waited for).</summary>
    Miss,

    /// <summary>Served an expired value by the fail-safe.</summary>
    Stale,

    /// <summary>The cache was off for the call: the source answered.</summary>
    Bypass,

    /// <summary>The entry was invalidated.</summary>
    Invalidation,

    /// <summary>A write put its result in the entry (write-through, <c>[CachePut]</c>).</summary>
    Put,
}

/// <summary>The principal recorded in audit events.</summary>
public static class CacheAudit
{
    private static readonly AsyncLocal<string?> s_principal = new();

    /// <summary>The principal of the current async flow, if any.</summary>
    public static string? CurrentPrincipal => s_principal.Value;

    /// <summary>Sets the principal recorded in audit events of calls made in this async flow until the returned scope
    /// is disposed (for example the user id, in middleware).</summary>
    public static IDisposable BeginScope(string? principal)
    {
        var previous = s_principal.Value;
        s_principal.Value = principal;
        return new Scope(previous);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => s_principal.Value = previous;
    }
}
