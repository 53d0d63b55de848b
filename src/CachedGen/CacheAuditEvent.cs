using System;

namespace CachedGen;

/// <summary>What happened to one cached call or invalidation.</summary>
/// <param name="Method">The method id, such as <c>Forms.IFormRepository.GetSchemaAsync</c>.</param>
/// <param name="Key">The entry's Redis key; hashed placeholders appear only as their HMAC, and a sensitive method's key
/// as a keyed HMAC of the whole key (<c>sensitive:h1.…</c>). Personal data reaches a key only hashed (CG0001).</param>
/// <param name="Kind">Where the call was answered, or that the entry was invalidated.</param>
/// <param name="Principal">Who made the call, as set with <see cref="CacheAudit.BeginScope"/>; <see langword="null"/>
/// when not set.</param>
/// <param name="Timestamp">When it happened (the runtime's <see cref="CachedGenOptions.TimeProvider"/>).</param>
public readonly record struct CacheAuditEvent(string Method, string Key, CacheAuditKind Kind, string? Principal, DateTimeOffset Timestamp);
