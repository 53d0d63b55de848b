using System;
using System.Linq;
using CachedGen.LoadTest;
using Xunit;

namespace CachedGen.LoadTest.Tests;

public sealed class ZipfSamplerTests
{
    [Fact]
    public void Normalizer_is_the_harmonic_number()
    {
        var zipf = new ZipfSampler(100_000, 1.0);
        // H(n) = ln n + γ + 1/(2n) − 1/(12n²) + …
        var expected = Math.Log(100_000) + 0.5772156649015329 + (1.0 / 200_000);
        Assert.Equal(expected, zipf.Normalizer, 6);
        Assert.Equal(1 / expected, zipf.Probability(1), 9);
    }

    [Fact]
    public void Rank_frequencies_match_zipf_over_100k_keys()
    {
        const int Draws = 400_000;
        var zipf = new ZipfSampler(100_000, 1.0);
        var random = new Random(7);
        int rank1 = 0, rank2 = 0, rank10 = 0, top1000 = 0;
        for (var i = 0; i < Draws; i++)
        {
            var rank = zipf.Next(random);
            Assert.InRange(rank, 1, 100_000);
            rank1 += rank == 1 ? 1 : 0;
            rank2 += rank == 2 ? 1 : 0;
            rank10 += rank == 10 ? 1 : 0;
            top1000 += rank <= 1000 ? 1 : 0;
        }

        // 1/H(100000) ≈ 0.0827; the standard error at 400k draws is ≈ 0.00044, the tolerances are 5 to 7 of them.
        Assert.InRange(rank1 / (double)Draws, zipf.Probability(1) - 0.003, zipf.Probability(1) + 0.003);
        Assert.InRange(rank2 / (double)Draws, zipf.Probability(2) - 0.002, zipf.Probability(2) + 0.002);
        Assert.InRange(rank10 / (double)Draws, zipf.Probability(10) - 0.001, zipf.Probability(10) + 0.001);
        Assert.InRange(top1000 / (double)Draws, zipf.MassOfTop(1000) - 0.004, zipf.MassOfTop(1000) + 0.004);
        // Rank 1 is about twice as frequent as rank 2 (s = 1).
        Assert.InRange(rank1 / (double)rank2, 1.85, 2.15);
    }

    [Fact]
    public void Mass_of_the_top_ranks_is_the_ratio_of_harmonic_numbers()
    {
        var zipf = new ZipfSampler(100_000, 1.0);
        var h10k = Enumerable.Range(1, 10_000).Sum(k => 1.0 / k);
        Assert.Equal(h10k / zipf.Normalizer, zipf.MassOfTop(10_000), 9);
        Assert.Equal(1.0, zipf.MassOfTop(100_000));
        Assert.Equal(1.0, zipf.MassOfTop(1_000_000));
        Assert.Equal(0.0, zipf.MassOfTop(0));
    }

    [Fact]
    public void The_same_seed_gives_the_same_sequence()
    {
        var zipf = new ZipfSampler(100_000, 1.0);
        var a = Draw(zipf, 42);
        var b = Draw(zipf, 42);
        var c = Draw(zipf, 43);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Exponent_zero_is_uniform()
    {
        var zipf = new ZipfSampler(1_000, 0.0);
        var random = new Random(3);
        var mean = Enumerable.Range(0, 100_000).Average(_ => zipf.Next(random));
        Assert.InRange(mean, 495, 506); // (n + 1) / 2 = 500.5; standard error ≈ 0.9
    }

    [Fact]
    public void One_key_is_always_rank_one()
    {
        var zipf = new ZipfSampler(1, 1.0);
        var random = new Random(1);
        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(1, zipf.Next(random)));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZipfSampler(0, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZipfSampler(10, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ZipfSampler(10, double.NaN));
    }

    private static int[] Draw(ZipfSampler zipf, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, 1_000).Select(_ => zipf.Next(random)).ToArray();
    }
}
