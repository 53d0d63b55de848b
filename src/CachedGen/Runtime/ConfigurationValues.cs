using System;
using System.Globalization;

namespace CachedGen.Runtime;

/// <summary>How <see cref="ConfiguredOptions"/> and <see cref="ConfiguredMethods"/> read a configuration value: each
/// reader sets the value and returns <see langword="null"/>, or returns the words saying what was expected.</summary>
internal static class ConfigurationValues
{
    public const string ExpectedDuration = "expected a duration as in [Cached(\"...\")]: \"30s\", \"5m\", \"1h30m\", \"1d\", \"250ms\", or \"00:00:30\" (a number needs its unit).";

    /// <summary>The name in <paramref name="names"/> that <paramref name="key"/> spells, in any case (configuration keys
    /// are case-insensitive); the key itself when it spells none.</summary>
    public static string Name(string key, string[] names)
    {
        foreach (var name in names)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return name;
            }
        }

        return key;
    }

    public static string? Boolean(string text, Action<bool> set)
    {
        if (!bool.TryParse(text.Trim(), out var value))
        {
            return "expected true or false.";
        }

        set(value);
        return null;
    }

    public static string? WholeNumber(string text, Action<int> set)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return "expected a whole number.";
        }

        set(value);
        return null;
    }

    public static string? Number(string text, Action<double> set)
    {
        if (!double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value))
        {
            return "expected a number (\"0.8\").";
        }

        set(value);
        return null;
    }

    public static string? Duration(string text, Action<TimeSpan> set)
    {
        if (!TryDuration(text, out var value))
        {
            return ExpectedDuration;
        }

        set(value);
        return null;
    }

    public static string? Base64(string text, Action<byte[]> set)
    {
        if (!TryBase64(text, out var bytes))
        {
            return "expected the bytes in base64.";
        }

        set(bytes);
        return null;
    }

    /// <summary>A duration in the attribute's syntax, else as the binder reads a <see cref="TimeSpan"/> (invariant
    /// culture: <c>"00:00:30"</c>, <c>"1.00:00:00"</c>). A bare number is none: <see cref="TimeSpan"/> reads
    /// <c>"90"</c> as 90 days, where <c>[Cached("90")]</c> is refused (CG0003) for want of a unit.</summary>
    public static bool TryDuration(string text, out TimeSpan value)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out _))
        {
            value = default;
            return false;
        }

        return TtlParser.TryParse(text, out value) || TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (Convert.TryFromBase64String(text.Trim(), buffer, out var written))
        {
            bytes = buffer.AsSpan(0, written).ToArray();
            return true;
        }

        bytes = [];
        return false;
    }
}
