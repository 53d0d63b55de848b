using System;

namespace CachedGen;

/// <summary>Receives cache access events for an audit trail. Called synchronously on the caller's thread: queue the
/// event and return; never throw (an exception is caught and logged, and the call goes on).</summary>
public interface ICacheAuditSink
{
    /// <summary>One cached call (its outcome) or one invalidation.</summary>
    void Record(in CacheAuditEvent auditEvent);
}
