using System;

namespace CachedGen;

/// <summary>
/// Marks a parameter that does not change the result of a cached method (a logger, a trace id), so it is left out
/// of the cache key. Without it, a parameter missing from the key template is reported, since two callers that
/// differ only in that parameter would share an entry. On a property or field of a parameter's type (a query object
/// whose key template reads some of its members), it says the member does not change a result either (CG0024).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class NotCacheKeyAttribute : Attribute
{
}
