using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using CachedGen.SourceGenerator.Model;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>The pipeline caches: a rerun does no work, an unrelated edit leaves the model unchanged, an attribute
/// change modifies it; and the model holds nothing that would root a compilation.</summary>
public class IncrementalTests
{
    private static (GeneratorDriver Driver, Compilation Compilation) FirstRun(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver, string step)
        => driver.GetRunResult().Results.Single().TrackedSteps[step]
            .SelectMany(s => s.Outputs)
            .Select(o => o.Reason)
            .ToArray();

    [Fact]
    public void Rerun_with_the_same_compilation_is_cached()
    {
        var (driver, compilation) = FirstRun(Sources.FormRepository);
        driver = driver.RunGenerators(compilation.Clone());
        Assert.All(Reasons(driver, TrackingNames.Model), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
    }

    [Fact]
    public void Unrelated_edit_leaves_the_model_unchanged()
    {
        var (driver, compilation) = FirstRun(Sources.FormRepository);
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public static class Unrelated { public static int X => 1; }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        Assert.All(Reasons(driver, TrackingNames.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Whitespace_edit_in_the_interface_file_leaves_the_model_unchanged()
    {
        var (driver, compilation) = FirstRun(Sources.FormRepository);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Sources.FormRepository.Replace("public interface IFormRepository", "// a comment\npublic interface IFormRepository", StringComparison.Ordinal), GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);
        Assert.Contains(IncrementalStepRunReason.Unchanged, Reasons(driver, TrackingNames.Parse));
        Assert.All(Reasons(driver, TrackingNames.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    /// <summary>An interface declared in two files: an edit of the file that does not hold its first [Cached] method
    /// (whose transform builds the model) still reaches the decorator.</summary>
    [Fact]
    public void An_edit_of_a_partial_interfaces_other_file_reaches_its_decorator()
    {
        const string first = """
            using System.Threading.Tasks;
            using CachedGen;
            namespace Shop;
            public sealed record Item(int Id, string Name);
            public partial interface IItems
            {
                [Cached("5m")] Task<Item?> GetAsync(int id);
                Task SaveAsync(int id);
            }
            """;
        const string second = """
            using System.Threading.Tasks;
            using CachedGen;
            namespace Shop;
            public partial interface IItems
            {
                [Cached("5m", "items:name:{id}", "SaveAsync")] Task<string?> NameAsync(int id);
            }
            """;
        var compilation = GeneratorHarness.Compile(first, second);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(second.Replace("\"5m\", \"items:name", "\"7m\", \"items:title", StringComparison.Ordinal), GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);
        var decorator = driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.Contains("IItems", StringComparison.Ordinal)).ToString();
        Assert.Contains("items:title:{id}", decorator, StringComparison.Ordinal);
        Assert.DoesNotContain("items:name:{id}", decorator, StringComparison.Ordinal);
    }

    [Fact]
    public void Attribute_change_modifies_the_model()
    {
        var (driver, compilation) = FirstRun(Sources.FormRepository);
        var tree = compilation.SyntaxTrees.Single();
        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Sources.FormRepository.Replace("[Cached(\"5m\",", "[Cached(\"6m\",", StringComparison.Ordinal), GeneratorHarness.ParseOptions, tree.FilePath));
        driver = driver.RunGenerators(edited);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver, TrackingNames.Model));
    }

    [Fact]
    public void Generic_and_derived_interfaces_are_cached_and_left_unchanged_by_an_unrelated_edit()
    {
        var (driver, compilation) = FirstRun(GenericShapes.DerivedAndImplementations);
        Assert.Contains(IncrementalStepRunReason.New, Reasons(driver, TrackingNames.Derived));

        driver = driver.RunGenerators(compilation.Clone());
        Assert.All(Reasons(driver, TrackingNames.Model), r => Assert.Equal(IncrementalStepRunReason.Cached, r));

        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public interface IUnrelated : System.IEquatable<int> { }", GeneratorHarness.ParseOptions));
        driver = driver.RunGenerators(edited);
        Assert.All(Reasons(driver, TrackingNames.Derived), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
        Assert.All(Reasons(driver, TrackingNames.Model), r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Model_holds_no_symbols_syntax_or_compilations()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(Location) };
        var visited = new HashSet<Type>();
        void Check(Type type)
        {
            if (!visited.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum)
            {
                return;
            }

            Assert.False(forbidden.Any(f => f.IsAssignableFrom(type)), $"{type} must not be in the model");
            if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments())
                {
                    Check(argument);
                }
            }

            if (type.Namespace?.StartsWith("CachedGen", StringComparison.Ordinal) == true)
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    Check(property.PropertyType);
                }
            }
        }

        Check(typeof(DecoratorModel));
        Assert.Contains(typeof(CachedMethodModel), visited);
        Assert.Contains(typeof(KeyFieldModel), visited);
    }
}
