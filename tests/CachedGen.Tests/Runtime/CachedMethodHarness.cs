using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace CachedGen.Tests.Runtime;

/// <summary>
/// An L1-only runtime on a <see cref="FakeTimeProvider"/> and one cached method keyed by an int, whose source the test
/// scripts: each call takes the next answer the test queued (or a value counted from the call number when none is).
/// </summary>
internal sealed class CachedMethodHarness : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10); // generous: a signal, never a timing assertion

    private readonly ConcurrentQueue<Func<int, Task<string>>> _answers = new();
    private readonly System.Collections.Generic.List<TaskCompletionSource<int>> _callWaiters = new();
    private int _calls;

    /// <param name="ttl">The method's TTL.</param>
    /// <param name="localTtl">Its LocalTtl.</param>
    /// <param name="configure">Options besides the clock (early refresh and jitter are off unless set here).</param>
    /// <param name="tags">Its tags.</param>
    /// <param name="l2">An in-process L2 shared with other harnesses (other nodes), whose clock must be <paramref name="time"/>.</param>
    /// <param name="time">The clock, shared with other harnesses; a new one by default.</param>
    /// <param name="log">Where the runtime logs.</param>
    public CachedMethodHarness(TimeSpan ttl, TimeSpan? localTtl = null, Action<CachedGenOptions>? configure = null, string[]? tags = null, InProcessEntries? l2 = null, FakeTimeProvider? time = null, Microsoft.Extensions.Logging.ILoggerFactory? log = null)
    {
        Time = time ?? new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new CachedGenOptions { TimeProvider = Time, EarlyRefresh = 0, TtlJitter = 0 };
        configure?.Invoke(options);
        Runtime = l2 is null ? new CacheRuntime(options, (StackExchange.Redis.IConnectionMultiplexer?)null, log) : new CacheRuntime(options, l2, log);
        Descriptor = new CacheMethodDescriptor<ValueTuple<int>, string>("Tests.IRepo.Get", static (in ValueTuple<int> k, ref CacheKeyBuilder b) => b.AppendValue(k.Item1))
        {
            Ttl = ttl,
            LocalTtl = localTtl,
            KeySuffix = "#v1",
            ShapeFingerprint = 1,
            TagTemplates = tags ?? [],
            RenderTags = tags is null ? null : (in ValueTuple<int> _, CacheTagRenderer _) => tags,
        };
        Method = Runtime.GetMethod(Descriptor);
    }

    public FakeTimeProvider Time { get; }

    public CacheRuntime Runtime { get; }

    public CacheMethodDescriptor<ValueTuple<int>, string> Descriptor { get; }

    public CachedMethod<ValueTuple<int>, string> Method { get; }

    /// <summary>Source calls so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>The next source call answers with what <paramref name="answer"/> returns (given the call number).</summary>
    public void Then(Func<int, Task<string>> answer) => _answers.Enqueue(answer);

    /// <summary>The next source call waits for the returned completion.</summary>
    public TaskCompletionSource<string> ThenBlock()
    {
        var completion = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Then(_ => completion.Task);
        return completion;
    }

    /// <summary>Completes when the source has been called <paramref name="count"/> times in all.</summary>
    public Task CalledAsync(int count)
    {
        var waiter = new TaskCompletionSource<int>(count, TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_callWaiters)
        {
            _callWaiters.Add(waiter);
        }

        Release();
        return waiter.Task.WaitAsync(Wait);
    }

    public ValueTask<string> GetAsync(int id, CancellationToken cancellationToken = default)
        => Method.GetAsync(new ValueTuple<int>(id), this, static (h, k, _) => new ValueTask<string>(h.Load(k.Item1)), cancellationToken);

    /// <summary>A call's value, awaited with a generous bound.</summary>
    public async Task<string> GetValueAsync(int id, CancellationToken cancellationToken = default)
        => await GetAsync(id, cancellationToken).AsTask().WaitAsync(Wait);

    /// <summary>Whether L1 answers for <paramref name="id"/> right now, and with what.</summary>
    public string? Local(int id) => Method.TryGetLocal(new ValueTuple<int>(id), out var value) ? value : null;

    private Task<string> Load(int id)
    {
        var call = Interlocked.Increment(ref _calls);
        Release();
        return _answers.TryDequeue(out var answer) ? answer(call) : Task.FromResult($"{id}:v{call}");
    }

    private void Release()
    {
        lock (_callWaiters)
        {
            var count = Calls;
            _callWaiters.RemoveAll(waiter => count >= (int)waiter.Task.AsyncState! && waiter.TrySetResult(count));
        }
    }

    public void Dispose() => Runtime.Dispose();
}
