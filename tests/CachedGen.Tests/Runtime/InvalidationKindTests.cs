using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>The kinds <c>cachedgen.invalidations</c> is recorded with are the kinds its description and
/// docs/operations.md name.</summary>
[Collection(ActivitySourceCollection.Name)]
public class InvalidationKindTests
{
    private static readonly ValueTuple<int> One = new(1);

    /// <summary>Every kind the runtime records with: the <c>Kind…</c> constants of <see cref="CacheMetrics"/>.</summary>
    private static string[] Kinds()
        => typeof(CacheMetrics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.StartsWith("Kind", StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToArray();

    [Fact]
    public async Task The_description_names_every_kind_recorded()
    {
        using var h = new CachedMethodHarness(TimeSpan.FromMinutes(10));
        var recorded = new List<string>();
        string? description = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, h.Runtime.Metrics.Meter) && instrument.Name == "cachedgen.invalidations")
            {
                description = instrument.Description;
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "kind")
                {
                    lock (recorded)
                    {
                        recorded.Add((string)tag.Value!);
                    }
                }
            }
        });
        listener.Start();

        await h.GetValueAsync(1);
        await h.Method.InvalidateAsync(One);
        await h.Method.PutAsync(One, "put");
        await h.Runtime.InvalidateTagAsync("items");

        Assert.Equal(["local", "put", "tag"], recorded.Distinct().Order(StringComparer.Ordinal));
        Assert.NotNull(description);
        Assert.Equal(["local", "put", "remote", "resync", "tag"], Kinds().Order(StringComparer.Ordinal));
        foreach (var kind in Kinds())
        {
            Assert.Contains(kind + " (", description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Operations_md_lists_every_kind()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "CachedGen.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        var row = Assert.Single(File.ReadAllLines(Path.Combine(root.FullName, "docs", "operations.md")), l => l.StartsWith("| `cachedgen.invalidations` |", StringComparison.Ordinal));
        var kinds = row.Split('|')[3];
        Assert.Equal(Kinds().Order(StringComparer.Ordinal), System.Text.RegularExpressions.Regex.Matches(kinds, "`([a-z]+)`").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal));
    }
}
