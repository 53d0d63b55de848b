using System;
using System.Buffers;

namespace CachedGen.Runtime;

/// <summary>A payload ready for Redis (<see cref="PayloadCodec{TValue}.Encode"/>): its bytes, the logical expiry written
/// in it, and the physical lifetime Redis keeps it (the TTL, plus the fail-safe's maximum age when on).</summary>
internal sealed record EncodedPayload(byte[] Buffer, int Length, bool Pooled, long ExpiresUnixMs, TimeSpan Physical)
{
    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    /// <summary>Returns a pooled buffer once Redis answered (it has copied the bytes); after a failure they may still be
    /// queued, and the buffer is left to the garbage collector.</summary>
    public void Release(bool answered)
    {
        if (answered && Pooled)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
