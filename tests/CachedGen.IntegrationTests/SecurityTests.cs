using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CachedGen.TestKit;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>Sensitive values encrypted in Redis, key rotation (hashing and encryption), the audit sink, and memory
/// limits, against a real redis-server read with a plain client.</summary>
public sealed class SecurityTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private static readonly byte[] KeyOne = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] KeyTwo = Enumerable.Range(101, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] HashSecretOne = Encoding.UTF8.GetBytes("hash-secret-one-0123456789abcdefghij");
    private static readonly byte[] HashSecretTwo = Encoding.UTF8.GetBytes("hash-secret-two-0123456789abcdefghij");
    private readonly string _prefix = "sec-" + Guid.NewGuid().ToString("N")[..8] + ":";
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }
    }

    private async Task<(IWidgetRepository Repository, CacheRuntime Runtime, IDatabase Db)> NodeAsync(WidgetSource source, Action<CachedGenOptions>? configure = null, ILoggerFactory? logs = null)
    {
        // A generous Redis budget: these tests count source calls, and run beside other test classes on 2 cores.
        var options = new CachedGenOptions { KeyPrefix = _prefix, KeyHashSecret = HashSecretOne, ValueEncryptionKey = KeyOne, RedisOperationTimeout = TimeSpan.FromSeconds(2) };
        configure?.Invoke(options);
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        var runtime = new CacheRuntime(options, mux, logs);
        _disposables.Add(runtime);
        _disposables.Add(mux);
        return (new CachedWidgetRepository(source, runtime), runtime, mux.GetDatabase());
    }

    private static CachedGen.Runtime.CachedMethod<ValueTuple<int>, Account?> Secrets(CacheRuntime runtime)
        => runtime.GetMethod(CachedWidgetRepository.GetSecretAsyncDescriptor);

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    [Fact]
    public async Task Sensitive_values_reach_Redis_only_encrypted_and_other_nodes_read_them()
    {
        var source = new WidgetSource();
        var (a, runtimeA, db) = await NodeAsync(source);
        var (b, _, _) = await NodeAsync(source);

        Assert.Equal("secret-1", (await a.GetSecretAsync(1))!.DisplayName);
        await runtimeA.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var key = Secrets(runtimeA).RenderKey(new ValueTuple<int>(1));
        var raw = (byte[])(await db.StringGetAsync(key))!;

        Assert.True(Secrets(runtimeA).EncryptsValues);
        Assert.False(Contains(raw, "secret-1"), "the plaintext is readable in Redis");
        Assert.False(Contains(raw, "DisplayName"), "member names are readable in Redis");
        Assert.Equal(0x02, raw[1] & 0x02);
        Assert.Equal("secret-1", (await b.GetSecretAsync(1))!.DisplayName);
        Assert.Equal(1, source.SourceCalls); // B decrypted A's entry
    }

    [Fact]
    public async Task A_modified_or_moved_encrypted_payload_is_a_miss()
    {
        var source = new WidgetSource();
        var (a, runtimeA, db) = await NodeAsync(source);
        await a.GetSecretAsync(1);
        await a.GetSecretAsync(2);
        await runtimeA.PendingFills.WhenIdleAsync(); // both misses were answered before their fills landed
        var key1 = Secrets(runtimeA).RenderKey(new ValueTuple<int>(1));
        var key2 = Secrets(runtimeA).RenderKey(new ValueTuple<int>(2));

        // One flipped bit in the ciphertext of entry 1; entry 1's intact bytes copied over entry 2.
        var raw1 = (byte[])(await db.StringGetAsync(key1))!;
        var tampered = (byte[])raw1.Clone();
        tampered[^1] ^= 0x01;
        await redis.Server.SetRawAsync(key1, tampered);
        await redis.Server.SetRawAsync(key2, raw1);

        var (fresh, _, _) = await NodeAsync(source);
        Assert.Equal("secret-1", (await fresh.GetSecretAsync(1))!.DisplayName);
        Assert.Equal("secret-2", (await fresh.GetSecretAsync(2))!.DisplayName); // not secret-1: bound to its key
        Assert.Equal(4, source.SourceCalls);
    }

    [Fact]
    public async Task After_an_encryption_key_rotation_old_entries_still_decrypt_and_new_ones_use_the_new_key()
    {
        var source = new WidgetSource();
        var (before, runtimeBefore, db) = await NodeAsync(source);
        await before.GetSecretAsync(1);

        var (after, runtimeAfter, _) = await NodeAsync(source, o =>
        {
            o.ValueEncryptionKey = KeyTwo;
            o.ValueEncryptionKeyId = "2";
            o.PreviousValueEncryptionKeys["1"] = KeyOne;
        });
        Assert.Equal("secret-1", (await after.GetSecretAsync(1))!.DisplayName); // written with key 1, read after rotation
        Assert.Equal(1, source.SourceCalls);

        await after.GetSecretAsync(2);
        await runtimeAfter.PendingFills.WhenIdleAsync(); // the miss was answered before its fill landed
        var raw = (byte[])(await db.StringGetAsync(Secrets(runtimeAfter).RenderKey(new ValueTuple<int>(2))))!;
        Assert.Equal((byte)'2', raw[23]); // key id length at 22, then the id

        // A node that has only key 1 cannot read key 2's entries: a miss, never an error.
        var (stale, _, _) = await NodeAsync(source);
        Assert.Equal("secret-2", (await stale.GetSecretAsync(2))!.DisplayName);
        Assert.Equal(3, source.SourceCalls);
    }

    [Fact]
    public async Task A_sensitive_method_with_Redis_and_no_encryption_key_refuses_to_start()
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        _disposables.Add(mux);
        var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = _prefix, KeyHashSecret = HashSecretOne }, mux);

        var error = Assert.Throws<InvalidOperationException>(() => new CachedWidgetRepository(new WidgetSource(), runtime));
        Assert.Contains("ValueEncryptionKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("GetSecretAsync", error.Message, StringComparison.Ordinal);

        // Without Redis nothing leaves the process: no key needed.
        IWidgetRepository local = new CachedWidgetRepository(new WidgetSource(), new CacheRuntime(new CachedGenOptions()));
        Assert.Equal("secret-3", (await local.GetSecretAsync(3))!.DisplayName);
    }

    [Fact]
    public async Task During_a_hashing_secret_rotation_entries_under_the_previous_secret_are_still_read()
    {
        var source = new WidgetSource();
        var (before, runtimeBefore, _) = await NodeAsync(source);
        await before.GetAccountAsync("ada@example.com");

        var (during, runtimeDuring, _) = await NodeAsync(source, o =>
        {
            o.KeyHashSecret = HashSecretTwo;
            o.KeyHashSecretId = "2";
            o.PreviousKeyHashSecret = HashSecretOne;
            o.PreviousKeyHashSecretId = "1";
            o.KeyHashRotationEndsAt = DateTimeOffset.UtcNow.AddHours(1);
        });
        Assert.Equal("Account of ada@example.com", (await during.GetAccountAsync("ada@example.com"))!.DisplayName);
        Assert.Equal(1, source.SourceCalls);

        var (afterWindow, runtimeAfterWindow, _) = await NodeAsync(source, o =>
        {
            o.KeyHashSecret = HashSecretTwo;
            o.KeyHashSecretId = "2";
            o.PreviousKeyHashSecret = HashSecretOne;
            o.PreviousKeyHashSecretId = "1";
            o.KeyHashRotationEndsAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        });
        await afterWindow.GetAccountAsync("grace@example.com");
        Assert.Equal(2, source.SourceCalls);
        await BackgroundFills.LandedAsync(runtimeBefore, runtimeDuring, runtimeAfterWindow); // misses are answered before their fills land
        var keys = await redis.Server.ExecuteAsync("KEYS", _prefix + "{account:*");
        Assert.Contains("h1.", keys, StringComparison.Ordinal);
        Assert.Contains("h2.", keys, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_sink_gets_one_event_per_access_with_the_principal()
    {
        var source = new WidgetSource();
        var sink = new ListSink();
        var (a, runtimeA, _) = await NodeAsync(source, o => o.AuditSink = sink);
        var (b, runtimeB, _) = await NodeAsync(source, o => o.AuditSink = sink);
        var (quiet, runtimeQuiet, _) = await NodeAsync(source);

        using (CacheAudit.BeginScope("alice"))
        {
            await a.GetAsync(1);                  // miss
            await a.GetAsync(1);                  // L1 hit
            await b.GetAsync(1);                  // Redis hit
            await a.RenameAsync(1, "renamed");    // invalidation (of GetAsync and GetSlowWidgetAsync)
        }

        await b.GetAccountAsync("ada@example.com"); // no principal; hashed key
        await quiet.GetAsync(2);                    // no sink on this node

        var events = sink.Events.ToArray();
        Assert.Equal(
            [CacheAuditKind.Miss, CacheAuditKind.LocalHit, CacheAuditKind.RedisHit, CacheAuditKind.Invalidation, CacheAuditKind.Invalidation, CacheAuditKind.Miss],
            events.Select(e => e.Kind));
        Assert.All(events.Take(5), e => Assert.Equal("alice", e.Principal));
        Assert.Null(events[5].Principal);
        Assert.Equal(_prefix + "{widget:1}" + CachedWidgetRepository.GetAsyncDescriptor.KeySuffix, events[0].Key);
        Assert.StartsWith(_prefix + "{account:h1.", events[5].Key, StringComparison.Ordinal);
        Assert.DoesNotContain("ada", events[5].Key[_prefix.Length..], StringComparison.Ordinal); // the prefix is random hex
        Assert.Equal("CachedGen.IntegrationTests.IWidgetRepository.GetAsync", events[0].Method);
        Assert.True(runtimeA.Metrics.Observed && runtimeB.Metrics.Observed);
        Assert.False(runtimeQuiet.Metrics.Observed); // off: the hit path does not even look

        // A sensitive method's key is reported as a keyed HMAC of itself: the same entry, the same string, no values.
        await a.GetSecretAsync(4);
        await b.GetSecretAsync(4);
        var secretEvents = sink.Events.Skip(events.Length).ToArray();
        Assert.Equal([CacheAuditKind.Miss, CacheAuditKind.RedisHit], secretEvents.Select(e => e.Kind));
        Assert.StartsWith("sensitive:h1.", secretEvents[0].Key, StringComparison.Ordinal);
        Assert.Equal(secretEvents[0].Key, secretEvents[1].Key);
        Assert.DoesNotContain("secret", secretEvents[0].Key[10..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_values_are_not_written_counted_each_time_and_logged_once()
    {
        var source = new WidgetSource();
        var logs = new ListLoggerFactory();
        var (a, runtime, db) = await NodeAsync(source, o => (o.DefaultMaxValueBytes, o.CompressionThresholdBytes) = (1_000, int.MaxValue), logs); // uncompressed: 50 kB
        using var recorder = new Recorder(runtime.Metrics.Meter);

        await a.GetBigAsync(1, 50_000);
        await a.GetBigAsync(2, 50_000);
        await a.GetBigAsync(3, 10);
        await runtime.PendingFills.WhenIdleAsync(); // the misses were answered before their fills landed

        var method = runtime.GetMethod(CachedWidgetRepository.GetBigAsyncDescriptor);
        Assert.False(await db.KeyExistsAsync(method.RenderKey((1, 50_000))));
        Assert.True(await db.KeyExistsAsync(method.RenderKey((3, 10))));
        Assert.Equal(2, recorder.Sum("cachedgen.oversize"));
        Assert.Single(logs.Messages, m => m.Contains("over its limit", StringComparison.Ordinal));
        Assert.Equal(50_000, (await a.GetBigAsync(1, 50_000)).Length); // still served, and kept in L1
        Assert.Equal(3, source.SourceCalls);
    }

    [Fact]
    public async Task L1_stays_within_its_capacity_under_a_scan_of_a_million_keys()
    {
        var source = new WidgetSource();
        var runtime = new CacheRuntime(new CachedGenOptions { DefaultMaxLocalEntries = 1_000 });
        IWidgetRepository repository = new CachedWidgetRepository(source, runtime);
        var method = runtime.GetMethod(CachedWidgetRepository.GetValueAsyncDescriptor);

        for (var id = 0; id < 1_000_000; id++)
        {
            var widget = await repository.GetValueAsync(id);
            if (widget!.Id != id)
            {
                Assert.Fail($"GetValueAsync({id}) returned widget {widget.Id}");
            }
        }

        Assert.InRange(method.LocalCount, 1, 1_000);
        Assert.Equal(1_000_000, source.SourceCalls);
        await Task.CompletedTask;
    }

    private sealed class ListSink : ICacheAuditSink
    {
        public ConcurrentQueue<CacheAuditEvent> Events { get; } = new();

        public void Record(in CacheAuditEvent auditEvent) => Events.Enqueue(auditEvent);
    }

    private sealed class ListLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Messages.Enqueue(formatter(state, exception));
    }
}
