using System;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The runtime refuses default sizes that cannot mean what they say, as CG0022 does for <c>[Cached]</c>'s own.</summary>
public class OptionsValidationTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(2)]
    public void A_default_L1_below_the_smallest_is_refused(int capacity)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(new CachedGenOptions { DefaultMaxLocalEntries = capacity }));
        Assert.Contains("DefaultMaxLocalEntries must be at least 3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void A_default_payload_limit_below_one_byte_is_refused(int bytes)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CacheRuntime(new CachedGenOptions { DefaultMaxValueBytes = bytes }));
        Assert.Contains("DefaultMaxValueBytes must be positive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_smallest_accepted_defaults_build_a_runtime()
    {
        using var runtime = new CacheRuntime(new CachedGenOptions { DefaultMaxLocalEntries = 3, DefaultMaxValueBytes = 1 });
        Assert.Equal(3, runtime.Options.DefaultMaxLocalEntries);
        Assert.Equal(1, runtime.Options.DefaultMaxValueBytes);
    }
}
