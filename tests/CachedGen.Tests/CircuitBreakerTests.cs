using System;
using System.Collections.Generic;
using System.Linq;
using CachedGen.Runtime;
using Microsoft.Extensions.Logging;
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

    /// <summary>An outage logs the opening once, with the failures that opened it; the calls in flight when it opened
    /// and each failed probe do not log it again (a failed probe is an event of its own).</summary>
    [Fact]
    public void Logs_the_opening_once_and_each_failed_probe_as_such()
    {
        var logger = new RecordingLogger();
        var breaker = new CircuitBreaker(threshold: 3, breakDuration: TimeSpan.FromSeconds(5), _time, logger);
        for (var i = 0; i < 3; i++)
        {
            breaker.OnFailure();
        }

        breaker.OnFailure(); // calls in flight when it opened
        breaker.OnFailure();
        _time.Advance(TimeSpan.FromSeconds(5.1));
        Assert.True(breaker.TryEnter());
        breaker.OnFailure(); // the probe
        _time.Advance(TimeSpan.FromSeconds(5.1));
        Assert.True(breaker.TryEnter());
        breaker.OnSuccess();

        Assert.Equal([1007, 1024, 1008], logger.Events.Select(e => e.Id));
        Assert.Contains("after 3 consecutive failures", logger.Events[0].Message, StringComparison.Ordinal);
        Assert.Contains("probe failed", logger.Events[1].Message, StringComparison.Ordinal);
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<(int Id, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
            => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => Events.Add((eventId.Id, formatter(state, exception)));
    }
}
