using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CachedGen;
using Xunit;
using Xunit.Abstractions;

namespace PackageConsumer;

/// <summary>Every rule fires in a real <c>dotnet build</c> of a project that references the packed nupkg.</summary>
public sealed partial class AnalyzerBuildTests(ITestOutputHelper output)
{
    private const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Consumer;

        public sealed record Contact(string Email);
        public sealed class Settings { public string Theme { get; set; } = ""; }
        public interface IShape { }
        public sealed class Customer { public int Id { get; set; } public List<Order> Orders { get; set; } = []; }
        public sealed class Order { public int Id { get; set; } public Customer? Customer { get; set; } }

        public interface IRepo
        {
            [Cached("5m", "user:{email}")] Task<int> ByEmailAsync(string email);                     // CG0001
            [Cached] Task<int> NoTtlAsync(int id);                                                   // CG0002
            [Cached("soon")] Task<int> BadTtlAsync(int id);                                          // CG0003
            [Cached("5m", "x:{missing}")] Task<int> BadTemplateAsync(int id);                        // CG0004
            [Cached("5m", "page:{page}")] Task<int> LeakAsync(Guid tenantId, int page);              // CG0005
            [Cached("5m", "f:{id}", "NoSuchMethod")] Task<int> BadInvalidationAsync(int id);         // CG0006
            [Cached("5m")] Task SaveAsync(int id);                                                   // CG0007
            [Cached("5m")] Task<IShape> ShapeAsync(int id);                                          // CG0008
            [Cached("5m", Sensitive = false)] Task<Contact?> ContactAsync(int id);                   // CG0009
            [Cached("5m", "k:{id}")] Task<string> NameAsync(int id);
            [Cached("5m", "k:{key}")] Task<long> SizeAsync(int key);                                 // CG0010
            [Cached("5m")] Settings GetSettings(int id);                                             // CG0011
            [CachePut(nameof(NameAsync))] Task TouchAsync(int id);                                   // CG0012
            [InvalidatesTags("nowhere:{id}")] Task ForgetAsync(int id);                              // CG0013
            [Cached("5m")] Task<Customer?> CustomerAsync(int id);                                    // CG0014
        }
        """;

    [Fact]
    public void Every_rule_fires_in_dotnet_build()
    {
        var root = FindRoot();
        var version = typeof(CacheRuntime).Assembly.GetName().Version!.ToString(3);
        var directory = Directory.CreateTempSubdirectory("cachedgen-consumer-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <RestoreAdditionalProjectSources>{Path.Combine(root, "artifacts", "packages")}</RestoreAdditionalProjectSources>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="CachedGen" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(directory, ".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.CG0011.severity = warning\n");
            File.WriteAllText(Path.Combine(directory, "Repo.cs"), Source);

            var info = new ProcessStartInfo("dotnet", "build --nologo -clp:NoSummary") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
            using var build = Process.Start(info)!;
            var text = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
            build.WaitForExit();
            output.WriteLine(text);

            var reported = DiagnosticId().Matches(text).Select(m => m.Value).ToHashSet();
            var expected = Enumerable.Range(1, 14).Select(i => $"CG{i:D4}").ToArray();
            Assert.All(expected, id => Assert.Contains(id, reported));
            Assert.NotEqual(0, build.ExitCode); // CG0002, CG0003, CG0004, CG0006, CG0007 and CG0012 are errors
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

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

    [GeneratedRegex(@"CG\d{4}")]
    private static partial Regex DiagnosticId();
}
