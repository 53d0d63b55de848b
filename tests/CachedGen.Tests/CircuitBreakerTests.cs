using System;
using CachedGen.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CachedGen.Tests;

public class CircuitBreakerTests
{
    private readonly FakeTimeProvider _time = new();

    private CircuitBreaker Create() => new(threshold: 3, breakDuration: TimeSpan.FromSeconds(5), _time, NullLogger.Instance);

    [Fact]
    public void Opens_after_the_threshold_of_consecutive_failures()
    {
        var breaker = Create();
        breaker.OnFailure();
        breaker.OnFailure();
        Assert.Equal(RedisCircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter());

        breaker.OnFailure();
        Assert.Equal(RedisCircuitState.Open, breaker.State);
        Assert.False(breaker.TryEnter());
    }

    [Fact]
    public void A_success_resets_the_count()
    {
        var breaker = Create();
        breaker.OnFailure();
        breaker.OnFailure();
        breaker.OnSuccess();
        breaker.OnFailure();
        breaker.OnFailure();
        Assert.Equal(RedisCircuitState.Closed, breaker.State);
    }

    [Fact]
    public void After_the_break_one_probe_decides()
    {
        var breaker = Create();
        for (var i = 0; i < 3; i++)
        {
            breaker.OnFailure();
        }

        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(breaker.TryEnter());

        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(RedisCircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryEnter());
        Assert.False(breaker.TryEnter()); // only one probe at a time

        breaker.OnFailure(); // probe failed: open again for a full break
        Assert.Equal(RedisCircuitState.Open, breaker.State);
        _time.Advance(TimeSpan.FromSeconds(5.1));
        Assert.True(breaker.TryEnter());
        breaker.OnSuccess();
        Assert.Equal(RedisCircuitState.Closed, breaker.State);
        Assert.True(breaker.TryEnter());
    }
}
