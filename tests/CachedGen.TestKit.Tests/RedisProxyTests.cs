using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.TestKit;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.TestKit.Tests;

public sealed class RedisProxyTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Commands_and_replies_pass_through_byte_for_byte()
    {
        await using var proxy = RedisProxy.Start(redis.Server);
        var value = new byte[200_000]; // Larger than the proxy's buffer: many reads and writes each way.
        new Random(7).NextBytes(value);

        using var socket = await ConnectAsync(proxy);
        await SendAsync(socket, Command("SET", "proxy:bytes", value));
        await ExpectAsync(socket, "+OK\r\n");
        await SendAsync(socket, Command("GET", "proxy:bytes"));
        var reply = await ReceiveAsync(socket, $"${value.Length}\r\n".Length + value.Length + 2);

        Assert.Equal([.. Encoding.ASCII.GetBytes($"${value.Length}\r\n"), .. value, .. "\r\n"u8.ToArray()], reply);
        Assert.Equal(value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), await redis.Server.ExecuteAsync("STRLEN", "proxy:bytes"));
        Assert.Equal(redis.Server.Endpoint, proxy.Target);
        Assert.Equal($"127.0.0.1:{proxy.Port}", proxy.Endpoint);
        Assert.Equal(1, proxy.ConnectionCount);
        Assert.Equal(0, proxy.SubscriptionCount);
    }

    [Fact]
    public async Task A_connection_is_pub_sub_from_its_first_subscribe_command_in_any_case_split_anywhere()
    {
        await using var proxy = RedisProxy.Start(redis.Server);
        using var socket = await ConnectAsync(proxy);

        // The word as a value, and as an argument of an inline command, is not a subscribe command.
        await SendAsync(socket, Command("SET", "proxy:word", "SUBSCRIBE"));
        await ExpectAsync(socket, "+OK\r\n");
        await SendAsync(socket, "ECHO subscribe\r\n"u8.ToArray());
        await ExpectAsync(socket, "$9\r\nsubscribe\r\n");
        Assert.Equal(0, proxy.SubscriptionCount);

        // A RESP subscribe command split inside its name, in mixed case.
        var subscribe = Command("sUbScRiBe", "proxy:channel");
        var before = proxy.ClientBytes;
        await SendAsync(socket, subscribe[..11]); // *2 $9 sUb
        await Eventually.HoldsAsync(() => proxy.ClientBytes == before + 11, "the proxy did not read the first part"); // two reads on its side
        await SendAsync(socket, subscribe[11..]);
        await ExpectAsync(socket, "*3\r\n$9\r\nsubscribe\r\n$13\r\nproxy:channel\r\n:1\r\n");
        Assert.Equal(1, proxy.SubscriptionCount);

        // PSUBSCRIBE, inline.
        using var pattern = await ConnectAsync(proxy);
        await SendAsync(pattern, "psubscribe proxy:*\r\n"u8.ToArray());
        await ExpectAsync(pattern, "*3\r\n$10\r\npsubscribe\r\n$7\r\nproxy:*\r\n:1\r\n");
        Assert.Equal(2, proxy.SubscriptionCount);
        Assert.Equal(2, proxy.ConnectionCount);
    }

    [Fact]
    public async Task Blackholed_subscriber_hears_nothing_while_its_interactive_connection_works_and_a_cut_brings_it_back()
    {
        await using var proxy = RedisProxy.Start(redis.Server);
        await using var mux = await ConnectionMultiplexer.ConnectAsync(proxy.Endpoint + ",abortConnect=false,connectRetry=0,connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000");
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failed = 0;
        mux.ConnectionFailed += (_, e) => Interlocked.Increment(ref failed);
        mux.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
            {
                restored.TrySetResult();
            }
        };

        using var received = new BlockingCollection<string>();
        var channel = RedisChannel.Literal("proxy:events");
        await mux.GetSubscriber().SubscribeAsync(channel, (_, message) => received.Add(message!));
        Assert.Equal("1", await redis.Server.ExecuteAsync("PUBLISH", "proxy:events", "before"));
        Assert.True(received.TryTake(out var first, Timeout));
        Assert.Equal("before", first);
        Assert.True(proxy.SubscriptionCount >= 1);

        proxy.BlackholeSubscriptions();

        // Redis still counts the subscriber (its socket is open), but the message never reaches the client.
        Assert.Equal("1", await redis.Server.ExecuteAsync("PUBLISH", "proxy:events", "during"));
        var db = mux.GetDatabase();
        Assert.True(await db.StringSetAsync("proxy:interactive", "works"));
        Assert.Equal("works", (string?)await db.StringGetAsync("proxy:interactive"));
        Assert.False(received.TryTake(out var leaked, TimeSpan.FromMilliseconds(500)), $"received '{leaked}' through the blackhole");
        Assert.True(proxy.DroppedBytes > 0);
        Assert.True(mux.IsConnected);
        Assert.Equal(0, Volatile.Read(ref failed)); // The client noticed nothing.

        proxy.Restore();
        Assert.True(proxy.CutSubscriptions() >= 1);

        // The client sees the subscription connection end, reconnects through the proxy and subscribes again.
        await restored.Task.WaitAsync(Timeout);
        var watch = Stopwatch.StartNew();
        while (await redis.Server.ExecuteAsync("PUBLISH", "proxy:events", "after") != "1")
        {
            Assert.True(watch.Elapsed < Timeout, "the client did not subscribe again");
            await Task.Delay(20); // the polling step of this wait for the client to subscribe again
        }

        Assert.True(received.TryTake(out var after, Timeout));
        Assert.Equal("after", after);
        Assert.Equal("works", (string?)await db.StringGetAsync("proxy:interactive"));
    }

    [Fact]
    public async Task Cut_closes_only_pub_sub_connections_and_new_ones_are_still_accepted()
    {
        await using var proxy = RedisProxy.Start(redis.Server);
        using var interactive = await ConnectAsync(proxy);
        using var subscriber = await ConnectAsync(proxy);
        await SendAsync(subscriber, Command("SUBSCRIBE", "proxy:cut"));
        await ExpectAsync(subscriber, "*3\r\n$9\r\nsubscribe\r\n$9\r\nproxy:cut\r\n:1\r\n");
        await SendAsync(interactive, Command("PING"));
        await ExpectAsync(interactive, "+PONG\r\n");

        Assert.Equal(1, proxy.CutSubscriptions());

        Assert.Equal(0, await ReadEndAsync(subscriber)); // end of stream
        await SendAsync(interactive, Command("PING"));
        await ExpectAsync(interactive, "+PONG\r\n");
        using var again = await ConnectAsync(proxy);
        await SendAsync(again, Command("SUBSCRIBE", "proxy:cut"));
        await ExpectAsync(again, "*3\r\n$9\r\nsubscribe\r\n$9\r\nproxy:cut\r\n:1\r\n");
        Assert.Equal(1, proxy.CutSubscriptions()); // The new one, and nothing else.
    }

    [Fact]
    public async Task Dispose_closes_every_connection_and_the_listener()
    {
        var proxy = RedisProxy.Start(redis.Server);
        using var socket = await ConnectAsync(proxy);
        await SendAsync(socket, Command("PING"));
        await ExpectAsync(socket, "+PONG\r\n");

        await proxy.DisposeAsync();

        Assert.Equal(0, await ReadEndAsync(socket));
        Assert.Equal(0, proxy.ConnectionCount);
        // The listener's own state, not a connect to its port: once freed, the port can be taken at once by a listener
        // of another test running in parallel (a redis-server or proxy on a free port), and a connect would succeed.
        Assert.False(proxy.IsListening);
        await proxy.DisposeAsync(); // Idempotent.
    }

    [Fact]
    public async Task Connections_to_a_dead_target_are_closed()
    {
        var server = await RedisServer.StartAsync();
        await using var proxy = RedisProxy.Start(server);
        await server.DisposeAsync();

        using var socket = await ConnectAsync(proxy);
        Assert.Equal(0, await ReadEndAsync(socket));
    }

    private static byte[] Command(string name, params object[] args)
    {
        var parts = new[] { (object)name }.Concat(args).Select(a => a as byte[] ?? Encoding.UTF8.GetBytes((string)a)).ToArray();
        var bytes = new System.Collections.Generic.List<byte>(Encoding.ASCII.GetBytes($"*{parts.Length}\r\n"));
        foreach (var part in parts)
        {
            bytes.AddRange(Encoding.ASCII.GetBytes($"${part.Length}\r\n"));
            bytes.AddRange(part);
            bytes.AddRange("\r\n"u8.ToArray());
        }

        return [.. bytes];
    }

    private static async Task<Socket> ConnectAsync(RedisProxy proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Port);
        return socket;
    }

    private static async Task SendAsync(Socket socket, byte[] bytes)
    {
        for (var sent = 0; sent < bytes.Length;)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None);
        }
    }

    private static async Task ExpectAsync(Socket socket, string reply)
        => Assert.Equal(reply, Encoding.ASCII.GetString(await ReceiveAsync(socket, Encoding.ASCII.GetByteCount(reply))));

    /// <summary>Exactly <paramref name="count"/> bytes, within 5 s.</summary>
    private static async Task<byte[]> ReceiveAsync(Socket socket, int count)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[count];
        for (var read = 0; read < count;)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, timeout.Token);
            Assert.True(n > 0, $"the connection ended after {read} of {count} bytes");
            read += n;
        }

        return buffer;
    }

    /// <summary>What the next read returns within 5 s: 0 at end of stream (a reset counts as an end too).</summary>
    private static async Task<int> ReadEndAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            return await socket.ReceiveAsync(new byte[64], SocketFlags.None, timeout.Token);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }
}
