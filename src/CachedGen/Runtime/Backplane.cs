using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen.Runtime;

/// <summary>
/// Carries invalidations between nodes over Redis pub/sub, so that an entry a write removed from Redis also leaves
/// every other node's L1. Each message names the sending node, which ignores its own messages (it has already acted).
/// </summary>
/// <remarks>
/// Message: <c>1|{node}|{kind}|{method}|{key}</c>, where kind is <c>k</c> (one key, rendered as in Redis),
/// <c>m</c> (every entry of a method), <c>a</c> (everything), <c>t</c> (a tag: the method field carries the tag's new
/// generation and the key field the tag) or <c>f</c> (the first fill after an invalidation, or a fill someone waits for
/// whose value is too large to carry: not an invalidation; it wakes the waiters of that key, and nodes that follow
/// changes read it where their L1 holds a copy the invalidation made stale). A fill some caller waits for is announced
/// with its value: <c>1|{node}|v|{method}|{token}|{key length}|{key}{payload}</c>, where token is the lease the fill was
/// written under and the payload the bytes written to Redis; it does what <c>f</c> does, and the waiters that saw that
/// lease held take the value from it. A put is a <c>k</c> message whose node field ends with
/// <c>.p</c>: the new value is already in Redis, so nodes that follow changes read it at once. Pub/sub does not replay
/// messages sent while a node was disconnected, so when the subscription connection comes back the node clears its
/// whole L1: it may have missed invalidations, and Redis (which the writes did reach) holds the current values.
/// </remarks>
internal sealed class Backplane
{
    public const string Format = "1";
    private readonly CacheRuntime _runtime;
    private readonly RedisLevel _redis;
    private readonly string _node = Guid.NewGuid().ToString("N");
    private readonly byte[] _nodeUtf8;

    public Backplane(CacheRuntime runtime, RedisLevel redis, string keyPrefix, bool followRemoteChanges)
    {
        _runtime = runtime;
        _redis = redis;
        FollowWindowMs = followRemoteChanges ? FollowWindow : 0;
        ChannelName = keyPrefix + "cachedgen:invalidations";
        FilledMessagePrefix = string.Join('|', Format, _node, "f", "");
        ValueMessagePrefix = string.Join('|', Format, _node, "v", "");
        _nodeUtf8 = System.Text.Encoding.UTF8.GetBytes(_node);
        Channel = RedisChannel.Literal(ChannelName);
        _ = redis.Connection.ContinueWith(
            static (t, state) => ((Backplane)state!).SubscribeAsync(t.Result),
            this,
            TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously).Unwrap();
    }

    public RedisChannel Channel { get; }

    /// <summary>How long after an invalidation the entry's next fill still announces itself for the nodes that follow
    /// changes (<see cref="CachedGenOptions.FollowRemoteChanges"/>): the entries worth following are read again within
    /// it, and each invalidation leaves a marker key in Redis for at most this long.</summary>
    public const long FollowWindow = 10_000;

    /// <summary><see cref="FollowWindow"/> when this node follows changes, else 0: its writes then leave no marker and
    /// its puts announce no fill.</summary>
    public long FollowWindowMs { get; }

    /// <summary>Raised for each message from another node as it arrives (tests count them).</summary>
    internal event Action? Received;

    /// <summary>Raised for each message from another node once it has been applied to this node's L1 (tests wait on it).</summary>
    internal event Action? Applied;

    /// <summary>Raised for each of this node's own messages coming back, once it has been ignored (tests wait on it).</summary>
    internal event Action? Echoed;

    /// <summary>Raised once a fill announcement (<c>f</c> or <c>v</c>) has been handled: waiters woken, and the methods of
    /// this node told.</summary>
    internal event Action? FillHandled;

    public string ChannelName { get; }

    /// <summary>Completes once the subscription is in place (or failed, logged).</summary>
    public Task Subscribed => _subscribed.Task;

    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The message for one key; <see cref="RedisLevel.InvalidateAsync"/> publishes it with the delete.</summary>
    public string KeyMessage(string methodId, string renderedKey) => string.Join('|', Format, _node, "k", methodId, renderedKey);

    /// <summary>The message for one key whose new value a put has just written (<see cref="RedisLevel.PutAsync"/>
    /// publishes it with the write): an invalidation whose node field carries <see cref="PutMark"/> when this node
    /// follows changes, so that the nodes holding a copy read the new value at once.</summary>
    public string PutMessage(string methodId, string renderedKey)
        => string.Join('|', Format, FollowWindowMs > 0 ? _node + PutMark : _node, "k", methodId, renderedKey);

    /// <summary>Appended to the node field of a put's invalidation. A node of an earlier version sees a node that is not
    /// itself and applies the invalidation as it always did.</summary>
    private const string PutMark = ".p";

    /// <summary>The start of a tag message, <c>1|{node}|t|</c>: the tag script appends the new generation, <c>|</c> and
    /// the tag.</summary>
    public string TagMessagePrefix => string.Join('|', Format, _node, "t", "");

    /// <summary>The start of a fill's announcement, <c>1|{node}|f|</c>: the fill script appends the method, <c>|</c> and
    /// the key as in Redis. The waiters on every node read the value at once (<see cref="WaitForFillAsync"/>), and nodes
    /// that follow changes read it where they hold a stale copy; a node of an earlier version ignores the kind.</summary>
    public string FilledMessagePrefix { get; }

    /// <summary>The start of a fill's announcement with its value, <c>1|{node}|v|</c>: the fill script appends the method,
    /// the lease token, the key's length in bytes and the key (each field but the key followed by <c>|</c>), then the
    /// payload it wrote. Sent when a waiter marked the lease and the payload is at most
    /// <see cref="MaxCarriedValueBytes"/>; a node of an earlier version ignores the kind (its waiters poll).</summary>
    public string ValueMessagePrefix { get; }

    /// <summary>The largest payload a fill's announcement carries: every subscribed node receives each announcement, so a
    /// larger value is announced by key only and its waiters read it from Redis.</summary>
    public const int MaxCarriedValueBytes = 16 * 1024;

    // Callers on this node waiting for another node's fill, by Redis key (one completion shared by a key's waiters).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource<FillNotice?>> _fillWaiters = new(StringComparer.Ordinal);

    /// <summary>Starts listening for the announcement of <paramref name="redisKey"/>'s fill, before the lease script that
    /// may mark the wait runs (so the announcement cannot come before anyone listens). Give the result to
    /// <see cref="WaitForFillAsync"/> or <see cref="StopExpecting"/>.</summary>
    public TaskCompletionSource<FillNotice?> ExpectFill(string redisKey)
        => _fillWaiters.GetOrAdd(redisKey, static _ => new TaskCompletionSource<FillNotice?>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Stops listening (the value was found, the lease taken, or the wait given up).</summary>
    public void StopExpecting(string redisKey, TaskCompletionSource<FillNotice?> filled)
        => _fillWaiters.TryRemove(new System.Collections.Generic.KeyValuePair<string, TaskCompletionSource<FillNotice?>>(redisKey, filled));

    /// <summary>Waits until the fill <paramref name="filled"/> listens for is announced or <paramref name="delay"/> has
    /// passed, whichever comes first. Returns the announcement when it carried the value, else <see langword="null"/>:
    /// the caller then reads Redis again (an announcement can be missed: it is sent only to nodes subscribed at that
    /// moment).</summary>
    public static async Task<FillNotice?> WaitForFillAsync(TaskCompletionSource<FillNotice?> filled, TimeSpan delay, TimeProvider time, System.Threading.CancellationToken cancellationToken)
    {
        if (filled.Task.IsCompleted)
        {
            return filled.Task.Result;
        }

        using var timeout = new System.Threading.CancellationTokenSource(delay, time);
        using var linked = System.Threading.CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await filled.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll delay passed first.
            return null;
        }
    }

    /// <summary>Starts listening for the fills of <paramref name="redisKeys"/> (a batch's elements another node is loading),
    /// before the script that marks their waits runs; see <see cref="FillListener"/>.</summary>
    public FillListener Listen(List<string> redisKeys)
    {
        var expected = new TaskCompletionSource<FillNotice?>[redisKeys.Count];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = ExpectFill(redisKeys[i]);
        }

        return new FillListener(this, redisKeys, expected);
    }

    /// <summary>Listens for the fills of several keys: <see cref="WaitAnyAsync"/> returns when any of them is announced or
    /// the delay has passed, whichever comes first; <see cref="Stop"/> stops listening.</summary>
    internal sealed class FillListener(Backplane backplane, List<string> redisKeys, TaskCompletionSource<FillNotice?>[] expected)
    {
        public async Task WaitAnyAsync(TimeSpan delay, TimeProvider time)
        {
            using var timeout = new System.Threading.CancellationTokenSource(delay, time);
            try
            {
                await Task.WhenAny(Array.ConvertAll(expected, static e => e.Task)).WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The delay passed first.
            }
        }

        public void Stop()
        {
            for (var i = 0; i < expected.Length; i++)
            {
                backplane.StopExpecting(redisKeys[i], expected[i]);
            }
        }
    }

    public ValueTask<bool> PublishMethodAsync(string methodId)
        => _redis.PublishAsync(Channel, string.Join('|', Format, _node, "m", methodId, ""), methodId);

    public ValueTask<bool> PublishAllAsync()
        => _redis.PublishAsync(Channel, string.Join('|', Format, _node, "a", "", ""), "*");

    /// <summary>How long the subscription waits for the client's subscription connection when the multiplexer reports
    /// connected before it (see <see cref="SubscribeAsync"/>); StackExchange.Redis's default connect timeout.</summary>
    private static readonly TimeSpan SubscriptionConnectWait = TimeSpan.FromSeconds(5);

    private async Task SubscribeAsync(IConnectionMultiplexer connection)
    {
        var subscriber = connection.GetSubscriber();
        var firstConnect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = 0;
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType != ConnectionType.Subscription)
            {
                return;
            }

            if (Volatile.Read(ref sent) == 0)
            {
                // The subscription connection's first connect, before the SUBSCRIBE was sent: nothing was missed.
                firstConnect.TrySetResult();
                return;
            }

            Log.BackplaneResync(_runtime.Logger);
            _runtime.Metrics.AddInvalidation(CacheMetrics.KindResync, null);
            _runtime.Tags.Forget();
            _runtime.ClearLocal();
        };

        try
        {
            // The multiplexer reports connected once its interactive connection is up. Its subscription connection is
            // part of that only while the client subscribes to its configuration channel during the handshake; with
            // `configChannel=` (the least-privilege connection string of docs/security.md) it may still be connecting, and
            // a SUBSCRIBE now would fail, then succeed on the connection's first connect, logged as a lost subscription
            // and a reconnect. Wait for that connection instead (at most the client's default connect timeout).
            var waited = !subscriber.IsConnected(Channel);
            if (waited)
            {
                await firstConnect.Task.WaitAsync(SubscriptionConnectWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            Volatile.Write(ref sent, 1);
            await subscriber.SubscribeAsync(Channel, (_, message) => Receive(message)).ConfigureAwait(false);
            if (waited)
            {
                // What L1 took in before the subscription was in place missed the invalidations sent meanwhile.
                _runtime.Tags.Forget();
                _runtime.ClearLocal();
            }
        }
        catch (Exception ex)
        {
            // The subscription is re-established by the client once Redis is reachable (then ConnectionRestored clears L1).
            Log.BackplaneSubscribeFailed(_runtime.Logger, ex);
        }
        finally
        {
            _subscribed.TrySetResult();
        }
    }

    internal void Receive(RedisValue message)
    {
        if (TryReceiveValue(message))
        {
            return;
        }

        var text = (string?)message;
        if (text is null)
        {
            return;
        }

        // format|node|kind|method|key — the key is last and may itself contain '|'.
        var parts = text.Split('|', 5);
        if (parts.Length != 5 || parts[0] != Format)
        {
            return;
        }

        if (parts[2] == "f")
        {
            // A fill announced by key (it follows a change, or its value is too large to carry): the waiters read Redis.
            OnFilled(parts[4], null, parts[1] == _node ? null : parts[3]);
            return;
        }

        if (parts[2] == "k")
        {
            // From any node, this one included.
            WakeWaitersOf(parts[4]);
        }

        var put = parts[1].EndsWith(PutMark, StringComparison.Ordinal);
        if ((put ? parts[1].AsSpan(0, parts[1].Length - PutMark.Length) : parts[1]).SequenceEqual(_node))
        {
            Echoed?.Invoke();
            return;
        }

        Received?.Invoke();
        switch (parts[2])
        {
            case "k":
                _runtime.OnRemoteInvalidation(parts[3], parts[4], put);
                break;
            case "m":
                _runtime.OnRemoteInvalidation(parts[3], null);
                break;
            case "t" when long.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var generation):
                _runtime.Metrics.AddInvalidation(CacheMetrics.KindRemote, null);
                _runtime.Tags.Learn(parts[4], generation);
                break;
            case "a":
                _runtime.Metrics.AddInvalidation(CacheMetrics.KindRemote, null);
                _runtime.ClearLocal();
                break;
        }

        Applied?.Invoke();
    }

    /// <summary>A fill announced with its value (<see cref="ValueMessagePrefix"/>): wakes this node's waiters of the key
    /// with the value and the lease it was written under, and, from another node, is followed as a <c>f</c> message is.
    /// <see langword="false"/> for any other message.</summary>
    private bool TryReceiveValue(RedisValue message)
    {
        if (message.IsNull)
        {
            return false;
        }

        // format|node|v|method|token|keyLength|{key}{payload}: the fields before the key contain no '|'.
        ReadOnlyMemory<byte> bytes = message;
        var span = bytes.Span;
        Span<int> bars = stackalloc int[6];
        var at = 0;
        for (var i = 0; i < bars.Length; i++)
        {
            var next = span[at..].IndexOf((byte)'|');
            if (next < 0)
            {
                return false;
            }

            bars[i] = at + next;
            at = bars[i] + 1;
            if (i == 2 && !(span[..bars[0]].SequenceEqual("1"u8) && span[(bars[1] + 1)..bars[2]].SequenceEqual("v"u8)))
            {
                return false;
            }
        }

        if (!System.Buffers.Text.Utf8Parser.TryParse(span[(bars[4] + 1)..bars[5]], out int keyLength, out var consumed)
            || consumed != bars[5] - bars[4] - 1 || keyLength < 0 || keyLength > span.Length - at)
        {
            return true; // a value announcement, malformed: nothing to wake (the waiters poll)
        }

        var encoding = System.Text.Encoding.UTF8;
        OnFilled(
            encoding.GetString(span.Slice(at, keyLength)),
            new FillNotice(encoding.GetString(span[(bars[3] + 1)..bars[4]]), bytes[(at + keyLength)..]),
            span[(bars[0] + 1)..bars[1]].SequenceEqual(_nodeUtf8) ? null : encoding.GetString(span[(bars[2] + 1)..bars[3]]));
        return true;
    }

    /// <summary>An invalidation (or a write-through) of <paramref name="announcedKey"/> deleted the value and its lease: the
    /// holder's fill will find the lease gone and write (and announce) nothing, so this node's waiters for the key are
    /// woken to read Redis again now rather than after their poll delay (they find the new value, take the lease, or
    /// wait for the lease taken since). A tagged method announces its keys without their tag suffix (<c>.t…</c>).</summary>
    private void WakeWaitersOf(string announcedKey)
    {
        // Enumerating takes no lock (IsEmpty or Count would take every lock of the dictionary, on each message).
        foreach (var (key, filled) in _fillWaiters)
        {
            if (key.StartsWith(announcedKey, StringComparison.Ordinal)
                && (key.Length == announcedKey.Length || key.AsSpan(announcedKey.Length).StartsWith(".t", StringComparison.Ordinal))
                && _fillWaiters.TryRemove(new KeyValuePair<string, TaskCompletionSource<FillNotice?>>(key, filled)))
            {
                filled.TrySetResult(null);
            }
        }
    }

    /// <summary>A fill of <paramref name="redisKey"/> was announced (by any node, this one included): wakes this node's
    /// waiters of that key with <paramref name="notice"/> (<see langword="null"/>: they read Redis) and, when another
    /// node's method <paramref name="remoteMethod"/> filled it, reads the new value where this node's L1 holds a stale
    /// copy.</summary>
    private void OnFilled(string redisKey, FillNotice? notice, string? remoteMethod)
    {
        if (_fillWaiters.TryRemove(redisKey, out var filled))
        {
            filled.TrySetResult(notice);
        }

        if (remoteMethod is not null)
        {
            _runtime.OnRemoteFill(remoteMethod, redisKey, isBaseKey: false);
        }

        FillHandled?.Invoke();
    }
}

/// <summary>A fill announced with its value: the lease token it was written under and the payload written.</summary>
internal sealed record FillNotice(string Token, ReadOnlyMemory<byte> Payload);
