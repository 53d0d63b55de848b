using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace CachedGen.TestKit;

/// <summary>
/// A TCP proxy on a free loopback port in front of a Redis endpoint, for network faults that only some connections
/// suffer: every connection is forwarded byte for byte both ways, and the pub/sub ones can be cut off silently
/// (<see cref="BlackholeSubscriptions"/>: a partition the client cannot see) or closed (<see cref="CutSubscriptions"/>).
/// </summary>
/// <remarks>
/// <para>A connection is pub/sub from its first client command named <c>SUBSCRIBE</c>, <c>PSUBSCRIBE</c> or
/// <c>SSUBSCRIBE</c> (any case; the client's bytes are followed command by command, so a value that happens to read
/// "SUBSCRIBE" does not count). In RESP2, StackExchange.Redis subscribes on a connection of its own, so its interactive
/// connection is never affected; in RESP3 it subscribes on its single connection, which then counts as pub/sub.</para>
/// <para>Dropped bytes are gone, not delayed: after <see cref="Restore"/> a connection that lost part of a reply can be
/// out of step, so heal a partition with <see cref="CutSubscriptions"/> too (as a client that noticed it would).</para>
/// <para>Everything is asynchronous socket I/O (no dedicated threads); <see cref="DisposeAsync"/> closes the listener
/// and every connection, and returns once all their tasks have ended.</para>
/// </remarks>
public sealed class RedisProxy : IAsyncDisposable
{
    private const int BufferSize = 16 * 1024;

    private readonly IPEndPoint _target;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Link, byte> _links = new();
    private readonly Task _acceptLoop;
    private volatile bool _blackholed;
    private long _droppedBytes;
    private long _clientBytes;
    private int _disposed;

    private RedisProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(128);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }

        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>The proxy's TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>: what a client connects to instead of the target.</summary>
    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The endpoint every connection is forwarded to.</summary>
    public string Target => _target.ToString();

    /// <summary>Client connections currently open through the proxy.</summary>
    public int ConnectionCount => _links.Count;

    /// <summary>Whether the listening socket is still open (it is closed by <see cref="DisposeAsync"/>).</summary>
    public bool IsListening => !_listener.SafeHandle.IsClosed;

    /// <summary>Open client connections that have sent a subscribe command.</summary>
    public int SubscriptionCount => _links.Keys.Count(link => link.IsSubscription);

    /// <summary>Whether pub/sub traffic is being dropped (between <see cref="BlackholeSubscriptions"/> and <see cref="Restore"/>).</summary>
    public bool IsBlackholed => _blackholed;

    /// <summary>Bytes dropped on pub/sub connections so far, both directions together.</summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    /// <summary>Bytes read from clients so far, every connection together (each read counted once it has been looked
    /// at, before it is forwarded).</summary>
    public long ClientBytes => Interlocked.Read(ref _clientBytes);

    /// <summary>Starts a proxy to <paramref name="targetEndpoint"/> (<c>host:port</c>; a host name is resolved now).</summary>
    /// <exception cref="ArgumentException">The endpoint is not <c>host:port</c>.</exception>
    public static RedisProxy Start(string targetEndpoint)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targetEndpoint);
        var colon = targetEndpoint.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(targetEndpoint.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"Expected host:port, got '{targetEndpoint}'.", nameof(targetEndpoint));
        }

        var host = targetEndpoint[..colon].Trim('[', ']');
        if (!IPAddress.TryParse(host, out var address))
        {
            var addresses = Dns.GetHostAddresses(host);
            address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? throw new ArgumentException($"'{host}' does not resolve.", nameof(targetEndpoint));
        }

        return new RedisProxy(new IPEndPoint(address, port));
    }

    /// <summary>Starts a proxy to <paramref name="server"/>.</summary>
    public static RedisProxy Start(RedisServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Start(server.Endpoint);
    }

    /// <summary>
    /// From now on, drops every byte read on a pub/sub connection, both ways, and keeps its sockets open: the client
    /// sees neither messages nor replies nor a disconnect, and Redis still counts the subscriber. A connection that
    /// subscribes later is dropped from its subscribe command on. Other connections are unaffected.
    /// </summary>
    public void BlackholeSubscriptions() => _blackholed = true;

    /// <summary>Forwards pub/sub traffic again (bytes dropped meanwhile are not replayed).</summary>
    public void Restore() => _blackholed = false;

    /// <summary>Closes every open pub/sub connection on both sides (the client and Redis each see the connection end);
    /// new connections, pub/sub ones included, are still accepted. Returns how many were closed.</summary>
    public int CutSubscriptions()
    {
        var cut = 0;
        foreach (var link in _links.Keys)
        {
            if (link.IsSubscription && link.Close())
            {
                cut++;
            }
        }

        return cut;
    }

    /// <summary>Stops accepting, closes every connection and waits until all of the proxy's tasks have ended.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        // No link is added after the accept loop ended.
        var links = _links.Keys.ToArray();
        foreach (var link in links)
        {
            link.Close();
        }

        await Task.WhenAll(links.Select(link => link.Completion)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                continue; // A connection reset before it was accepted.
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var link = new Link(this, client);
            _links.TryAdd(link, 0);
            link.Start();
        }
    }

    /// <summary>One client connection and its connection to the target, with a pump each way.</summary>
    private sealed class Link(RedisProxy proxy, Socket client)
    {
        private readonly Socket _server = new(proxy._target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        private readonly SubscribeDetector _detector = new();
        private volatile bool _isSubscription;
        private int _closed;

        public bool IsSubscription => _isSubscription;

        public Task Completion { get; private set; } = Task.CompletedTask;

        public void Start() => Completion = RunAsync();

        /// <summary>Closes both sockets (which ends both pumps); false when already closed.</summary>
        public bool Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return false;
            }

            CloseSocket(client);
            CloseSocket(_server);
            return true;
        }

        private async Task RunAsync()
        {
            try
            {
                client.NoDelay = true;
                _server.NoDelay = true;
                await _server.ConnectAsync(proxy._target, proxy._stop.Token).ConfigureAwait(false);
                await Task.WhenAll(PumpAsync(client, _server, fromClient: true), PumpAsync(_server, client, fromClient: false)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // The target refused, or the link was closed while connecting.
            }
            finally
            {
                Close();
                proxy._links.TryRemove(this, out _);
            }
        }

        private async Task PumpAsync(Socket from, Socket to, bool fromClient)
        {
            var buffer = new byte[BufferSize];
            var token = proxy._stop.Token;
            try
            {
                while (true)
                {
                    var read = await from.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return; // That side closed: Close (finally) ends the other direction too.
                    }

                    if (fromClient && !_isSubscription && _detector.Feed(buffer.AsSpan(0, read)))
                    {
                        _isSubscription = true;
                    }

                    if (fromClient)
                    {
                        Interlocked.Add(ref proxy._clientBytes, read);
                    }

                    if (_isSubscription && proxy._blackholed)
                    {
                        Interlocked.Add(ref proxy._droppedBytes, read);
                        continue;
                    }

                    for (var sent = 0; sent < read;)
                    {
                        sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, token).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Reset by a peer, or closed by Close/CutSubscriptions/DisposeAsync.
            }
            finally
            {
                Close();
            }
        }

        private static void CloseSocket(Socket socket)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Not connected (yet), or already gone.
            }

            socket.Dispose();
        }
    }

    /// <summary>
    /// Follows a client's byte stream command by command, as Redis parses it: a RESP array of bulk strings
    /// (<c>*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n</c>), or an inline command (a line of words). <see cref="Feed"/> reports
    /// whether a command named SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE (any case) ended in the bytes given; chunks can split
    /// anything anywhere. After malformed input (which Redis rejects by closing the connection) it looks for the next
    /// command start.
    /// </summary>
    private sealed class SubscribeDetector
    {
        private const int MaxLine = 64; // Array and bulk headers are short; of an inline command only its name matters.
        private const int MaxName = 10; // "PSUBSCRIBE", "SSUBSCRIBE"

        private readonly byte[] _line = new byte[MaxLine];
        private readonly byte[] _name = new byte[MaxName];
        private State _state = State.CommandStart;
        private int _lineLength;
        private long _argumentsLeft;
        private bool _firstArgument;
        private long _bulkLeft;      // bytes of the current bulk string still to come, its CRLF included
        private int _nameLength;     // of the first argument, when short enough to be a subscribe command
        private int _nameCaptured;

        private enum State
        {
            CommandStart,
            ArrayHeader,
            Inline,
            BulkStart,
            BulkHeader,
            BulkBody,
        }

        public bool Feed(ReadOnlySpan<byte> data)
        {
            var found = false;
            while (!data.IsEmpty)
            {
                switch (_state)
                {
                    case State.CommandStart:
                        _lineLength = 0;
                        if (data[0] == (byte)'*')
                        {
                            _state = State.ArrayHeader;
                            data = data[1..];
                        }
                        else
                        {
                            _state = State.Inline;
                        }

                        break;

                    case State.BulkStart:
                        _lineLength = 0;
                        if (data[0] == (byte)'$')
                        {
                            _state = State.BulkHeader;
                            data = data[1..];
                        }
                        else
                        {
                            _state = State.CommandStart; // Not RESP: resynchronize on what follows.
                        }

                        break;

                    case State.BulkBody:
                        var take = (int)Math.Min(_bulkLeft, data.Length);
                        var capture = Math.Min(_nameLength - _nameCaptured, take);
                        if (capture > 0)
                        {
                            data[..capture].CopyTo(_name.AsSpan(_nameCaptured));
                            _nameCaptured += capture;
                        }

                        data = data[take..];
                        _bulkLeft -= take;
                        if (_bulkLeft == 0)
                        {
                            if (_firstArgument)
                            {
                                found |= _nameLength > 0 && IsSubscribe(_name.AsSpan(0, _nameLength));
                                _firstArgument = false;
                            }

                            _state = --_argumentsLeft > 0 ? State.BulkStart : State.CommandStart;
                        }

                        break;

                    default: // A line: ArrayHeader, BulkHeader, Inline.
                        var newline = data.IndexOf((byte)'\n');
                        var part = newline < 0 ? data : data[..newline];
                        var room = Math.Min(part.Length, MaxLine - _lineLength);
                        part[..room].CopyTo(_line.AsSpan(_lineLength));
                        _lineLength += room;
                        if (newline < 0)
                        {
                            return found;
                        }

                        data = data[(newline + 1)..];
                        found |= EndOfLine(_line.AsSpan(0, _lineLength).TrimEnd((byte)'\r'));
                        break;
                }
            }

            return found;
        }

        private bool EndOfLine(ReadOnlySpan<byte> line)
        {
            switch (_state)
            {
                case State.ArrayHeader:
                    if (TryParseLength(line, out var count) && count > 0)
                    {
                        _argumentsLeft = count;
                        _firstArgument = true;
                        _state = State.BulkStart;
                    }
                    else
                    {
                        _state = State.CommandStart; // *0, *-1 or malformed.
                    }

                    return false;

                case State.BulkHeader:
                    if (TryParseLength(line, out var length) && length >= 0)
                    {
                        _bulkLeft = length + 2;
                        _nameLength = _firstArgument && length <= MaxName ? (int)length : 0;
                        _nameCaptured = 0;
                        _state = State.BulkBody;
                    }
                    else
                    {
                        _state = State.CommandStart;
                    }

                    return false;

                default: // Inline: the command is the first word.
                    _state = State.CommandStart;
                    line = line.TrimStart(" \t"u8);
                    var end = line.IndexOfAny(" \t"u8);
                    return IsSubscribe(end < 0 ? line : line[..end]);
            }
        }

        private static bool TryParseLength(ReadOnlySpan<byte> digits, out long value)
            => long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

        private static bool IsSubscribe(ReadOnlySpan<byte> name)
            => Ascii.EqualsIgnoreCase(name, "SUBSCRIBE"u8)
               || Ascii.EqualsIgnoreCase(name, "PSUBSCRIBE"u8)
               || Ascii.EqualsIgnoreCase(name, "SSUBSCRIBE"u8);
    }
}
