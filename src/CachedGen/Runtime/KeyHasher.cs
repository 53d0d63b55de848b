using System;
using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace CachedGen.Runtime;

/// <summary>Keyed HMAC-SHA256 for <c>{param:hash}</c> placeholders. A bare SHA-256 of an e-mail address is reversed by
/// hashing a list of addresses; an HMAC with a secret the attacker lacks is not.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
internal sealed class KeyHasher
{
    /// <summary>Bytes of the HMAC kept in the key (128 bits).</summary>
    public const int TruncatedBytes = 16;

    private readonly byte[] _secret;
    private readonly string _prefix;

    /// <summary>Creates a hasher for <paramref name="secret"/>, identified in keys by <paramref name="secretId"/>;
    /// <paramref name="option"/> names the setting it came from in error messages.</summary>
    public KeyHasher(byte[] secret, string secretId, string option = nameof(CachedGenOptions.KeyHashSecret))
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        if (secret.Length < 32)
        {
            throw new ArgumentException($"CachedGenOptions.{option} must be at least 32 bytes.", nameof(secret));
        }

        foreach (var c in secretId)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                throw new ArgumentException($"CachedGenOptions.{option}Id may hold ASCII letters and digits only.", nameof(secretId));
            }
        }

        _secret = (byte[])secret.Clone();
        _prefix = "h" + secretId + ".";
    }

    internal void Append(ref CacheKeyBuilder builder, string value)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_secret, MemoryMarshal.AsBytes(value.AsSpan()), mac);
        builder.AppendRaw(_prefix);
        builder.AppendBase64Url(mac[..TruncatedBytes]);
    }
}
