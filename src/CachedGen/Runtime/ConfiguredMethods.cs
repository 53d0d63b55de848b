using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;

namespace CachedGen.Runtime;

/// <summary>
/// Reads <see cref="CachedGenOptions.Methods"/> again from the configuration section the binder kept beside it
/// (<see cref="CachedGenOptions.MethodsConfiguration"/>). The configuration binder drops a whole dictionary entry without a
/// word when one of its values does not convert (it does so for dictionary values, where it throws for a property):
/// <c>Methods:IFlightSeats.GetFareAsync:Ttl = "30s"</c> left the method on its default TTL, and its kill switch with it.
/// Here durations take the attribute's syntax (<see cref="TtlParser"/>: <c>30s</c>, <c>5m</c>, <c>1h30m</c>,
/// <c>250ms</c>, <c>00:00:30</c>) or anything the binder reads as a <see cref="TimeSpan"/>, the other settings what the
/// binder reads, and a value read by neither is refused with its path and value.
/// </summary>
internal static class ConfiguredMethods
{
    /// <summary>Sets every <c>Methods</c> entry of the configuration on <paramref name="options"/> (an entry set in code
    /// under the same id keeps the settings the configuration does not name, as with the binder). Throws
    /// <see cref="ArgumentException"/> naming every value it cannot read; <paramref name="options"/> may then be half
    /// updated, and must not be used.</summary>
    public static void Apply(CachedGenOptions options)
    {
        if (options.MethodsConfiguration is not { } section)
        {
            return;
        }

        List<string>? errors = null;
        foreach (var entry in section.GetChildren())
        {
            var method = options.Methods.TryGetValue(entry.Key, out var existing) && existing is not null ? existing : new CachedMethodOptions();
            foreach (var setting in entry.GetChildren())
            {
                if (Read(method, setting) is { } expected)
                {
                    (errors ??= []).Add($"{setting.Path} = \"{setting.Value}\": {expected}");
                }
            }

            options.Methods[entry.Key] = method;
        }

        if (errors is not null)
        {
            throw new ArgumentException(
                "CachedGen cannot read these settings of CachedGenOptions.Methods in the configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
    }

    /// <summary>Sets one setting of <paramref name="method"/>; the words saying what was expected when its value cannot
    /// be read, else <see langword="null"/>. An unknown name, a section without a value, or an empty value (unset) is
    /// passed over, as the binder does.</summary>
    private static string? Read(CachedMethodOptions method, IConfigurationSection setting)
    {
        var text = setting.Value;
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        switch (ConfigurationValues.Name(setting.Key, Names))
        {
            case nameof(CachedMethodOptions.Ttl): return ConfigurationValues.Duration(text, value => method.Ttl = value);
            case nameof(CachedMethodOptions.FailSafeMaxAge): return ConfigurationValues.Duration(text, value => method.FailSafeMaxAge = value);
            case nameof(CachedMethodOptions.SourceSoftTimeout): return ConfigurationValues.Duration(text, value => method.SourceSoftTimeout = value);
            case nameof(CachedMethodOptions.SourceHardTimeout): return ConfigurationValues.Duration(text, value => method.SourceHardTimeout = value);
            case nameof(CachedMethodOptions.Enabled): return ConfigurationValues.Boolean(text, value => method.Enabled = value);
            case nameof(CachedMethodOptions.EarlyRefresh): return ConfigurationValues.Number(text, value => method.EarlyRefresh = value);
            case nameof(CachedMethodOptions.CompressionThresholdBytes): return ConfigurationValues.WholeNumber(text, value => method.CompressionThresholdBytes = value);
            case nameof(CachedMethodOptions.Generation): method.Generation = text; return null;
            default: return null;
        }
    }

    private static readonly string[] Names =
    [
        nameof(CachedMethodOptions.Enabled),
        nameof(CachedMethodOptions.Ttl),
        nameof(CachedMethodOptions.EarlyRefresh),
        nameof(CachedMethodOptions.FailSafeMaxAge),
        nameof(CachedMethodOptions.SourceSoftTimeout),
        nameof(CachedMethodOptions.SourceHardTimeout),
        nameof(CachedMethodOptions.Generation),
        nameof(CachedMethodOptions.CompressionThresholdBytes),
    ];
}
