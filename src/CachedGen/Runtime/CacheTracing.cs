using System.Diagnostics;
using System.Threading;

namespace CachedGen.Runtime;

/// <summary>
/// The <c>CachedGen</c> <see cref="ActivitySource"/>: one activity (<c>cachedgen.get</c>) per cached call while a
/// listener samples it, tagged with the method, the level that answered (<c>l1</c>, <c>l2</c>, <c>source</c>) and the
/// outcome (<c>hit</c>, <c>miss</c>, <c>coalesced</c>, <c>lease_wait</c>, <c>stale</c>, <c>bypass</c>). With no listener
/// and no audit sink the cost is one field read per call. Keys are never recorded.
/// </summary>
internal static class CacheTracing
{
    public const string SourceName = "CachedGen";
    public const string ActivityName = "cachedgen.get";

    public static readonly ActivitySource Source = new(SourceName, typeof(CacheTracing).Assembly.GetName().Version?.ToString(3));

    // The outcome of the observed call in this async flow; the miss path writes it, the observer reads it at the end.
    private static readonly AsyncLocal<CallRecord?> s_current = new();

    public static Activity? Start(string methodId)
    {
        var activity = Source.StartActivity(ActivityName, ActivityKind.Internal);
        activity?.SetTag("cachedgen.method", methodId);
        return activity;
    }

    /// <summary>An L1 hit: a complete activity, started and stopped at once.</summary>
    public static void LocalHit(string methodId)
    {
        using var activity = Start(methodId);
        if (activity is not null)
        {
            activity.SetTag("cachedgen.level", "l1");
            activity.SetTag("cachedgen.outcome", "hit");
        }
    }

    /// <summary>Starts recording the outcome of a call in this async flow (the observer is an async method, so the
    /// change does not leak to its caller).</summary>
    public static CallRecord Begin() => s_current.Value = new CallRecord();

    /// <summary>Records where the current cached call was answered, if it is observed.</summary>
    public static void Mark(string level, string outcome)
    {
        if (s_current.Value is { } record)
        {
            record.Level = level;
            record.Outcome = outcome;
        }
    }
}

/// <summary>Where an observed call was answered.</summary>
internal sealed class CallRecord
{
    public string Level = "source";
    public string Outcome = "miss";

    public CacheAuditKind Kind => (Level, Outcome) switch
    {
        (_, "stale") => CacheAuditKind.Stale,
        (_, "bypass") => CacheAuditKind.Bypass,
        ("l1", _) => CacheAuditKind.LocalHit,
        ("l2", _) => CacheAuditKind.RedisHit,
        _ => CacheAuditKind.Miss,
    };
}
