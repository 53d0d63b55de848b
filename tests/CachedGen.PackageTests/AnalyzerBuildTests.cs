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
        => InConsumer("cachedgen-consumer-", Source, "", directory =>
        {
            File.WriteAllText(Path.Combine(directory, ".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.CG0011.severity = warning\n");

            var (exitCode, text) = Build(directory, "");

            var reported = DiagnosticId().Matches(text).Select(m => m.Value).ToHashSet();
            var expected = Enumerable.Range(1, 14).Select(i => $"CG{i:D4}").ToArray();
            Assert.All(expected, id => Assert.Contains(id, reported));
            Assert.NotEqual(0, exitCode); // CG0002, CG0003, CG0004, CG0006, CG0007 and CG0012 are errors
        });

    private const string GenericSource = """
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Consumer;

        public sealed record Order(int Id, string Customer);
        public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

        public interface IRepository<TEntity> where TEntity : class
        {
            [Cached("5m", "{TEntity}:{id}")] Task<TEntity?> FindAsync(int id);
            [Cached("1m", "{TEntity}:page:{number}")] Task<Page<TEntity>> PageAsync(int number);
        }

        public sealed class MemoryRepository<TEntity> : IRepository<TEntity> where TEntity : class
        {
            public Task<TEntity?> FindAsync(int id) => Task.FromResult<TEntity?>(null);
            public Task<Page<TEntity>> PageAsync(int number) => Task.FromResult(new Page<TEntity>([], 0));
        }
        """;

    /// <summary>The package's build/CachedGen.props makes PublishAot visible to its analyzers and generator: a generic
    /// repository is no warning in an ordinary build (CG0020 is Info) and two CG0020 warnings, nothing else, in a
    /// project that publishes with Native AOT (where the generic decorator is not registered: no IL2026/IL3050).</summary>
    [Fact]
    public void A_generic_repository_is_CG0020_info_in_an_ordinary_build_and_a_warning_under_PublishAot()
        => InConsumer(
            "cachedgen-generic-consumer-",
            GenericSource,
            """
                <InvariantGlobalization>true</InvariantGlobalization>
                <PublishAot Condition="'$(Aot)' == 'true'">true</PublishAot>
            """,
            directory =>
            {
                var (ordinaryCode, ordinary) = Build(directory, "-warnaserror");
                Assert.True(ordinaryCode == 0, ordinary);
                Assert.Empty(Warnings(ordinary));

                var (aotCode, aot) = Build(directory, "-p:Aot=true --no-incremental");
                Assert.True(aotCode == 0, aot);
                var warnings = Warnings(aot);
                Assert.Contains(warnings, w => w.Contains("warning CG0020: CachedGen writes no MessagePack formatter for the value of 'FindAsync': the result is 'TEntity'", StringComparison.Ordinal));
                Assert.Contains(warnings, w => w.Contains("warning CG0020: CachedGen writes no MessagePack formatter for the value of 'PageAsync': the result is 'Page<TEntity>'", StringComparison.Ordinal));
                Assert.Equal(2, warnings.Length);
            });

    /// <summary>C# 13's <c>allows ref struct</c> on a generic interface's type parameter (which the Roslyn version of the
    /// unit tests cannot parse, hence a real build): the generator writes no decorator that would drop it (the
    /// forwarded <c>scoped T</c> parameter would not compile), and CG0007 says why.</summary>
    [Fact]
    public void A_type_parameter_that_allows_ref_struct_is_reported_and_no_decorator_breaks_the_build()
        => InConsumer(
            "cachedgen-refstruct-consumer-",
            """
            using System.Threading.Tasks;
            using CachedGen;

            namespace Consumer;

            public interface IRepo<T> where T : allows ref struct
            {
                [Cached("5m", "k:{id}")] Task<int> GetAsync(int id);
                void Use(scoped T value);
            }
            """,
            "",
            directory =>
            {
                var (exitCode, text) = Build(directory, "");

                Assert.NotEqual(0, exitCode);
                Assert.Contains("error CG0007", text, StringComparison.Ordinal);
                Assert.Contains("its type parameter 'T' allows ref struct", text, StringComparison.Ordinal);
                Assert.DoesNotContain("error CS", text, StringComparison.Ordinal); // nothing generated that does not compile
            });

    /// <summary>Runs <paramref name="test"/> in a new consumer project (<see cref="WriteConsumerProject"/>, with
    /// <paramref name="properties"/>) whose one source file is <paramref name="source"/>, and deletes it afterwards.</summary>
    private static void InConsumer(string prefix, string source, string properties, Action<string> test)
    {
        var directory = Directory.CreateTempSubdirectory(prefix).FullName;
        try
        {
            WriteConsumerProject(directory, FindRoot(), typeof(CacheRuntime).Assembly.GetName().Version!.ToString(3), properties);
            File.WriteAllText(Path.Combine(directory, "Repo.cs"), source);
            test(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A net10.0 consumer of the packed CachedGen (artifacts/packages), nullable on, with
    /// <paramref name="properties"/> added to its property group.</summary>
    private static void WriteConsumerProject(string directory, string root, string version, string properties = "")
        => File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
            {properties}
                <RestoreAdditionalProjectSources>{Path.Combine(root, "artifacts", "packages")}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CachedGen" Version="{version}" />
              </ItemGroup>
            </Project>
            """);

    private (int ExitCode, string Text) Build(string directory, string arguments)
    {
        var info = new ProcessStartInfo("dotnet", "build --nologo -clp:NoSummary " + arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var build = Process.Start(info)!;
        var stderr = build.StandardError.ReadToEndAsync();
        var text = build.StandardOutput.ReadToEnd() + stderr.Result;
        build.WaitForExit();
        output.WriteLine(text);
        return (build.ExitCode, text);
    }

    /// <summary>The distinct warnings of a build log, without the project suffix.</summary>
    private static string[] Warnings(string log)
        => log.Split('\n')
            .Select(line => Regex.Replace(line.Trim(), @"\s*\[[^\]]*\.csproj[^\]]*\]$", ""))
            .Where(line => Regex.IsMatch(line, @": warning [A-Z]+\d+"))
            .Distinct()
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

    [GeneratedRegex(@"CG\d{4}")]
    private static partial Regex DiagnosticId();
}
