using System;
using System.Threading.Tasks;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Defaults_are_the_issue_s_workload()
    {
        var options = LoadTestOptions.Parse([])!;
        Assert.Equal(EngineChoice.Both, options.Engine);
        Assert.Equal(LoadTestMode.Cold, options.Mode);
        Assert.Equal(3, options.Nodes);
        Assert.Equal(6, options.EffectiveConcurrency);
        Assert.Equal(100_000, options.Keys);
        Assert.Equal(1.0, options.ZipfExponent);
        Assert.Equal(0.95, options.ReadRatio);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Warmup);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.CrossNodeWindow);
        Assert.Equal(TimeSpan.Zero, options.SameNodeWindow);
        Assert.Null(options.Redis);
        Assert.True(options.CachedGenFollow);
        Assert.False(LoadTestOptions.Parse(["--no-follow"])!.CachedGenFollow);
        Assert.True(options.CachedGenBackgroundFill);
        Assert.False(LoadTestOptions.Parse(["--no-background-fill"])!.CachedGenBackgroundFill);
        // Both engines take turns in 2 s slices unless told otherwise.
        Assert.Equal(TimeSpan.FromSeconds(2), options.Slice);
        Assert.Equal(TimeSpan.FromMilliseconds(500), LoadTestOptions.Parse(["--slice", "500ms"])!.Slice);
        Assert.Null(LoadTestOptions.Parse(["--sequential"])!.Slice);
    }

    [Fact]
    public void Short_mode_and_overrides_in_any_order()
    {
        var options = LoadTestOptions.Parse(["--nodes", "4", "--short", "--engine", "fusioncache", "--redis", "127.0.0.1:7000", "--duration", "500ms", "--json", "out.json"])!;
        Assert.True(options.Short);
        Assert.Equal(4, options.Nodes);
        Assert.Equal(10_000, options.Keys);
        Assert.Equal(EngineChoice.FusionCache, options.Engine);
        Assert.Equal("127.0.0.1:7000", options.Redis);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(1), options.Warmup);
        Assert.Equal("out.json", options.JsonPath);
        Assert.Equal(EngineChoice.CachedGen, LoadTestOptions.Parse(["--short"])!.Engine);
        Assert.Equal(TimeSpan.FromSeconds(1), LoadTestOptions.Parse(["--short"])!.CrossNodeWindow);
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("250us", 0.25)]
    [InlineData("0", 0)]
    public void Durations(string text, double milliseconds)
        => Assert.Equal(milliseconds, LoadTestOptions.ParseDuration("--x", text, allowZero: true).TotalMilliseconds, 6);

    [Fact]
    public void Mode_warm_is_parsed()
        => Assert.Equal(LoadTestMode.Warm, LoadTestOptions.Parse(["--mode", "warm"])!.Mode);

    [Theory]
    [InlineData("--mode", "lukewarm")]
    [InlineData("--bogus")]
    [InlineData("--slice", "0")]
    [InlineData("--nodes", "0")]
    [InlineData("--nodes", "three")]
    [InlineData("--nodes")]
    [InlineData("--read-ratio", "1.5")]
    [InlineData("--duration", "0s")]
    [InlineData("--duration", "soon")]
    [InlineData("--engine", "redis")]
    public void Bad_arguments_are_refused_with_a_message(params string[] args)
    {
        var error = Assert.Throws<ArgumentException>(() => LoadTestOptions.Parse(args));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task The_tool_exits_2_for_bad_arguments_and_0_for_help()
    {
        Assert.Equal(2, await Program.Main(["--nodes", "-1"]));
        Assert.Equal(0, await Program.Main(["--help"]));
        Assert.Null(LoadTestOptions.Parse(["-h"]));
    }
}
