using System;
using System.Linq;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests;

public class TtlJitterTests
{
    [Fact]
    public void Jitter_only_shortens_and_spreads_the_ttl()
    {
        var ttl = TimeSpan.FromMinutes(10);
        var samples = Enumerable.Range(0, 10_000).Select(_ => PayloadCodec<int>.Jittered(ttl, 0.1)).ToArray();

        Assert.All(samples, s => Assert.InRange(s, TimeSpan.FromMinutes(9), ttl));
        Assert.True(samples.Distinct().Count() > 1_000, "entries written together should get different lifetimes");
        Assert.True(samples.Min() < TimeSpan.FromMinutes(9.1) && samples.Max() > TimeSpan.FromMinutes(9.9));
    }

    [Fact]
    public void No_jitter_keeps_the_ttl()
        => Assert.Equal(TimeSpan.FromSeconds(30), PayloadCodec<int>.Jittered(TimeSpan.FromSeconds(30), 0));
}
