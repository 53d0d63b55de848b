using System;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace CachedGen.TestKit;

/// <summary>Writes arbitrary bytes under a key over a raw RESP connection (redis-cli cannot send binary values):
/// what a foreign client, a bug or an attacker could leave in Redis.</summary>
public static class RespWriter
{
    public static async Task SetRawAsync(this RedisServer server, string key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port).ConfigureAwait(false);
        var stream = client.GetStream();
        var head = Encoding.UTF8.GetBytes($"*3\r\n$3\r\nSET\r\n${Encoding.UTF8.GetByteCount(key)}\r\n{key}\r\n${value.Length}\r\n");
        await stream.WriteAsync(head).ConfigureAwait(false);
        await stream.WriteAsync(value).ConfigureAwait(false);
        await stream.WriteAsync("\r\n"u8.ToArray()).ConfigureAwait(false);
        var reply = new byte[64];
        var read = await stream.ReadAsync(reply).ConfigureAwait(false);
        var text = Encoding.ASCII.GetString(reply, 0, read);
        if (!text.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("SET failed: " + text);
        }
    }
}
