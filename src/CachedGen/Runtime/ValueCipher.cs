using System;
using System.Buffers;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;

namespace CachedGen.Runtime;

/// <summary>
/// AES-256-GCM for the payloads of sensitive methods, with a key ring: new payloads use the active key, any key of the
/// ring decrypts. The payload header stays readable (Redis scripts read its expiry) and is authenticated together with
/// the key id and the entry's Redis key, so a payload moved to another key, or any byte changed, fails to open and is
/// treated as a miss.
/// </summary>
/// <remarks>
/// <code>
/// header (22 bytes, flag 0x02 set) | key id length (1) | key id (ASCII) | nonce (12) | tag (16) | ciphertext
/// </code>
/// The ciphertext is everything the plain payload has after its header (the LZ4 length when compressed, the body and
/// the checksum, which is verified again once the payload is opened).
/// Associated data: the header, the key id and the Redis key (UTF-8).
/// </remarks>
internal sealed class ValueCipher
{
    public const byte FlagEncrypted = 0x02;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly string _activeId;
    private readonly byte[] _activeIdBytes;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public ValueCipher(byte[] activeKey, string activeId, IReadOnlyDictionary<string, byte[]>? previous)
    {
        _activeId = CheckId(activeId);
        _activeIdBytes = Encoding.ASCII.GetBytes(_activeId);
        _keys[_activeId] = CheckKey(activeKey, "CachedGenOptions.ValueEncryptionKey");
        foreach (var (id, key) in previous ?? new Dictionary<string, byte[]>())
        {
            if (!_keys.ContainsKey(CheckId(id)))
            {
                _keys[id] = CheckKey(key, $"CachedGenOptions.PreviousValueEncryptionKeys[\"{id}\"]");
            }
        }
    }

    /// <summary>The id new payloads are written with.</summary>
    public string ActiveKeyId => _activeId;

    /// <summary>Encrypts the plain payload <paramref name="plain"/> (header then body) for <paramref name="redisKey"/>.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plain, string redisKey, out int length)
    {
        var header = PayloadEnvelope.HeaderSize;
        var bodyLength = plain.Length - header;
        length = header + 1 + _activeIdBytes.Length + NonceSize + TagSize + bodyLength;
        var sealedPayload = new byte[length];
        var output = sealedPayload.AsSpan();
        plain[..header].CopyTo(output);
        output[1] |= FlagEncrypted;
        var at = header;
        output[at++] = (byte)_activeIdBytes.Length;
        _activeIdBytes.CopyTo(output[at..]);
        at += _activeIdBytes.Length;
        var nonce = output.Slice(at, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var tag = output.Slice(at + NonceSize, TagSize);
        var ciphertext = output.Slice(at + NonceSize + TagSize, bodyLength);

        using var aes = new AesGcm(_keys[_activeId], TagSize);
        aes.Encrypt(nonce, plain[header..], ciphertext, tag, AssociatedData(output[..(header + 1 + _activeIdBytes.Length)], redisKey));
        return sealedPayload;
    }

    /// <summary>Decrypts a payload read under <paramref name="redisKey"/> back to its plain form (header without the
    /// encryption flag, then the body), into a pooled buffer the caller returns. Never throws.</summary>
    public bool TryOpen(ReadOnlySpan<byte> payload, string redisKey, out byte[] plain, out int length, out string? error)
    {
        plain = null!;
        length = 0;
        var header = PayloadEnvelope.HeaderSize;
        if (payload.Length < header + 1 || (payload[1] & FlagEncrypted) == 0)
        {
            error = "a sensitive method's payload is not encrypted";
            return false;
        }

        var idLength = payload[header];
        var at = header + 1 + idLength;
        if (idLength == 0 || payload.Length < at + NonceSize + TagSize)
        {
            error = "encrypted payload shorter than its envelope";
            return false;
        }

        var id = Encoding.ASCII.GetString(payload.Slice(header + 1, idLength));
        if (!_keys.TryGetValue(id, out var key))
        {
            error = $"payload encrypted with unknown key id '{Sanitize(id)}'";
            return false;
        }

        var nonce = payload.Slice(at, NonceSize);
        var tag = payload.Slice(at + NonceSize, TagSize);
        var ciphertext = payload[(at + NonceSize + TagSize)..];
        length = header + ciphertext.Length;
        plain = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plain.AsSpan(header, ciphertext.Length), AssociatedData(payload[..at], redisKey));
        }
        catch (CryptographicException)
        {
            ArrayPool<byte>.Shared.Return(plain);
            plain = null!;
            error = "encrypted payload failed authentication (modified, or written under another key)";
            return false;
        }

        payload[..header].CopyTo(plain);
        plain[1] = (byte)(plain[1] & ~FlagEncrypted);
        error = null;
        return true;
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> envelope, string redisKey)
    {
        var data = new byte[envelope.Length + Encoding.UTF8.GetByteCount(redisKey)];
        envelope.CopyTo(data);
        Encoding.UTF8.GetBytes(redisKey, data.AsSpan(envelope.Length));
        return data;
    }

    private static string CheckId(string id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 32)
        {
            throw new ArgumentException("A value encryption key id must have 1 to 32 characters.");
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                throw new ArgumentException("A value encryption key id may hold ASCII letters and digits only.");
            }
        }

        return id;
    }

    private static byte[] CheckKey(byte[] key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        if (key.Length != 32)
        {
            throw new ArgumentException($"{name} must be 32 bytes (AES-256); it has {key.Length}.");
        }

        return (byte[])key.Clone();
    }

    private static string Sanitize(string id) => id.Length <= 32 ? id : id[..32];
}
