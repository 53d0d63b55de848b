using System.Diagnostics;

namespace CachedGen.Runtime;

/// <summary>
/// The <c>CachedGen</c> <see cref="ActivitySource"/>: one activity (<c>cachedgen.get</c>) per cached call while a
/// listener samples it, tagged with the method, the level that answered (<c>l1</c>, <c>l2</c>, <c>source</c>) and the
/// outcome (<c>hit</c>, <c>miss</c>, <c>coalesced</c>, <c>lease_wait</c>, <c>stale</c>, <c>bypass</c>). With no listener
/// the cost is one field read per call. Keys are never recorded.
/// </summary>
internal static class CacheTracing
{
    public const string SourceName = "CachedGen";
    public const string ActivityName = "cachedgen.get";

    public static readonly ActivitySource Source = new(SourceName, typeof(CacheTracing).Assembly.GetName().Version?.ToString(3));

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

    /// <summary>Records where the current cached call was answered, if it is being traced.</summary>
    public static void Mark(string level, string outcome)
    {
        if (Source.HasListeners() && Activity.Current is { } activity && ReferenceEquals(activity.Source, Source))
        {
            activity.SetTag("cachedgen.level", level);
            activity.SetTag("cachedgen.outcome", outcome);
        }
    }
}
