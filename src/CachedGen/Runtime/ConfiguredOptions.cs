using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace CachedGen.Runtime;

/// <summary>
/// Reads <see cref="CachedGenOptions"/> from a configuration section for
/// <see cref="CachedGenServiceCollectionExtensions.AddCachedGen(Microsoft.Extensions.DependencyInjection.IServiceCollection, IConfiguration)"/>,
/// without the configuration binder. The binder cannot read the attribute's durations (<c>"30s"</c>), and its source
/// generator, which a <c>PublishAot</c> application turns on, cannot bind the options at all without warnings
/// (SYSLIB1100/SYSLIB1101 for <see cref="CachedGenOptions.TimeProvider"/> and <see cref="CachedGenOptions.AuditSink"/>,
/// errors under <c>TreatWarningsAsErrors</c>) and throws at start on a <c>Methods</c> duration written <c>"30s"</c>.
/// Here every setting is read by name (in any case, as configuration keys are): durations in the attribute's syntax or
/// as a <see cref="TimeSpan"/> (<see cref="ConfiguredMethods.Duration"/>), secrets in base64, and the <c>Methods</c>
/// section by <see cref="ConfiguredMethods"/>. A key that names no setting is passed over, as the binder does; a value
/// that cannot be read is refused with its path and value.
/// </summary>
internal static class ConfiguredOptions
{
    /// <summary>Sets on <paramref name="options"/> every setting <paramref name="section"/> holds. Throws
    /// <see cref="ArgumentException"/> naming every value it cannot read (the settings it could read are set).</summary>
    public static void Apply(IConfiguration section, CachedGenOptions options)
    {
        List<string>? errors = null;
        foreach (var setting in section.GetChildren())
        {
            if (Read(options, setting) is { } expected)
            {
                (errors ??= []).Add($"{setting.Path} = \"{setting.Value}\": {expected}");
            }
        }

        var methods = section.GetSection(nameof(CachedGenOptions.Methods));
        if (methods.GetChildren().GetEnumerator().MoveNext())
        {
            options.MethodsConfiguration = methods;
        }

        if (errors is not null)
        {
            throw new ArgumentException(
                "CachedGen cannot read these settings of CachedGenOptions in the configuration:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
    }

    private const string ExpectedDuration = "expected a duration as in [Cached(\"...\")]: \"30s\", \"5m\", \"1h30m\", \"1d\", \"250ms\", or \"00:00:30\" (a number needs its unit).";
    private const string ExpectedBoolean = "expected true or false.";
    private const string ExpectedWholeNumber = "expected a whole number.";
    private const string ExpectedNumber = "expected a number (\"0.8\").";
    private const string ExpectedBase64 = "expected the bytes in base64.";

    /// <summary>Sets one setting; the words saying what was expected when its value cannot be read, else
    /// <see langword="null"/>. An empty value leaves the setting as it is, as the binder does.</summary>
    private static string? Read(CachedGenOptions options, IConfigurationSection setting)
    {
        var text = setting.Value;
        var name = Name(setting.Key);
        switch (name)
        {
            case nameof(CachedGenOptions.Methods):
                return null; // ConfiguredMethods
            case nameof(CachedGenOptions.PreviousValueEncryptionKeys):
                foreach (var key in setting.GetChildren())
                {
                    if (string.IsNullOrEmpty(key.Value) || !TryBase64(key.Value, out var bytes))
                    {
                        return $"{key.Key}: {ExpectedBase64}";
                    }

                    options.PreviousValueEncryptionKeys[key.Key] = bytes;
                }

                return null;
            case nameof(CachedGenOptions.TimeProvider):
            case nameof(CachedGenOptions.AuditSink):
                return "set in code (an object, not a configuration value).";
        }

        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        switch (name)
        {
            case nameof(CachedGenOptions.KeyPrefix): options.KeyPrefix = text; return null;
            case nameof(CachedGenOptions.KeyHashSecretId): options.KeyHashSecretId = text; return null;
            case nameof(CachedGenOptions.PreviousKeyHashSecretId): options.PreviousKeyHashSecretId = text; return null;
            case nameof(CachedGenOptions.ValueEncryptionKeyId): options.ValueEncryptionKeyId = text; return null;
            case nameof(CachedGenOptions.Generation): options.Generation = text; return null;
            case nameof(CachedGenOptions.Enabled): return Boolean(text, v => options.Enabled = v);
            case nameof(CachedGenOptions.BackgroundFill): return Boolean(text, v => options.BackgroundFill = v);
            case nameof(CachedGenOptions.FollowRemoteChanges): return Boolean(text, v => options.FollowRemoteChanges = v);
            case nameof(CachedGenOptions.Backplane): return Boolean(text, v => options.Backplane = v);
            case nameof(CachedGenOptions.CircuitBreakerThreshold): return WholeNumber(text, v => options.CircuitBreakerThreshold = v);
            case nameof(CachedGenOptions.CompressionThresholdBytes): return WholeNumber(text, v => options.CompressionThresholdBytes = v);
            case nameof(CachedGenOptions.MaxSerializedDepth): return WholeNumber(text, v => options.MaxSerializedDepth = v);
            case nameof(CachedGenOptions.DefaultMaxLocalEntries): return WholeNumber(text, v => options.DefaultMaxLocalEntries = v);
            case nameof(CachedGenOptions.DefaultMaxValueBytes): return WholeNumber(text, v => options.DefaultMaxValueBytes = v);
            case nameof(CachedGenOptions.MaxKnownTags): return WholeNumber(text, v => options.MaxKnownTags = v);
            case nameof(CachedGenOptions.TtlJitter): return Number(text, v => options.TtlJitter = v);
            case nameof(CachedGenOptions.EarlyRefresh): return Number(text, v => options.EarlyRefresh = v);
            case nameof(CachedGenOptions.RedisOperationTimeout): return Duration(text, v => options.RedisOperationTimeout = v);
            case nameof(CachedGenOptions.CircuitBreakerDuration): return Duration(text, v => options.CircuitBreakerDuration = v);
            case nameof(CachedGenOptions.LeaseDuration): return Duration(text, v => options.LeaseDuration = v);
            case nameof(CachedGenOptions.LeaseWaitTimeout): return Duration(text, v => options.LeaseWaitTimeout = v);
            case nameof(CachedGenOptions.FailSafeMaxAge): return Duration(text, v => options.FailSafeMaxAge = v);
            case nameof(CachedGenOptions.FailSafeThrottle): return Duration(text, v => options.FailSafeThrottle = v);
            case nameof(CachedGenOptions.SourceSoftTimeout): return Duration(text, v => options.SourceSoftTimeout = v);
            case nameof(CachedGenOptions.SourceHardTimeout): return Duration(text, v => options.SourceHardTimeout = v);
            case nameof(CachedGenOptions.TagRefreshInterval): return Duration(text, v => options.TagRefreshInterval = v);
            case nameof(CachedGenOptions.TagRetention): return Duration(text, v => options.TagRetention = v);
            case nameof(CachedGenOptions.KeyHashSecret): return Base64(text, v => options.KeyHashSecret = v);
            case nameof(CachedGenOptions.PreviousKeyHashSecret): return Base64(text, v => options.PreviousKeyHashSecret = v);
            case nameof(CachedGenOptions.ValueEncryptionKey): return Base64(text, v => options.ValueEncryptionKey = v);
            case nameof(CachedGenOptions.KeyHashRotationEndsAt):
                if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var endsAt))
                {
                    return "expected a date and time (\"2026-12-31T00:00:00Z\").";
                }

                options.KeyHashRotationEndsAt = endsAt;
                return null;
            default:
                return null;
        }
    }

    private static string? Boolean(string text, Action<bool> set)
    {
        if (!bool.TryParse(text.Trim(), out var value))
        {
            return ExpectedBoolean;
        }

        set(value);
        return null;
    }

    private static string? WholeNumber(string text, Action<int> set)
    {
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return ExpectedWholeNumber;
        }

        set(value);
        return null;
    }

    private static string? Number(string text, Action<double> set)
    {
        if (!double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var value))
        {
            return ExpectedNumber;
        }

        set(value);
        return null;
    }

    private static string? Duration(string text, Action<TimeSpan> set)
    {
        if (!ConfiguredMethods.Duration(text, out var value))
        {
            return ExpectedDuration;
        }

        set(value);
        return null;
    }

    private static string? Base64(string text, Action<byte[]> set)
    {
        if (!TryBase64(text, out var bytes))
        {
            return ExpectedBase64;
        }

        set(bytes);
        return null;
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

    /// <summary>The property <paramref name="key"/> names, in any case; the key itself when it names none.</summary>
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
        nameof(CachedGenOptions.KeyPrefix), nameof(CachedGenOptions.Enabled), nameof(CachedGenOptions.RedisOperationTimeout),
        nameof(CachedGenOptions.CircuitBreakerThreshold), nameof(CachedGenOptions.CircuitBreakerDuration), nameof(CachedGenOptions.TtlJitter),
        nameof(CachedGenOptions.CompressionThresholdBytes), nameof(CachedGenOptions.MaxSerializedDepth), nameof(CachedGenOptions.DefaultMaxLocalEntries),
        nameof(CachedGenOptions.DefaultMaxValueBytes), nameof(CachedGenOptions.KeyHashSecret), nameof(CachedGenOptions.KeyHashSecretId),
        nameof(CachedGenOptions.PreviousKeyHashSecret), nameof(CachedGenOptions.PreviousKeyHashSecretId), nameof(CachedGenOptions.KeyHashRotationEndsAt),
        nameof(CachedGenOptions.ValueEncryptionKey), nameof(CachedGenOptions.ValueEncryptionKeyId), nameof(CachedGenOptions.PreviousValueEncryptionKeys),
        nameof(CachedGenOptions.AuditSink), nameof(CachedGenOptions.LeaseDuration), nameof(CachedGenOptions.LeaseWaitTimeout),
        nameof(CachedGenOptions.BackgroundFill), nameof(CachedGenOptions.FollowRemoteChanges), nameof(CachedGenOptions.Backplane),
        nameof(CachedGenOptions.EarlyRefresh), nameof(CachedGenOptions.FailSafeMaxAge), nameof(CachedGenOptions.FailSafeThrottle),
        nameof(CachedGenOptions.SourceSoftTimeout), nameof(CachedGenOptions.SourceHardTimeout), nameof(CachedGenOptions.Generation),
        nameof(CachedGenOptions.TagRefreshInterval), nameof(CachedGenOptions.TagRetention), nameof(CachedGenOptions.MaxKnownTags),
        nameof(CachedGenOptions.Methods), nameof(CachedGenOptions.TimeProvider),
    ];

    /// <summary>Reads <paramref name="section"/> into the options each time they are built (at start, and on each reload
    /// of the section). A value it cannot read is kept in <see cref="CachedGenOptions.ConfigurationError"/> rather than
    /// thrown here, where a reload would throw it into the configuration's change callback: the runtime throws it at start
    /// and rejects the reload (1015).</summary>
    internal sealed class Setup(IConfiguration section) : IConfigureOptions<CachedGenOptions>
    {
        public void Configure(CachedGenOptions options)
        {
            try
            {
                Apply(section, options);
            }
            catch (ArgumentException ex)
            {
                options.ConfigurationError = ex;
            }
        }
    }

    /// <summary>Tells the options monitor when <paramref name="section"/> is reloaded.</summary>
    internal sealed class ChangeSource(IConfiguration section) : IOptionsChangeTokenSource<CachedGenOptions>
    {
        public string Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => section.GetReloadToken();
    }
}
