using System;

namespace CachedGen;

/// <summary>Assembly-wide defaults for every <see cref="CachedAttribute"/> in the assembly.</summary>
/// <example><code>[assembly: CachedDefaults(Ttl = "10m", KeyPrefix = "forms:")]</code></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class CachedDefaultsAttribute : Attribute
{
    /// <summary>TTL used by <c>[Cached]</c> without one.</summary>
    public string? Ttl { get; set; }

    /// <summary>Prefix placed before every key template of the assembly, after <see cref="CachedGenOptions.KeyPrefix"/>.</summary>
    public string? KeyPrefix { get; set; }
}
