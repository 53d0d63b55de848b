using System;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests;

/// <summary>The public types of <c>CachedGen.Runtime</c> are there for generated code: hidden from completion lists and
/// documented as such (docs/architecture.md, "The public surface").</summary>
public sealed class PublicSurfaceTests
{
    // Every exported type of CachedGen.Runtime is for generated code; what applications use lives in CachedGen.
    private static Type[] GeneratedCodeTypes() => typeof(CacheRuntime).Assembly.GetExportedTypes()
        .Where(t => t.Namespace == "CachedGen.Runtime" && !t.IsNested)
        .ToArray();

    [Fact]
    public void Types_applications_read_live_in_the_CachedGen_namespace()
    {
        // CacheRuntime.RedisCircuitState is read by applications (health, dashboards): its type is not a runtime detail.
        Assert.Equal("CachedGen", typeof(CacheRuntime).GetProperty(nameof(CacheRuntime.RedisCircuitState))!.PropertyType.Namespace);
        Assert.Equal("CachedGen", typeof(CacheRuntime).Namespace);
    }

    [Fact]
    public void Runtime_types_for_generated_code_are_hidden_from_completion()
    {
        var types = GeneratedCodeTypes();
        Assert.NotEmpty(types);
        var visible = types
            .Where(t => t.GetCustomAttributes(typeof(EditorBrowsableAttribute), false) is not [EditorBrowsableAttribute { State: EditorBrowsableState.Never }])
            .Select(t => t.FullName);
        Assert.Empty(visible);
    }

    [Fact]
    public void Runtime_types_for_generated_code_say_so_in_their_summary()
    {
        var xml = Path.ChangeExtension(typeof(CacheRuntime).Assembly.Location, ".xml");
        var summaries = XDocument.Load(xml).Descendants("member")
            .Where(m => ((string?)m.Attribute("name"))?.StartsWith("T:", StringComparison.Ordinal) == true)
            .ToDictionary(m => ((string)m.Attribute("name")!)[2..], m => m.Element("summary")?.Value.Trim() ?? "");
        var undocumented = GeneratedCodeTypes()
            .Where(t => !summaries.TryGetValue(t.FullName!, out var summary) || !summary.StartsWith("For generated code", StringComparison.Ordinal))
            .Select(t => t.FullName);
        Assert.Empty(undocumented);
    }
}
