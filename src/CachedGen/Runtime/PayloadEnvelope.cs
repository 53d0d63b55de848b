using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using MessagePack;

namespace CachedGen.Runtime;

/// <summary>
/// The bytes CachedGen stores in Redis: a small versioned header, then a MessagePack body, LZ4-compressed above a
/// threshold, then a checksum of everything before it.
/// </summary>
/// <remarks>
/// <code>
/// offset size  field
///  0      1    format (2)
///  1      1    flags: 0x01 body is LZ4 (then a 4-byte uncompressed length follows the header)
///  2      4    shape fingerprint of the cached type (little endian), checked on read
///  6      8    created, Unix milliseconds
/// 14      8    logical expiry, Unix milliseconds (the Redis scripts read it here)
/// 22     [4]   uncompressed body length, when LZ4
///  ..          body
/// end-8   8    XxHash3 (64-bit, little endian) of every byte before it
/// </code>
/// The checksum is verified before anything else is decoded: a changed bit anywhere (header, length, compressed or
/// plain body, checksum) is rejected. Anything else that does not match (short, unknown format or flag, other
/// fingerprint, bad lengths, a body that does not decode to exactly its length) is rejected too, and the caller
/// treats it as a miss. A payload of the previous format (1, no checksum) is rejected as
/// <see cref="PreviousFormat"/>: a miss that is not a sign of corruption.
/// </remarks>
internal static class PayloadEnvelope
{
    public const byte Format = 2;
    public const byte FlagLz4 = 0x01;
    public const int HeaderSize = 22;

    /// <summary>Size of the checksum that ends every payload.</summary>
    public const int ChecksumSize = 8;

    /// <summary>The error <see cref="TryDecode"/> reports (this very instance) for a payload of the previous format.</summary>
    public static readonly string PreviousFormat = "payload of the previous format (1), written before checksums";
    private const byte KnownFlags = FlagLz4;

    /// <summary>Largest uncompressed body accepted on read (a corrupt length must not allocate gigabytes).</summary>
    public const int MaxBodyBytes = 64 << 20;

    /// <summary>MessagePack options: the formatters the generator wrote first (<see cref="DepthGuardResolver"/>):
    /// attributed types use their contract, plain records and classes their member names; hostile-input protections
    /// (depth limit, collision-resistant hashing of the key types MessagePack knows) are on; a hash set or dictionary
    /// keyed by any other type is read with that type's own equality (<see cref="PayloadSecurity"/>).</summary>
    public static readonly MessagePackSerializerOptions SerializerOptions =
        MessagePackSerializerOptions.Standard.WithResolver(DepthGuardResolver.Instance).WithSecurity(PayloadSecurity.Instance);

    /// <summary>The options values are written with: the same as <see cref="SerializerOptions"/>; the depth is
    /// counted while <see cref="DepthGuardResolver.Serialize"/> runs, so that a cycle or a too deep graph throws
    /// instead of overflowing the stack.</summary>
    internal static readonly MessagePackSerializerOptions WriteOptions = SerializerOptions;

    /// <summary>Serializes <paramref name="value"/> into a pooled buffer; the caller returns it with
    /// <see cref="ArrayPool{T}.Return"/> once Redis has sent it. Throws <see cref="SerializedGraphTooDeepException"/>
    /// when the value's graph has a cycle or nests deeper than <paramref name="maxDepth"/>.</summary>
    public static byte[] Encode<T>(T value, uint fingerprint, long createdUnixMs, long expiresUnixMs, int compressionThreshold, out int length, int maxDepth = CachedGenOptions.DefaultMaxSerializedDepth)
    {
        var body = new ArrayBufferWriter<byte>(256);
        _ = DepthGuardResolver.TakeRuntimeResolved();
        DepthGuardResolver.Serialize(body, value, WriteOptions, maxDepth);
        if (DepthGuardResolver.TakeRuntimeResolved())
        {
            VerifyRoundTrip<T>(body.WrittenMemory, maxDepth);
        }

        var raw = body.WrittenSpan;

        if (raw.Length > compressionThreshold)
        {
            var max = LZ4Codec.MaximumOutputSize(raw.Length);
            var buffer = ArrayPool<byte>.Shared.Rent(HeaderSize + 4 + max + ChecksumSize);
            var compressed = LZ4Codec.Encode(raw, buffer.AsSpan(HeaderSize + 4, max), LZ4Level.L00_FAST);
            if (compressed > 0 && compressed < raw.Length)
            {
                WriteHeader(buffer, FlagLz4, fingerprint, createdUnixMs, expiresUnixMs);
                BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(HeaderSize, 4), raw.Length);
                length = WriteChecksum(buffer, HeaderSize + 4 + compressed);
                return buffer;
            }

            ArrayPool<byte>.Shared.Return(buffer);
        }

        var plain = ArrayPool<byte>.Shared.Rent(HeaderSize + raw.Length + ChecksumSize);
        WriteHeader(plain, 0, fingerprint, createdUnixMs, expiresUnixMs);
        raw.CopyTo(plain.AsSpan(HeaderSize));
        length = WriteChecksum(plain, HeaderSize + raw.Length);
        return plain;
    }

    /// <summary>A body written (in part) by MessagePack's contractless resolver, for which no compile-time rule vouches:
    /// read it back and write it again, and throw <see cref="LossyRoundTripException"/> unless both writes are the same
    /// bytes, so that no node reads from Redis a value other than the one written. Only values of types the generator
    /// wrote no formatter for (CG0020) pay for it.</summary>
    private static void VerifyRoundTrip<T>(ReadOnlyMemory<byte> written, int maxDepth)
    {
        T copy;
        try
        {
            copy = MessagePackSerializer.Deserialize<T>(written, SerializerOptions);
        }
        catch (MessagePackSerializationException ex)
        {
            throw new LossyRoundTripException(typeof(T), ex);
        }

        var again = new ArrayBufferWriter<byte>(written.Length);
        DepthGuardResolver.Serialize(again, copy, WriteOptions, maxDepth);
        _ = DepthGuardResolver.TakeRuntimeResolved();
        if (!again.WrittenSpan.SequenceEqual(written.Span))
        {
            throw new LossyRoundTripException(typeof(T));
        }
    }

    /// <summary>Reads the logical expiry from a payload's header without decoding the body.</summary>
    public static bool TryReadExpiry(ReadOnlySpan<byte> payload, out long expiresUnixMs)
    {
        if (payload.Length < HeaderSize || payload[0] != Format)
        {
            expiresUnixMs = 0;
            return false;
        }

        expiresUnixMs = BinaryPrimitives.ReadInt64LittleEndian(payload[14..]);
        return true;
    }

    /// <summary>Decodes a payload. Returns <see langword="false"/> with a reason for anything that is not a valid
    /// payload of this type; never throws.</summary>
    public static bool TryDecode<T>(ReadOnlyMemory<byte> payload, uint fingerprint, out T value, out long expiresUnixMs, out string? error)
    {
        value = default!;
        expiresUnixMs = 0;
        var span = payload.Span;
        if (span.Length < HeaderSize + ChecksumSize)
        {
            error = span.Length >= HeaderSize && span[0] == 1 ? PreviousFormat : "payload shorter than its header and checksum";
            return false;
        }

        if (span[0] != Format)
        {
            error = span[0] == 1 ? PreviousFormat : $"unknown payload format {span[0]}";
            return false;
        }

        var checksummed = span[..^ChecksumSize];
        if (XxHash3.HashToUInt64(checksummed) != BinaryPrimitives.ReadUInt64LittleEndian(span[^ChecksumSize..]))
        {
            error = "payload checksum does not match (changed in storage or in transit)";
            return false;
        }

        span = checksummed;
        payload = payload[..^ChecksumSize];

        var flags = span[1];
        if ((flags & ~KnownFlags) != 0)
        {
            error = $"unknown payload flags 0x{flags:X2}";
            return false;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(span[2..]) != fingerprint)
        {
            error = "payload written for another shape of the cached type";
            return false;
        }

        var created = BinaryPrimitives.ReadInt64LittleEndian(span[6..]);
        expiresUnixMs = BinaryPrimitives.ReadInt64LittleEndian(span[14..]);
        if (created <= 0 || expiresUnixMs <= created)
        {
            error = "payload timestamps out of range";
            return false;
        }

        byte[]? rented = null;
        try
        {
            ReadOnlyMemory<byte> body;
            if ((flags & FlagLz4) != 0)
            {
                if (span.Length < HeaderSize + 4)
                {
                    error = "compressed payload without its length";
                    return false;
                }

                var rawLength = BinaryPrimitives.ReadInt32LittleEndian(span[HeaderSize..]);
                if (rawLength <= 0 || rawLength > MaxBodyBytes)
                {
                    error = "compressed payload length out of range";
                    return false;
                }

                rented = ArrayPool<byte>.Shared.Rent(rawLength);
                var decoded = LZ4Codec.Decode(span[(HeaderSize + 4)..], rented.AsSpan(0, rawLength));
                if (decoded != rawLength)
                {
                    error = "compressed payload does not decompress to its length";
                    return false;
                }

                body = rented.AsMemory(0, rawLength);
            }
            else
            {
                body = payload[HeaderSize..];
            }

            if (body.IsEmpty)
            {
                error = "empty payload body";
                return false;
            }

            value = MessagePackSerializer.Deserialize<T>(body, SerializerOptions, out var read);
            if (read != body.Length)
            {
                value = default!;
                error = "payload body has trailing bytes";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception ex)
        {
            value = default!;
            error = ex.GetType().Name + ": " + ex.Message;
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes the checksum of <c>buffer[..length]</c> after it; returns the payload's full length.</summary>
    private static int WriteChecksum(byte[] buffer, int length)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(length, ChecksumSize), XxHash3.HashToUInt64(buffer.AsSpan(0, length)));
        return length + ChecksumSize;
    }

    private static void WriteHeader(Span<byte> buffer, byte flags, uint fingerprint, long created, long expires)
    {
        buffer[0] = Format;
        buffer[1] = flags;
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[2..], fingerprint);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[6..], created);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[14..], expires);
    }
}
