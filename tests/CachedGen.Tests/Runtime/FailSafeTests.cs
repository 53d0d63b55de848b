using System;
using System.Threading.Tasks;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The fail-safe: an expired value answers for a failing or slow source within <c>FailSafeMaxAge</c>, and
/// is kept for <c>FailSafeThrottle</c> so that the next callers do not all try the source.</summary>
public class FailSafeTests
{
    private static CachedMethodHarness Create(Action<CachedGenOptions>? configure = null, EventLog? log = null)
        => new(ttl: TimeSpan.FromSeconds(10), configure: o =>
        {
            o.FailSafeMaxAge = TimeSpan.FromSeconds(60);
            o.FailSafeThrottle = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        }, log: log);

    private static Task<string> Fail(int _) => Task.FromException<string>(new InvalidOperationException("source down"));

    [Fact]
    public async Task A_failing_source_is_answered_with_the_expired_value_within_the_max_age()
    {
        using var h = Create();
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        h.Then(Fail);
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal(2, h.Calls);
    }

    /// <summary>One serve, one event: 1013 carries the value's age, the reason and the source's exception (a second
    /// warning, 1012, said the same again for each serve).</summary>
    [Fact]
    public async Task A_serve_for_a_failing_source_logs_one_event_with_the_age_the_reason_and_the_exception()
    {
        var log = new EventLog();
        using var h = Create(log: log);
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(12));

        h.Then(Fail);
        Assert.Equal("1:v1", await h.GetValueAsync(1));

        var served = Assert.Single(log.Events, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(1013, served.Id);
        Assert.Matches(@"expired [1-9][0-9]* ms ago \(error\)", served.Message);
        Assert.Equal("source down", Assert.IsType<InvalidOperationException>(served.Exception).Message);
    }

    [Fact]
    public async Task A_serve_for_a_slow_source_logs_one_event_with_its_reason_and_no_exception()
    {
        var log = new EventLog();
        using var h = Create(o => o.SourceSoftTimeout = TimeSpan.FromSeconds(1), log);
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        var slow = h.ThenBlock();
        var call = h.GetAsync(1).AsTask();
        await h.CalledAsync(2);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("1:v1", await call.WaitAsync(CachedMethodHarness.Wait));

        var served = Assert.Single(log.Events, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(1013, served.Id);
        Assert.Matches(@"expired [1-9][0-9]* ms ago \(timeout\)", served.Message);
        Assert.Null(served.Exception);
        slow.SetResult("late");
    }

    [Fact]
    public async Task The_stale_value_is_served_for_the_throttle_without_calling_the_source()
    {
        using var h = Create();
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        h.Then(Fail);
        await h.GetValueAsync(1);

        h.Time.Advance(TimeSpan.FromMilliseconds(4_999));
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal(2, h.Calls);

        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        h.Then(Fail);
        Assert.Equal("1:v1", await h.GetValueAsync(1));
        Assert.Equal(3, h.Calls);
    }

    [Fact]
    public async Task Past_the_max_age_the_source_error_reaches_the_caller()
    {
        using var h = Create();
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10) + TimeSpan.FromSeconds(60) + TimeSpan.FromMilliseconds(1));

        h.Then(Fail);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.GetValueAsync(1));
    }

    [Fact]
    public async Task An_invalidated_value_is_never_served_by_the_fail_safe()
    {
        using var h = Create();
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.Method.InvalidateAsync(new ValueTuple<int>(1));

        h.Then(Fail);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.GetValueAsync(1));
    }

    [Fact]
    public async Task Without_a_max_age_the_error_reaches_the_caller()
    {
        using var h = Create(o => o.FailSafeMaxAge = TimeSpan.Zero);
        await h.GetValueAsync(1);
        h.Time.Advance(TimeSpan.FromSeconds(10));

        h.Then(Fail);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.GetValueAsync(1));
    }
}
