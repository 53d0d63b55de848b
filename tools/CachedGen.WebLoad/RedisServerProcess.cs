using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace CachedGen.WebLoad;

/// <summary>A private <c>redis-server</c> on a free loopback port (no persistence), killed on dispose.</summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private RedisServerProcess(Process process, int port, string directory)
    {
        _process = process;
        _directory = directory;
        Endpoint = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
        Port = port;
    }

    public string Endpoint { get; }

    private int Port { get; }

    public static async Task<RedisServerProcess> StartAsync()
    {
        var port = SampleApp.FreePort();
        var directory = Directory.CreateTempSubdirectory("cachedgen-webload-redis-").FullName;
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory })
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not on PATH: install it (eng/install-deps.sh) or pass --redis host:port.", e);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServerProcess(process, port, directory);
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && !process.HasExited)
        {
            if (await server.PingAsync())
            {
                return server;
            }

            await Task.Delay(50);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException($"redis-server on port {port} did not answer PING.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left in the temp directory.
        }
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("PING\r\n"));
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
