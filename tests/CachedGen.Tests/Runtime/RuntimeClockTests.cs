using System;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The runtime's one clock and the background workers it owns.</summary>
public class RuntimeClockTests
{
    [Fact]
    public void A_fake_provider_drives_the_clock_and_starts_no_ticker()
    {
        var time = new FakeTimeProvider();
        var ticker = new CoarseTicker();
        using var clock = new RuntimeClock(time, ticker);
        clock.StartTicking();
        Assert.False(clock.IsTicking);
        Assert.Null(ticker.Thread);

        var start = clock.NowMs;
        Assert.True(clock.IsBefore(start + 1));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(start + 1, clock.NowMs);
        Assert.False(clock.IsBefore(start + 1));
    }

    [Fact]
    public void The_ticker_runs_while_a_clock_uses_it_and_its_thread_ends_with_the_last_one()
    {
        var ticker = new CoarseTicker();
        var first = new RuntimeClock(TimeProvider.System, ticker);
        var second = new RuntimeClock(TimeProvider.System, ticker);
        first.StartTicking();
        second.StartTicking();
        first.StartTicking(); // idempotent
        var thread = ticker.Thread;
        Assert.NotNull(thread);
        Assert.Equal(2, ticker.Clocks);

        first.Dispose();
        Assert.False(first.IsTicking);
        Assert.Equal(1, ticker.Clocks);
        Assert.Same(thread, ticker.Thread);
        Assert.True(thread.IsAlive);

        second.Dispose();
        Assert.Equal(0, ticker.Clocks);
        Assert.Null(ticker.Thread);
        Assert.True(thread.Join(CachedMethodHarness.Wait), "the ticker thread did not end");

        // A clock registered after the last one left starts a new thread.
        using var third = new RuntimeClock(TimeProvider.System, ticker);
        third.StartTicking();
        Assert.NotNull(ticker.Thread);
        Assert.NotSame(thread, ticker.Thread);
    }

    [Fact]
    public void A_disposed_clock_answers_from_the_precise_clock()
    {
        var ticker = new CoarseTicker();
        var clock = new RuntimeClock(TimeProvider.System, ticker);
        clock.StartTicking();
        clock.Dispose();

        Assert.Equal(RuntimeClock.NoCoarseReading, clock.CoarseMs);
        Assert.False(clock.IsBefore(clock.NowMs - 1));
        Assert.True(clock.IsBefore(clock.NowMs + 60_000));
    }

    [Fact]
    public void Two_runtimes_each_hold_the_shared_ticker_until_disposed()
    {
        var first = new CacheRuntime(new CachedGenOptions());
        var second = new CacheRuntime(new CachedGenOptions());
        Assert.False(first.Clock.IsTicking); // nothing used yet
        first.GetMethod(Descriptor());
        second.GetMethod(Descriptor());
        Assert.True(first.Clock.IsTicking);
        Assert.True(second.Clock.IsTicking);
        Assert.NotNull(CoarseTicker.Shared.Thread);

        first.Dispose();
        Assert.False(first.Clock.IsTicking);
        Assert.True(second.Clock.IsTicking);
        Assert.NotNull(CoarseTicker.Shared.Thread);
        second.Dispose();
        Assert.False(second.Clock.IsTicking);
    }

    [Fact]
    public void The_options_clock_is_the_runtime_clock()
    {
        var time = new FakeTimeProvider();
        using var runtime = new CacheRuntime(new CachedGenOptions { TimeProvider = time });
        Assert.Same(time, runtime.Time);
        Assert.Same(time, runtime.Clock.Provider);
    }

    [Fact]
    public void Dependency_injection_supplies_the_clock_when_the_options_leave_the_system_one()
    {
        var registered = new FakeTimeProvider();
        using (var provider = new ServiceCollection().AddSingleton<TimeProvider>(registered).AddCachedGen().Services.BuildServiceProvider())
        {
            Assert.Same(registered, provider.GetRequiredService<CacheRuntime>().Time);
        }

        var configured = new FakeTimeProvider();
        using (var provider = new ServiceCollection().AddSingleton<TimeProvider>(registered).AddCachedGen(o => o.TimeProvider = configured).Services.BuildServiceProvider())
        {
            Assert.Same(configured, provider.GetRequiredService<CacheRuntime>().Time);
        }
    }

    [Fact]
    public async Task The_read_sweeper_times_out_on_the_runtime_clock_and_stops_when_disposed()
    {
        var time = new FakeTimeProvider();
        using var clock = new RuntimeClock(time);
        var sweeper = new BoundedReadSweeper(clock);
        Assert.False(sweeper.IsRunning); // no timer before the first wait

        var read = new TaskCompletionSource<Lease<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = sweeper.Start(read.Task, TimeSpan.FromMilliseconds(100)).AsTask();
        Assert.True(sweeper.IsRunning);
        time.Advance(TimeSpan.FromMilliseconds(90));
        Assert.False(wait.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(10));
        await Assert.ThrowsAsync<TimeoutException>(() => wait.WaitAsync(CachedMethodHarness.Wait));
        read.SetResult(null);

        sweeper.Dispose();
        Assert.False(sweeper.IsRunning);
    }

    [Fact]
    public void The_circuit_breaker_opens_and_half_opens_on_the_runtime_clock()
    {
        var time = new FakeTimeProvider();
        var options = new CachedGenOptions { TimeProvider = time, CircuitBreakerThreshold = 2, CircuitBreakerDuration = TimeSpan.FromSeconds(5) };
        var refused = Task.FromException<IConnectionMultiplexer>(new InvalidOperationException("connection refused"));
        using var runtime = new CacheRuntime(options, refused, ownsConnection: false, loggerFactory: null);

        Assert.Equal(RedisCircuitState.Closed, runtime.RedisCircuitState);
        runtime.Redis!.Breaker.OnFailure();
        runtime.Redis.Breaker.OnFailure();
        Assert.Equal(RedisCircuitState.Open, runtime.RedisCircuitState);

        time.Advance(TimeSpan.FromMilliseconds(4_999));
        Assert.Equal(RedisCircuitState.Open, runtime.RedisCircuitState);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(RedisCircuitState.HalfOpen, runtime.RedisCircuitState);
        Assert.True(runtime.Redis.Breaker.TryEnter());
        runtime.Redis.Breaker.OnSuccess();
        Assert.Equal(RedisCircuitState.Closed, runtime.RedisCircuitState);
    }

    private static CacheMethodDescriptor<ValueTuple<int>, string> Descriptor()
        => new("Tests.IRepo.Clock", static (in ValueTuple<int> k, ref CacheKeyBuilder b) => b.AppendValue(k.Item1))
        {
            Ttl = TimeSpan.FromMinutes(1),
            KeySuffix = "#v1",
            ShapeFingerprint = 1,
        };
}
