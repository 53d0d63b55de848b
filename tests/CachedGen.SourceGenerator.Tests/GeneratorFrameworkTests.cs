using System.Threading.Tasks;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>
/// The generator under Microsoft.CodeAnalysis.CSharp.SourceGenerators.Testing: the generated files are exactly the
/// approved snapshots (no file more or less), and the compilation with them, user code that calls them included, has no
/// diagnostic at all (warnings count). The snapshot tests beside these review the text; these check the files as the
/// compiler gets them.
/// </summary>
public class GeneratorFrameworkTests
{
    [Fact]
    public Task Form_repository_generates_its_approved_decorator_and_compiles_without_diagnostics()
    {
        var test = GeneratorTest.Create(Sources.FormRepository);
        test.ExpectSnapshot("Forms.IFormRepository.g.cs", "GeneratorSnapshotTests.Form_repository#Forms.IFormRepository.g.cs");
        test.ExpectSnapshot("CachedGen.Formatters.g.cs", "FormatterSnapshotTests.Form_repository#CachedGen.Formatters.g.cs");
        return test.RunAsync();
    }

    [Fact]
    public Task Generic_repository_generates_its_approved_generic_decorator()
    {
        var test = GeneratorTest.Create(GenericSources.Repository);
        test.ExpectSnapshot("Shop.IRepository`1.g.cs", "GeneratorSnapshotTests.Generic_repository#Shop.IRepository`1.g.cs");
        return test.RunAsync();
    }

    [Fact]
    public Task User_code_constructs_and_calls_the_generated_decorator()
    {
        var test = GeneratorTest.Create(Sources.FormRepository, """
            using System.Threading.Tasks;
            using CachedGen;

            namespace Forms;

            public static class Usage
            {
                public static async Task<int> RunAsync(IFormRepository inner)
                {
                    await using var runtime = new CacheRuntime(new CachedGenOptions { KeyPrefix = "forms:" });
                    IFormRepository cached = new CachedFormRepository(inner, runtime);
                    var schema = await cached.GetSchemaAsync(42);
                    return schema is null ? 0 : 1;
                }
            }
            """);
        test.ExpectSnapshot("Forms.IFormRepository.g.cs", "GeneratorSnapshotTests.Form_repository#Forms.IFormRepository.g.cs");
        test.ExpectSnapshot("CachedGen.Formatters.g.cs", "FormatterSnapshotTests.Form_repository#CachedGen.Formatters.g.cs");
        return test.RunAsync();
    }

    [Fact]
    public Task An_interface_without_Cached_methods_generates_nothing()
    {
        var test = GeneratorTest.Create("""
            using System.Threading.Tasks;

            namespace Plain;

            public interface IPlainRepository
            {
                Task<string?> GetAsync(int id);
            }
            """);
        return test.RunAsync();
    }

    [Fact]
    public Task A_method_with_an_invalid_TTL_is_forwarded_silently_and_left_to_the_analyzer()
    {
        // The generator reports nothing (the analyzers report the TTL) and its decorator forwards the method it cannot
        // cache: the compilation stays free of diagnostics. Its text is not this test's subject.
        var test = GeneratorTest.Create("""
            using System.Threading.Tasks;
            using CachedGen;

            namespace Broken;

            public interface IBrokenRepository
            {
                [Cached("ten minutes", "item:{id}")]
                Task<string?> GetAsync(int id);
            }
            """);
        test.TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        return test.RunAsync();
    }
}
