using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.TestKit;

/// <summary>
/// A real <c>redis-server</c> process on a free loopback port, with its own temporary directory and no persistence.
/// Tests can kill it (SIGKILL), pause it (SIGSTOP: connections are accepted by the kernel but nothing answers),
/// resume it (SIGCONT) and restart it on the same port (an empty dataset, as after a crash without persistence).
/// </summary>
/// <remarks>
/// No process outlives the test run: <see cref="DisposeAsync"/> kills the server, every live server is killed on
/// <see cref="AppDomain.ProcessExit"/>, and servers left behind by a test host that was itself killed are reaped the
/// next time any server starts (each temporary directory records the owning process).
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    private const string DirectoryPrefix = "cachedgen-testkit-redis-";
    private const string OwnerFile = "owner.txt";
    private const int MaxOutputChars = 64 * 1024;
    private const int PortAttempts = 5;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentDictionary<RedisServer, byte> Live = new();
    private static int _sweptStale;

    private readonly string _serverPath;
    private readonly IReadOnlyList<string> _leadingArgs;
    private readonly IReadOnlyList<string> _extraArgs;
    private readonly object _gate = new();
    private readonly StringBuilder _output = new();
    private Process? _process;
    private bool _disposed;

    static RedisServer()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllLive();
    }

    private RedisServer(string serverPath, int port, string directory, IReadOnlyList<string> leadingArgs, IReadOnlyList<string> extraArgs)
    {
        _serverPath = serverPath;
        Port = port;
        Directory = directory;
        _leadingArgs = leadingArgs;
        _extraArgs = extraArgs;
    }

    /// <summary>The TCP port on 127.0.0.1; the same across <see cref="RestartAsync"/>.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>A StackExchange.Redis configuration string for this server: <c>127.0.0.1:port,abortConnect=false</c>.</summary>
    public string ConnectionString => Endpoint + ",abortConnect=false";

    /// <summary>The server's working directory (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary>The current redis-server process id, or -1 when none was started.</summary>
    public int ProcessId
    {
        get
        {
            lock (_gate)
            {
                return _process?.Id ?? -1;
            }
        }
    }

    /// <summary>Whether the current redis-server process is alive (a paused process is alive).</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>What redis-server wrote to stdout and stderr so far (its log), across restarts; capped at 64 KiB.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>redis-server --port P --bind 127.0.0.1 --save "" --appendonly no --dir TEMP --daemonize no
    /// --protected-mode no</c> followed by <paramref name="extraArgs"/> (split on spaces; double quotes group, and
    /// <c>""</c> is an empty argument), and returns once it answers PING.
    /// </summary>
    /// <exception cref="InvalidOperationException">redis-server is not installed, or it did not answer PING within 10 s.</exception>
    public static async Task<RedisServer> StartAsync(string? extraArgs = null)
    {
        var args = SplitArguments(extraArgs);
        return await StartAsync((_, _) => (Array.Empty<string>(), args)).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a server whose arguments depend on its directory and port, for topologies (Sentinel, Cluster):
    /// <paramref name="arguments"/> is called once per attempt (each attempt has a new directory and a new free port)
    /// and returns the arguments put before the standard ones (a configuration file, which redis-server wants first)
    /// and after them. An attempt whose output says "Address already in use" (the client port, or another port the
    /// arguments name) is retried.
    /// </summary>
    internal static async Task<RedisServer> StartAsync(Func<string, int, (IReadOnlyList<string> Leading, IReadOnlyList<string> Trailing)> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var serverPath = FindOnPath("redis-server") ?? throw NotInstalled("redis-server");
        if (Interlocked.Exchange(ref _sweptStale, 1) == 0)
        {
            ReapStaleServers();
        }

        // The free port is released before redis-server binds it, so another process can take it in between:
        // that shows up as "Address already in use" and is retried on a new port.
        for (var attempt = 1; ; attempt++)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
            var port = FreePort();
            (IReadOnlyList<string> Leading, IReadOnlyList<string> Trailing) args;
            try
            {
                args = arguments(directory, port);
            }
            catch
            {
                DeleteDirectory(directory);
                throw;
            }

            var server = new RedisServer(serverPath, port, directory, args.Leading, args.Trailing);
            try
            {
                if (await server.LaunchAsync().ConfigureAwait(false))
                {
                    return server;
                }
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            var output = server.Output;
            await server.DisposeAsync().ConfigureAwait(false);
            if (attempt == PortAttempts)
            {
                throw new InvalidOperationException($"redis-server could not bind a free port in {PortAttempts} attempts. Last output:\n{output}");
            }
        }
    }

    /// <summary>Kills the server with SIGKILL (no shutdown, no save) and waits until the process has exited.</summary>
    public async Task KillAsync()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
        }

        if (process is null)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: false); // SIGKILL on Unix; also ends a stopped (SIGSTOP) process.
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the server with SIGSTOP and returns once the kernel reports it stopped. Clients can still connect (the
    /// kernel completes the handshake into the listen backlog) and write, but get no reply until <see cref="ResumeAsync"/>.
    /// </summary>
    public Task PauseAsync() => SignalAsync(Signal.Stop);

    /// <summary>Continues a paused server with SIGCONT; it then answers everything queued while it was stopped.</summary>
    public Task ResumeAsync() => SignalAsync(Signal.Continue);

    /// <summary>
    /// Starts redis-server again on the same port (killing the current process first if it is still alive) and
    /// returns once it answers PING. The dataset is empty: nothing is persisted.
    /// </summary>
    public async Task RestartAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await KillAsync().ConfigureAwait(false);
        if (!await LaunchAsync().ConfigureAwait(false))
        {
            throw new InvalidOperationException($"redis-server could not be restarted: port {Port} was taken by another process.\n{Output}");
        }
    }

    /// <summary>
    /// Runs <c>redis-cli -h 127.0.0.1 -p PORT args...</c> and returns its standard output, trimmed. redis-cli
    /// prints raw replies when not on a terminal: <c>GET</c> of a missing key is an empty string, integers are
    /// digits, and an error reply is its text (for example <c>WRONGTYPE ...</c>).
    /// </summary>
    /// <exception cref="TimeoutException">redis-cli did not finish within 10 s (for example, the server is paused).</exception>
    /// <exception cref="InvalidOperationException">redis-cli is not installed or exited with a non-zero code.</exception>
    public async Task<string> ExecuteAsync(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var cliPath = FindOnPath("redis-cli") ?? throw NotInstalled("redis-cli");
        var info = new ProcessStartInfo(cliPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-h");
        info.ArgumentList.Add("127.0.0.1");
        info.ArgumentList.Add("-p");
        info.ArgumentList.Add(Port.ToString(CultureInfo.InvariantCulture));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("redis-cli did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(CliTimeout))
        {
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync().ConfigureAwait(false);
                throw new TimeoutException($"redis-cli {string.Join(' ', args)} on port {Port} did not finish within {CliTimeout.TotalSeconds:0} s.");
            }
        }

        var output = await stdout.ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', args)} on port {Port} exited with {process.ExitCode}: {error.Trim()} {output.Trim()}");
        }

        return output.Trim();
    }

    /// <summary>
    /// Sends <c>PING</c> over a new raw TCP connection and returns whether <c>+PONG</c> came back within
    /// <paramref name="timeout"/> (connect, write and read together). False when the server is dead or paused.
    /// </summary>
    public async Task<bool> TryPingAsync(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), cts.Token).ConfigureAwait(false);
            await socket.SendAsync("PING\r\n"u8.ToArray(), SocketFlags.None, cts.Token).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cts.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
                if (buffer.AsSpan(0, read).IndexOf("\r\n"u8) >= 0)
                {
                    break;
                }
            }

            return buffer.AsSpan(0, read).StartsWith("+PONG"u8);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends one command over a new raw RESP connection to 127.0.0.1:<paramref name="port"/> and returns the reply as
    /// redis-cli prints it raw (a nil is an empty string, array elements one a line, an error reply its text): the
    /// same as <see cref="ExecuteAsync"/> without starting a process, for polling.
    /// </summary>
    /// <exception cref="TimeoutException">No complete reply within <paramref name="timeout"/>.</exception>
    /// <exception cref="IOException">The connection failed or was closed (for example, the server is dead).</exception>
    internal static async Task<string> QueryAsync(int port, TimeSpan timeout, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token).ConfigureAwait(false);
            var request = new StringBuilder().Append('*').Append(args.Length).Append("\r\n");
            foreach (var arg in args)
            {
                request.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToString()), SocketFlags.None, cts.Token).ConfigureAwait(false);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var reader = new RespReader(stream, cts.Token);
            var reply = new StringBuilder();
            await reader.ReadAsync(reply).ConfigureAwait(false);
            return reply.ToString().TrimEnd('\n');
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"{string.Join(' ', args)} on port {port} got no reply within {timeout.TotalMilliseconds:0} ms.");
        }
        catch (SocketException ex)
        {
            throw new IOException($"{string.Join(' ', args)} on port {port}: {ex.Message}", ex);
        }
    }

    /// <summary><see cref="QueryAsync(int, TimeSpan, string[])"/> against this server with a 2 s timeout.</summary>
    internal Task<string> QueryAsync(params string[] args) => QueryAsync(Port, TimeSpan.FromSeconds(2), args);

    /// <summary>Reads one RESP2 reply and appends it as redis-cli prints it raw.</summary>
    private sealed class RespReader(Stream stream, CancellationToken cancellationToken)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task ReadAsync(StringBuilder reply)
        {
            var line = await ReadLineAsync().ConfigureAwait(false);
            var body = line.Length > 0 ? line[1..] : "";
            switch (line.Length > 0 ? line[0] : '?')
            {
                case '+' or '-' or ':':
                    reply.Append(body).Append('\n');
                    break;
                case '$':
                    var length = int.Parse(body, CultureInfo.InvariantCulture);
                    if (length >= 0)
                    {
                        var bytes = await ReadExactlyAsync(length + 2).ConfigureAwait(false);
                        reply.Append(Encoding.UTF8.GetString(bytes, 0, length));
                    }

                    reply.Append('\n');
                    break;
                case '*':
                    var count = int.Parse(body, CultureInfo.InvariantCulture);
                    for (var i = 0; i < count; i++)
                    {
                        await ReadAsync(reply).ConfigureAwait(false);
                    }

                    break;
                default:
                    throw new IOException("Unexpected RESP reply: " + line);
            }
        }

        private async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
                if (index >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, index);
                    _start += index + 2;
                    return line;
                }

                await FillAsync().ConfigureAwait(false);
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            var result = new byte[count];
            var copied = 0;
            while (copied < count)
            {
                if (_start == _end)
                {
                    await FillAsync().ConfigureAwait(false);
                }

                var n = Math.Min(count - copied, _end - _start);
                Buffer.BlockCopy(_buffer, _start, result, copied, n);
                _start += n;
                copied += n;
            }

            return result;
        }

        private async Task FillAsync()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException("RESP line longer than the read buffer.");
            }

            var n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("The server closed the connection before replying.");
            }

            _end += n;
        }
    }

    /// <summary>Kills the process (even if paused) and deletes the temporary directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        finally
        {
            Live.TryRemove(this, out _);
            lock (_gate)
            {
                _process?.Dispose();
                _process = null;
            }

            DeleteDirectory(Directory);
        }
    }

    public override string ToString() => $"redis-server {Endpoint} (pid {ProcessId})";

    /// <summary>Starts the process and waits for PING. False when the port was already in use.</summary>
    private async Task<bool> LaunchAsync()
    {
        var info = new ProcessStartInfo(_serverPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        foreach (var arg in _leadingArgs)
        {
            info.ArgumentList.Add(arg);
        }

        string[] baseArgs =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", Directory,
            "--daemonize", "no",
            "--protected-mode", "no",
        ];
        foreach (var arg in baseArgs)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _extraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"redis-server at {_serverPath} could not be started: {ex.Message}. Run eng/install-deps.sh.", ex);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Process? previous;
        lock (_gate)
        {
            previous = _process;
            _process = process;
        }

        previous?.Dispose();
        Live[this] = 0;
        WriteOwnerFile(process.Id);

        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                await process.WaitForExitAsync().ConfigureAwait(false); // Drains the redirected output.
                var output = Output;
                if (output.Contains("Address already in use", StringComparison.Ordinal))
                {
                    return false;
                }

                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} before answering PING on port {Port}. Output:\n{output}");
            }

            // The answer must come from this process: when another server (of this test run or another one) took the
            // port between FreePort and the bind, it answers PING on it while this process fails to bind and exits
            // with "Address already in use" (then retried on a new port, above).
            if (await TryPingAsync(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false) && await AnswersAsProcessAsync(process.Id).ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(10).ConfigureAwait(false); // the polling step of this wait for the server to answer
        }

        await KillAsync().ConfigureAwait(false);
        throw new InvalidOperationException($"redis-server did not answer PING on port {Port} within {StartTimeout.TotalSeconds:0} s. Output:\n{Output}");
    }

    /// <summary>Whether the server answering on <see cref="Port"/> is the process <paramref name="pid"/>
    /// (<c>INFO server</c>'s <c>process_id</c>).</summary>
    private async Task<bool> AnswersAsProcessAsync(int pid)
    {
        try
        {
            var info = await QueryAsync(Port, TimeSpan.FromMilliseconds(500), "INFO", "server").ConfigureAwait(false);
            return Array.Exists(info.Split('\n'), line => line.TrimEnd('\r') == "process_id:" + pid.ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or TimeoutException)
        {
            return false;
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length + line.Length < MaxOutputChars)
            {
                _output.AppendLine(line);
            }
        }
    }

    private enum Signal
    {
        Stop,
        Continue,
    }

    private async Task SignalAsync(Signal signal)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int pid;
        lock (_gate)
        {
            if (_process is not { HasExited: false } process)
            {
                throw new InvalidOperationException($"redis-server on port {Port} is not running.");
            }

            pid = process.Id;
        }

        if (OperatingSystem.IsLinux())
        {
            // Linux numbering (x86, ARM): SIGCONT 18, SIGSTOP 19.
            if (Native.Kill(pid, signal == Signal.Stop ? 19 : 18) != 0)
            {
                throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
            }

            // The signal is delivered asynchronously: wait until /proc shows the state change, so that a test's next
            // step really runs against a stopped (or running) server.
            var stopped = signal == Signal.Stop;
            var watch = Stopwatch.StartNew();
            while (IsStopped(pid) != stopped && watch.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(1).ConfigureAwait(false); // the polling step of this wait on the process state
            }
        }
        else
        {
            using var kill = Process.Start("/bin/sh", ["-c", $"kill -{(signal == Signal.Stop ? "STOP" : "CONT")} {pid}"]);
            await kill.WaitForExitAsync().ConfigureAwait(false);
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -{signal} {pid} exited with {kill.ExitCode}.");
            }
        }
    }

    /// <summary>State T (stopped) or t (traced) in /proc/PID/stat.</summary>
    private static bool IsStopped(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName >= 0 && afterName + 2 < stat.Length && stat[afterName + 2] is 'T' or 't';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void WriteOwnerFile(int redisPid)
    {
        try
        {
            File.WriteAllText(
                Path.Combine(Directory, OwnerFile),
                $"{Environment.ProcessId}\n{redisPid}\n{Port}\n");
        }
        catch (IOException)
        {
            // Only used to reap servers after a crashed test host.
        }
    }

    /// <summary>
    /// Kills redis-server processes whose test host died without running ProcessExit (for example killed with
    /// SIGKILL), identified by the owner file in their directory, and deletes those directories. Linux only.
    /// </summary>
    private static void ReapStaleServers()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            foreach (var directory in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
            {
                var ownerFile = Path.Combine(directory, OwnerFile);
                if (!File.Exists(ownerFile))
                {
                    continue;
                }

                var lines = File.ReadAllLines(ownerFile);
                if (lines.Length < 3
                    || !int.TryParse(lines[0], CultureInfo.InvariantCulture, out var owner)
                    || !int.TryParse(lines[1], CultureInfo.InvariantCulture, out var redisPid)
                    || System.IO.Directory.Exists($"/proc/{owner}"))
                {
                    continue; // Unreadable, or its test host is still running.
                }

                // redis-server sets its process title to "redis-server 127.0.0.1:PORT", followed by " [sentinel]" or
                // " [cluster]" in those modes; a recycled pid will not match.
                var cmdline = ReadCmdline(redisPid);
                var endpoint = ":" + lines[2].Trim();
                if (cmdline.Contains("redis-server", StringComparison.Ordinal)
                    && (cmdline.EndsWith(endpoint, StringComparison.Ordinal)
                        || cmdline.EndsWith(endpoint + " [sentinel]", StringComparison.Ordinal)
                        || cmdline.EndsWith(endpoint + " [cluster]", StringComparison.Ordinal)))
                {
                    Native.Kill(redisPid, 9);
                }

                DeleteDirectory(directory);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort.
        }
    }

    private static string ReadCmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static void KillAllLive()
    {
        foreach (var server in Live.Keys)
        {
            try
            {
                Process? process;
                lock (server._gate)
                {
                    process = server._process;
                }

                if (process is { HasExited: false })
                {
                    process.Kill();
                    process.WaitForExit(2000);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }

            DeleteDirectory(server.Directory);
        }
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: it is under the temp directory.
        }
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the listener that found it is closed).</summary>
    internal static int FreePort()
    {
        // The kernel may hand the same free port to two concurrent callers (the listener is closed before the server
        // binds it): a port given out in this process in the last minute is not given out again.
        for (var attempt = 0; ; attempt++)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port;
            try
            {
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            finally
            {
                listener.Stop();
            }

            // Atomic: of two callers with the same port, one adds it (or renews a stale entry) and the other tries again.
            var now = Environment.TickCount64;
            var claimed = RecentPorts.TryAdd(port, now)
                || (RecentPorts.TryGetValue(port, out var given) && now - given > 60_000 && RecentPorts.TryUpdate(port, now, given));
            if (claimed || attempt >= 100)
            {
                return port;
            }
        }
    }

    private static readonly ConcurrentDictionary<int, long> RecentPorts = new();

    internal static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    internal static InvalidOperationException NotInstalled(string tool) =>
        new($"{tool} was not found on PATH. The tests run against real Redis processes: run eng/install-deps.sh " +
            "(it installs redis-server, redis-sentinel and redis-tools with apt-get), then run the tests again.");

    /// <summary>Splits on whitespace; double quotes group, and <c>""</c> is an empty argument.</summary>
    internal static IReadOnlyList<string> SplitArguments(string? arguments)
    {
        var result = new List<string>();
        if (string.IsNullOrWhiteSpace(arguments))
        {
            return result;
        }

        var current = new StringBuilder();
        var inArgument = false;
        var quoted = false;
        foreach (var c in arguments)
        {
            if (c == '"')
            {
                quoted = !quoted;
                inArgument = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (inArgument)
                {
                    result.Add(current.ToString());
                    current.Clear();
                    inArgument = false;
                }
            }
            else
            {
                current.Append(c);
                inArgument = true;
            }
        }

        if (quoted)
        {
            throw new ArgumentException($"Unbalanced double quote in redis-server arguments: {arguments}", nameof(arguments));
        }

        if (inArgument)
        {
            result.Add(current.ToString());
        }

        return result;
    }

    private static class Native
    {
        [DllImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
        public static extern int Kill(int pid, int signal);
    }
}
