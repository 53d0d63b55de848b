using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
/// as a <see cref="TimeSpan"/> (<see cref="ConfigurationValues.TryDuration"/>), secrets in base64, and the <c>Methods</c>
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
        var named = false;
        foreach (var setting in section.GetChildren())
        {
            named |= Names.Contains(setting.Key, StringComparer.OrdinalIgnoreCase);
            if (Read(options, setting) is { } expected)
            {
                (errors ??= []).Add($"{setting.Path} = \"{setting.Value}\": {expected}");
            }
        }

        if (!named && section is not IConfigurationSection && section.GetSection("CachedGen").GetChildren().Any())
        {
            // The whole configuration where its section was meant: nothing would be read, without a word.
            throw new ArgumentException(
                "AddCachedGen(configuration) was given the configuration's root, which names no setting of CachedGenOptions, and it has a CachedGen section: pass configuration.GetSection(\"CachedGen\").");
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

    /// <summary>Sets one setting; the words saying what was expected when its value cannot be read, else
    /// <see langword="null"/>. An empty value leaves the setting as it is, as the binder does.</summary>
    private static string? Read(CachedGenOptions options, IConfigurationSection setting)
    {
        var text = setting.Value;
        var name = ConfigurationValues.Name(setting.Key, Names);
        switch (name)
        {
            case nameof(CachedGenOptions.Methods):
                return null; // ConfiguredMethods
            case nameof(CachedGenOptions.PreviousValueEncryptionKeys):
                foreach (var key in setting.GetChildren())
                {
                    if (ConfigurationValues.Base64(key.Value ?? "", bytes => options.PreviousValueEncryptionKeys[key.Key] = bytes) is { } expected)
                    {
                        return $"{key.Key}: {expected}";
                    }
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
            case nameof(CachedGenOptions.Enabled): return ConfigurationValues.Boolean(text, v => options.Enabled = v);
            case nameof(CachedGenOptions.BackgroundFill): return ConfigurationValues.Boolean(text, v => options.BackgroundFill = v);
            case nameof(CachedGenOptions.FollowRemoteChanges): return ConfigurationValues.Boolean(text, v => options.FollowRemoteChanges = v);
            case nameof(CachedGenOptions.Backplane): return ConfigurationValues.Boolean(text, v => options.Backplane = v);
            case nameof(CachedGenOptions.CircuitBreakerThreshold): return ConfigurationValues.WholeNumber(text, v => options.CircuitBreakerThreshold = v);
            case nameof(CachedGenOptions.CompressionThresholdBytes): return ConfigurationValues.WholeNumber(text, v => options.CompressionThresholdBytes = v);
            case nameof(CachedGenOptions.MaxSerializedDepth): return ConfigurationValues.WholeNumber(text, v => options.MaxSerializedDepth = v);
            case nameof(CachedGenOptions.DefaultMaxLocalEntries): return ConfigurationValues.WholeNumber(text, v => options.DefaultMaxLocalEntries = v);
            case nameof(CachedGenOptions.DefaultMaxValueBytes): return ConfigurationValues.WholeNumber(text, v => options.DefaultMaxValueBytes = v);
            case nameof(CachedGenOptions.MaxKnownTags): return ConfigurationValues.WholeNumber(text, v => options.MaxKnownTags = v);
            case nameof(CachedGenOptions.TtlJitter): return ConfigurationValues.Number(text, v => options.TtlJitter = v);
            case nameof(CachedGenOptions.EarlyRefresh): return ConfigurationValues.Number(text, v => options.EarlyRefresh = v);
            case nameof(CachedGenOptions.RedisOperationTimeout): return ConfigurationValues.Duration(text, v => options.RedisOperationTimeout = v);
            case nameof(CachedGenOptions.CircuitBreakerDuration): return ConfigurationValues.Duration(text, v => options.CircuitBreakerDuration = v);
            case nameof(CachedGenOptions.LeaseDuration): return ConfigurationValues.Duration(text, v => options.LeaseDuration = v);
            case nameof(CachedGenOptions.LeaseWaitTimeout): return ConfigurationValues.Duration(text, v => options.LeaseWaitTimeout = v);
            case nameof(CachedGenOptions.FailSafeMaxAge): return ConfigurationValues.Duration(text, v => options.FailSafeMaxAge = v);
            case nameof(CachedGenOptions.FailSafeThrottle): return ConfigurationValues.Duration(text, v => options.FailSafeThrottle = v);
            case nameof(CachedGenOptions.SourceSoftTimeout): return ConfigurationValues.Duration(text, v => options.SourceSoftTimeout = v);
            case nameof(CachedGenOptions.SourceHardTimeout): return ConfigurationValues.Duration(text, v => options.SourceHardTimeout = v);
            case nameof(CachedGenOptions.TagRefreshInterval): return ConfigurationValues.Duration(text, v => options.TagRefreshInterval = v);
            case nameof(CachedGenOptions.TagRetention): return ConfigurationValues.Duration(text, v => options.TagRetention = v);
            case nameof(CachedGenOptions.KeyHashSecret): return ConfigurationValues.Base64(text, v => options.KeyHashSecret = v);
            case nameof(CachedGenOptions.PreviousKeyHashSecret): return ConfigurationValues.Base64(text, v => options.PreviousKeyHashSecret = v);
            case nameof(CachedGenOptions.ValueEncryptionKey): return ConfigurationValues.Base64(text, v => options.ValueEncryptionKey = v);
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
