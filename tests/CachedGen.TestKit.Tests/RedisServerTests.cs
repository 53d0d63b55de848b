using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Xunit;

namespace CachedGen.TestKit.Tests;

public sealed class RedisServerTests
{
    /// <summary>How long a test waits for a server it expects to be running to answer PING. A dead server fails at once
    /// (connection refused); the wait only has to outlast a busy machine. `dotnet test` runs the test assemblies side by
    /// side on 2 cores, and a 1-second deadline failed there once, on the fixture's freshly started server, while the
    /// integration tests started theirs.</summary>
    internal static readonly TimeSpan LivenessTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Started_server_answers_redis_cli_on_its_own_port()
    {
        await using var server = await RedisServer.StartAsync();

        Assert.Equal("OK", await server.ExecuteAsync("SET", "greeting", "hello world"));
        Assert.Equal("hello world", await server.ExecuteAsync("GET", "greeting"));
        Assert.Equal("1", await server.ExecuteAsync("DBSIZE"));
        Assert.Equal($"127.0.0.1:{server.Port}", server.Endpoint);
        Assert.Equal($"127.0.0.1:{server.Port},abortConnect=false", server.ConnectionString);
        Assert.Equal("port\n" + server.Port, await server.ExecuteAsync("CONFIG", "GET", "port"));
        Assert.Equal("save", await server.ExecuteAsync("CONFIG", "GET", "save")); // An empty value: no RDB snapshots.
    }

    [Fact]
    public async Task A_server_that_cannot_bind_its_port_is_not_taken_for_the_one_answering_there()
    {
        // Another redis-server takes the port while ours is down: PING on the port is answered, but not by our process,
        // which fails to bind. The cluster fixture once counted such a node as started (two nodes on one port).
        await using var server = await RedisServer.StartAsync();
        await server.KillAsync();
        using var other = Process.Start(new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            Assert.True(await Eventually(() => server.TryPingAsync(TimeSpan.FromMilliseconds(200))), "the other server did not start");

            var error = await Assert.ThrowsAsync<InvalidOperationException>(server.RestartAsync);
            Assert.Contains("taken by another process", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync();
        }
    }

    private static async Task<bool> Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(25); // the polling step of this wait on a condition (5 s at most)
        }

        return false;
    }

    [Fact]
    public async Task Extra_arguments_reach_redis_server()
    {
        await using var server = await RedisServer.StartAsync("--maxmemory 10mb --maxmemory-policy allkeys-lru");

        Assert.EndsWith("allkeys-lru", await server.ExecuteAsync("CONFIG", "GET", "maxmemory-policy"));
        Assert.EndsWith("10485760", await server.ExecuteAsync("CONFIG", "GET", "maxmemory"));
    }

    [Fact]
    public async Task Killed_server_refuses_connections()
    {
        await using var server = await RedisServer.StartAsync();
        var pid = server.ProcessId;

        await server.KillAsync();

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("redis-server"));
        using var client = new TcpClient();
        var error = await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(IPAddress.Loopback, server.Port));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Fact]
    public async Task Restarted_server_answers_on_the_same_port_with_an_empty_dataset()
    {
        await using var server = await RedisServer.StartAsync();
        var port = server.Port;
        await server.ExecuteAsync("SET", "k", "v");
        await server.KillAsync();

        await server.RestartAsync();

        Assert.Equal(port, server.Port);
        Assert.True(await server.TryPingAsync(LivenessTimeout));
        Assert.Equal("0", await server.ExecuteAsync("EXISTS", "k"));
    }

    [Fact]
    public async Task Paused_server_accepts_but_does_not_answer_until_resumed()
    {
        await using var server = await RedisServer.StartAsync();

        await server.PauseAsync();

        // The kernel still completes the TCP handshake (listen backlog): the failure mode is a read that times out.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 300 })
        {
            socket.Connect(IPAddress.Loopback, server.Port);
            socket.Send("PING\r\n"u8);
            var error = Assert.Throws<SocketException>(() => socket.Receive(new byte[16]));
            Assert.Equal(SocketError.TimedOut, error.SocketErrorCode);
        }

        Assert.True(server.IsRunning);
        await server.ResumeAsync();

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 2000 })
        {
            socket.Connect(IPAddress.Loopback, server.Port);
            socket.Send("PING\r\n"u8);
            var buffer = new byte[16];
            var read = socket.Receive(buffer);
            Assert.StartsWith("+PONG", Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    [Fact]
    public async Task Paused_server_can_still_be_killed_and_disposed()
    {
        var server = await RedisServer.StartAsync();
        var directory = server.Directory;
        await server.PauseAsync();

        await server.DisposeAsync();

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(directory));
    }
}

public sealed class RedisServerFixtureTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task Fixture_exposes_a_running_server()
    {
        Assert.True(await fixture.Server.TryPingAsync(RedisServerTests.LivenessTimeout));
        Assert.Equal("PONG", await fixture.Server.ExecuteAsync("PING"));
    }
}
