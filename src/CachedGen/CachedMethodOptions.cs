using System;

namespace CachedGen;

/// <summary>
/// Run-time settings of one cached method, in <see cref="CachedGenOptions.Methods"/> under the method's id
/// (<c>Namespace.IFormRepository.GetSchemaAsync</c>, or just <c>IFormRepository.GetSchemaAsync</c>). Each setting left
/// <see langword="null"/> takes the global one (or, for the TTL, the attribute's). All of them are reloadable: bound to
/// configuration, a change applies from the next call.
/// </summary>
public sealed class CachedMethodOptions
{
    /// <summary>Per-method kill switch: <see langword="false"/> sends every call of this method to the repository.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Replaces the TTL of <c>[Cached]</c> for entries written from now on.</summary>
    public TimeSpan? Ttl { get; set; }

    /// <summary>Replaces <see cref="CachedGenOptions.EarlyRefresh"/> for this method.</summary>
    public double? EarlyRefresh { get; set; }

    /// <summary>Replaces <see cref="CachedGenOptions.FailSafeMaxAge"/> for this method.</summary>
    public TimeSpan? FailSafeMaxAge { get; set; }

    /// <summary>Replaces <see cref="CachedGenOptions.SourceSoftTimeout"/> for this method.</summary>
    public TimeSpan? SourceSoftTimeout { get; set; }

    /// <summary>Replaces <see cref="CachedGenOptions.SourceHardTimeout"/> for this method.</summary>
    public TimeSpan? SourceHardTimeout { get; set; }

    /// <summary>This method's key generation, combined with <see cref="CachedGenOptions.Generation"/>: change it to drop
    /// every entry of this method (on every node that reloads the setting).</summary>
    public string? Generation { get; set; }

    /// <summary>Replaces <see cref="CachedGenOptions.CompressionThresholdBytes"/> for this method.</summary>
    public int? CompressionThresholdBytes { get; set; }
}
