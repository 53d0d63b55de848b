using System;
using System.Collections.Generic;
using System.Globalization;
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
                if (!Read(method, setting))
                {
                    (errors ??= []).Add($"{setting.Path} = \"{setting.Value}\": {Expected(setting.Key)}");
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

    /// <summary>Sets one setting of <paramref name="method"/>; false when its value cannot be read. An unknown name, a
    /// section without a value, or an empty value (unset) is passed over, as the binder does.</summary>
    private static bool Read(CachedMethodOptions method, IConfigurationSection setting)
    {
        if (string.IsNullOrEmpty(setting.Value))
        {
            return true;
        }

        var text = setting.Value;
        switch (Name(setting.Key))
        {
            case nameof(CachedMethodOptions.Ttl):
                return Set(text, value => method.Ttl = value);
            case nameof(CachedMethodOptions.FailSafeMaxAge):
                return Set(text, value => method.FailSafeMaxAge = value);
            case nameof(CachedMethodOptions.SourceSoftTimeout):
                return Set(text, value => method.SourceSoftTimeout = value);
            case nameof(CachedMethodOptions.SourceHardTimeout):
                return Set(text, value => method.SourceHardTimeout = value);
            case nameof(CachedMethodOptions.Enabled):
                if (!bool.TryParse(text.Trim(), out var enabled))
                {
                    return false;
                }

                method.Enabled = enabled;
                return true;
            case nameof(CachedMethodOptions.EarlyRefresh):
                if (!double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var early))
                {
                    return false;
                }

                method.EarlyRefresh = early;
                return true;
            case nameof(CachedMethodOptions.CompressionThresholdBytes):
                if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var threshold))
                {
                    return false;
                }

                method.CompressionThresholdBytes = threshold;
                return true;
            case nameof(CachedMethodOptions.Generation):
                method.Generation = text;
                return true;
            default:
                return true;
        }
    }

    /// <summary>The setting <paramref name="key"/> names, spelled as its property (configuration keys are
    /// case-insensitive); the key itself when it names none.</summary>
    private static string Name(string key)
    {
        foreach (var name in Names)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return key;
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

    /// <summary>Reads <paramref name="text"/> as a <see cref="Duration"/> and hands it to <paramref name="set"/>; false
    /// when it is none.</summary>
    private static bool Set(string text, Action<TimeSpan> set)
    {
        if (!Duration(text, out var value))
        {
            return false;
        }

        set(value);
        return true;
    }

    /// <summary>A duration in the attribute's syntax, else as the binder reads a <see cref="TimeSpan"/> (invariant
    /// culture: <c>"00:00:30"</c>, <c>"1.00:00:00"</c>). A bare number is none: <see cref="TimeSpan"/> reads
    /// <c>"90"</c> as 90 days, where <c>[Cached("90")]</c> is refused (CG0003) for want of a unit.</summary>
    public static bool Duration(string text, out TimeSpan value)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out _))
        {
            value = default;
            return false;
        }

        return TtlParser.TryParse(text, out value) || TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    private static string Expected(string key) => Name(key) switch
    {
        nameof(CachedMethodOptions.Enabled) => "expected true or false.",
        nameof(CachedMethodOptions.EarlyRefresh) => "expected a number between 0 and 1 (\"0.8\").",
        nameof(CachedMethodOptions.CompressionThresholdBytes) => "expected a whole number of bytes.",
        _ => "expected a duration as in [Cached(\"...\")]: \"30s\", \"5m\", \"1h30m\", \"1d\", \"250ms\", or \"00:00:30\" (a number needs its unit).",
    };
}
