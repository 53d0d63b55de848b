using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace CachedGen.WebApi.Hosting;

/// <summary>
/// CachedGen for the sample, from configuration: options from the <c>CachedGen</c> section of appsettings.json,
/// secrets (base64) from the environment or user secrets, and Redis when <c>ConnectionStrings:redis</c> is set.
/// </summary>
public static class CatalogCaching
{
    /// <summary>Configuration keys of the two secrets. Never in appsettings.json: set them with
    /// <c>dotnet user-secrets set CachedGen:KeyHashSecret ...</c> or the environment (<c>CachedGen__KeyHashSecret</c>).</summary>
    public const string KeyHashSecretKey = "CachedGen:KeyHashSecret";

    /// <inheritdoc cref="KeyHashSecretKey"/>
    public const string ValueEncryptionKeyKey = "CachedGen:ValueEncryptionKey";

    /// <summary>Adds CachedGen over the repositories registered before this call.</summary>
    /// <exception cref="InvalidOperationException">Redis is configured but a secret is missing or malformed.</exception>
    public static IServiceCollection AddCatalogCaching(this IServiceCollection services, IConfiguration configuration)
    {
        var redis = configuration.GetConnectionString("redis");
        var useRedis = !string.IsNullOrWhiteSpace(redis);
        var keyHashSecret = ReadSecret(configuration, KeyHashSecretKey, 32, useRedis);
        var valueEncryptionKey = ReadSecret(configuration, ValueEncryptionKeyKey, 32, useRedis);
        if (valueEncryptionKey is { Length: not 32 })
        {
            throw new InvalidOperationException($"{ValueEncryptionKeyKey} must be 32 bytes (an AES-256 key); it has {valueEncryptionKey.Length}.");
        }

        // Decorates IProductRepository, ICategoryRepository and ICustomerRepository, registered above this call. The options
        // (prefix, kill switch, timeouts, per-method TTLs) come from the CachedGen section of appsettings.json, read without
        // the configuration binder (durations as in [Cached]: "100ms", "30s") and again on each change. The secrets were
        // read and checked above; set in code, they win over the configuration.
        var cachedGen = services.AddCachedGen(configuration.GetSection("CachedGen"), o =>
        {
            o.KeyHashSecret = keyHashSecret;
            o.ValueEncryptionKey = valueEncryptionKey;
        });

        if (useRedis)
        {
            // The application registers its IConnectionMultiplexer, as Aspire's builder.AddRedisClient("redis") does, and
            // CachedGen uses it. abortConnect=false: the app starts even when Redis is down, and calls run on L1 and the
            // database until it is back. Fail fast while disconnected rather than queue commands.
            services.AddSingleton<IConnectionMultiplexer>(_ =>
            {
                var options = ConfigurationOptions.Parse(redis!);
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = BacklogPolicy.FailFast;
                return ConnectionMultiplexer.Connect(options);
            });
            cachedGen.UseRedis();
        }

        return services;
    }

    /// <summary>
    /// A secret from configuration, base64. With Redis, a missing secret stops the app at start: the customer lookup
    /// hashes the e-mail into its key and encrypts the customer in Redis, and CachedGen refuses to do either without its
    /// secret (every node must share both). On L1 only nothing leaves the process, so neither is needed.
    /// </summary>
    private static byte[]? ReadSecret(IConfiguration configuration, string key, int minimumBytes, bool required)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return required
                ? throw new InvalidOperationException(
                    $"ConnectionStrings:redis is set, so {key} must be set too ({minimumBytes} random bytes, base64, the same on every node; " +
                    $"for example: dotnet user-secrets set {key} \"$(openssl rand -base64 {minimumBytes})\", or the environment variable {key.Replace(":", "__", StringComparison.Ordinal)}).")
                : null;
        }

        byte[] secret;
        try
        {
            secret = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"{key} is not valid base64.", e);
        }

        return secret.Length >= minimumBytes ? secret : throw new InvalidOperationException($"{key} must be at least {minimumBytes} bytes (it has {secret.Length}).");
    }
}
