using System;

namespace CachedGen;

/// <summary>
/// Marks a parameter that does not change the result of a cached method (a logger, a trace id), so it is left out
/// of the cache key. Without it, a parameter missing from the key template is reported, since two callers that
/// differ only in that parameter would share an entry.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class NotCacheKeyAttribute : Attribute
{
}
