using System;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Runtime;
using CachedGen.TestKit;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary><see cref="CachedGenOptions.RedisOperationTimeout"/> does not count time the process spent paused for garbage
/// collection: Redis is made to hold back writes (<c>CLIENT PAUSE … WRITE</c>) for longer than the budget, and the
/// clock's pause counter is the test's own. The server is this class's own: the pause reaches no other test.</summary>
public sealed class GcPauseBudgetTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private async Task<bool> InvalidateWhileRedisHoldsWritesAsync(Action afterStart, Func<long> paused)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(redis.Server.Endpoint + ",abortConnect=false,asyncTimeout=10000");
        var options = new CachedGenOptions { RedisOperationTimeout = TimeSpan.FromMilliseconds(100) };
        using var clock = new RuntimeClock(TimeProvider.System, pausedMs: paused);
        using var metrics = new CacheMetrics(clock, () => 0, () => [], () => [], () => []);
        await using var level = new RedisLevel(Task.FromResult<IConnectionMultiplexer>(mux), false, options, NullLogger.Instance, metrics, clock);
        // Connected, script loaded and code compiled (a first call can take longer than the budget on a cold process).
        await Eventually.HoldsAsync(
            async () => await level.InvalidateAsync("gc-pause:warm", "gc-pause:warm:lease", null, "test"),
            "the first invalidation did not go through");

        // Held back for 2 s, 20 times the budget: a test process starved for a while (its timers late) still sees the
        // budget run out long before Redis answers. A pause counted past the 2 s lets the operation see the answer.
        Assert.Equal("OK", await redis.Server.ExecuteAsync("CLIENT", "PAUSE", "2000", "WRITE"));
        try
        {
            var invalidation = level.InvalidateAsync("gc-pause:key", "gc-pause:key:lease", null, "test").AsTask();
            afterStart();
            return await invalidation.WaitAsync(Eventually.Generous);
        }
        finally
        {
            await redis.Server.ExecuteAsync("CLIENT", "UNPAUSE");
        }
    }

    [Fact]
    public async Task An_operation_during_which_the_process_was_paused_waits_that_long_again()
    {
        long paused = 0;
        Assert.True(await InvalidateWhileRedisHoldsWritesAsync(() => Interlocked.Exchange(ref paused, 5_000), () => Interlocked.Read(ref paused)));
    }

    [Fact]
    public async Task Without_a_pause_the_operation_gives_up_after_its_budget()
    {
        Assert.False(await InvalidateWhileRedisHoldsWritesAsync(() => { }, () => 0));
    }
}
