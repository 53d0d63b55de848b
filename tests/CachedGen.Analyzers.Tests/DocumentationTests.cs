using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>Every rule has its page, its help link, an index row and a release-tracking line.</summary>
public class DocumentationTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (var id in Descriptors().Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal))
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void Every_id_constant_is_reported_by_an_analyzer()
    {
        var constants = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!).ToHashSet();
        var reported = Descriptors().Select(d => d.Id).ToHashSet();
        Assert.Equal(constants.OrderBy(x => x), reported.OrderBy(x => x));
        Assert.Equal(25, reported.Count);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Rule_has_page_help_link_index_row_and_release_entry(string id)
    {
        var descriptor = Descriptors().First(d => d.Id == id);
        var page = Path.Combine(Root, "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"missing {page}");
        var text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: {descriptor.Title}", text, StringComparison.Ordinal);
        Assert.Contains($"Default severity | {Severity(descriptor.DefaultSeverity)}", text, StringComparison.Ordinal);
        Assert.Contains("## Non-compliant", text, StringComparison.Ordinal);
        Assert.Contains("## Compliant", text, StringComparison.Ordinal);
        Assert.Contains($"dotnet_diagnostic.{id}.severity", text, StringComparison.Ordinal);
        Assert.EndsWith($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
        Assert.Contains($"[{id}]({id}.md)", File.ReadAllText(Path.Combine(Root, "docs", "diagnostics", "index.md")), StringComparison.Ordinal);
        Assert.Contains($"{id} | {descriptor.Category} | {Severity(descriptor.DefaultSeverity)}", File.ReadAllText(Path.Combine(Root, "src", "CachedGen.Analyzers", "AnalyzerReleases.Unshipped.md")), StringComparison.Ordinal);
    }

    /// <summary>The names CG0001's page lists are the names the analyzer reads, no more and no fewer.</summary>
    [Fact]
    public void The_documented_personal_data_names_are_the_default_names()
    {
        var page = File.ReadAllText(Path.Combine(Root, "docs", "diagnostics", "CG0001.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = page.IndexOf("\nDefault names:", StringComparison.Ordinal);
        Assert.True(start >= 0, "CG0001.md has no paragraph starting 'Default names:'");
        var end = page.IndexOf("\n\n", start + 1, StringComparison.Ordinal);
        var paragraph = page[start..(end < 0 ? page.Length : end)];
        var documented = System.Text.RegularExpressions.Regex.Matches(paragraph, "`([^`]+)`").Select(m => m.Groups[1].Value.Replace("_", "").ToLowerInvariant());
        Assert.Equal(PersonalData.DefaultNames.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    private static string Severity(DiagnosticSeverity severity) => severity == DiagnosticSeverity.Info ? "Info" : severity.ToString();

    private static DiagnosticDescriptor[] Descriptors()
        => typeof(DiagnosticIds).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.IsDefined(typeof(DiagnosticAnalyzerAttribute), inherit: false))
            .SelectMany(t => ((DiagnosticAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
            .ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CachedGen.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found");
    }
}
