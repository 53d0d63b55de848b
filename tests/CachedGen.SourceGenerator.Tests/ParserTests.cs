using System;
using System.Linq;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

public class ParserTests
{
    [Theory]
    [InlineData("30s", 0, 0, 30, 0)]
    [InlineData("5m", 0, 5, 0, 0)]
    [InlineData("1h30m", 1, 30, 0, 0)]
    [InlineData("1d", 24, 0, 0, 0)]
    [InlineData("250ms", 0, 0, 0, 250)]
    [InlineData("00:05:00", 0, 5, 0, 0)]
    [InlineData("1.02:00:00", 26, 0, 0, 0)]
    public void Ttl_strings_parse(string text, int hours, int minutes, int seconds, int milliseconds)
    {
        Assert.True(TtlParser.TryParse(text, out var value));
        Assert.Equal(new TimeSpan(0, hours, minutes, seconds, milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m")]
    [InlineData("5x")]
    [InlineData("30m1h")]
    [InlineData("1h1h")]
    [InlineData("1 h")]
    [InlineData("99999999999d")]
    [InlineData("25:00")]
    public void Bad_ttl_strings_are_rejected(string text) => Assert.False(TtlParser.TryParse(text, out _));

    [Theory]
    [InlineData("form:{formId}:schema")]
    [InlineData("tenant:{query.TenantId}/q/{query.Search}")]
    [InlineData("user:{email:hash}")]
    [InlineData("{a}|{b}")]
    [InlineData("plain")]
    public void Valid_templates_parse(string template) => Assert.NotNull(KeyTemplate.Parse(template, out _));

    [Theory]
    [InlineData("form:{formId", "without a matching '}'", 5)]
    [InlineData("form:formId}", "without a matching '{'", 11)]
    [InlineData("x:{a b}", "not a parameter name", 2)]
    [InlineData("x:{a:upper}", "unknown placeholder format", 2)]
    [InlineData("x:{a}{b}", "must be separated", 2)]
    [InlineData("x:{a}-{b}", "must be separated", 2)]
    [InlineData("x:{}", "not a parameter name", 2)]
    public void Malformed_templates_report_the_span(string template, string message, int start)
    {
        Assert.Null(KeyTemplate.Parse(template, out var error));
        Assert.Contains(message, error!.Message, StringComparison.Ordinal);
        Assert.Equal(start, error.Start);
    }

    [Fact]
    public void Equivalent_sources_give_equal_models()
    {
        var compact = "using CachedGen; namespace N; public interface IRepo { [Cached(\"5m\", \"item:{id}\")] int Get(int id); }";
        var spacious = """
            using CachedGen;

            namespace N;

            // Same declaration, other layout.
            public interface IRepo
            {
                [Cached( "5m" , "item:{id}" )]
                int Get(int id);
            }
            """;
        var left = Parse(compact);
        var right = Parse(spacious);
        Assert.Equal(left, right);
    }

    [Fact]
    public void Write_parameters_fill_the_key_by_name_or_member()
    {
        var model = Parse("""
            using System;
            using CachedGen;
            namespace N;
            public sealed record Doc(Guid TenantId, int DocId);
            public interface IRepo
            {
                [Cached("5m", "t:{tenantId}:d:{docId}", nameof(Save), nameof(Rename), nameof(Unrelated))]
                string Get(Guid tenantId, int docId);
                void Save(Doc doc);
                void Rename(int docId, Guid tenantId, string name);
                void Unrelated(string name);
            }
            """);
        var save = model.ForwardedMethods.Single(m => m.Name == "Save");
        var rename = model.ForwardedMethods.Single(m => m.Name == "Rename");
        var unrelated = model.ForwardedMethods.Single(m => m.Name == "Unrelated");
        // The parser gives the values as data (parameter, then members); the emitter writes them as C#.
        Assert.Equal([ValuePath.Of("doc").Then("TenantId", false), ValuePath.Of("doc").Then("DocId", false)], save.Invalidations.Single().Arguments.ToArray());
        Assert.Equal([ValuePath.Of("tenantId"), ValuePath.Of("docId")], rename.Invalidations.Single().Arguments.ToArray());
        Assert.Empty(unrelated.Invalidations);
    }

    [Fact]
    public void The_default_key_leaves_out_tokens_NotCacheKey_and_caller_information()
    {
        var model = Parse("""
            using System.Runtime.CompilerServices;
            using System.Threading;
            using CachedGen;
            namespace N;
            public interface IRepo
            {
                [Cached("5m")]
                string Get(int id, [NotCacheKey] string trace, [CallerMemberName] string caller = "", [CallerFilePath] string file = "", [CallerLineNumber] int line = 0, CancellationToken ct = default);
            }
            """);
        Assert.Equal("N.IRepo.Get:{id}", model.CachedMethods.Single().KeyTemplate);
    }

    [Fact]
    public void Interfaces_of_the_same_name_in_other_namespaces_or_nested_in_a_type_have_default_keys_of_their_own()
    {
        var compilation = GeneratorHarness.Compile("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Admin { public interface IUsers { [Cached("5m")] Task<string?> GetNameAsync(int id); } }
            namespace Customers { public interface IUsers { [Cached("5m")] Task<string?> GetNameAsync(int id); } }
            namespace Customers { public static class Legacy { public interface IUsers { [Cached("5m")] Task<string?> GetNameAsync(int id); } } }
            """);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var keys = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Model]
            .SelectMany(step => step.Outputs).Select(output => ((Model.DecoratorModel)output.Value).CachedMethods.Single().KeyTemplate)
            .Order(System.StringComparer.Ordinal).ToArray();
        Assert.Equal(["Admin.IUsers.GetNameAsync:{id}", "Customers.IUsers.GetNameAsync:{id}", "Customers.Legacy.IUsers.GetNameAsync:{id}"], keys);
    }

    [Fact]
    public void A_method_inherited_from_a_base_interface_renders_the_base_interface_default_key_in_every_decorator()
    {
        var compilation = GeneratorHarness.Compile("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Shop;
            public sealed class Order { public long Id { get; set; } }
            public interface IRepository<TEntity> where TEntity : class
            {
                [Cached("5m")] Task<TEntity?> GetAsync(long id);
                [Cached("5m")] Task<TEntity?> FindAsync(long id, int version);
                [Cached("5m")] Task<TEntity?> FindAsync(string code);
            }
            public interface IOrderRepository : IRepository<Order> { Task<int> CountAsync(); }
            public interface INamed { [Cached("5m")] Task<string?> NameAsync(int id); }
            public interface INamedAndDated : INamed { Task<System.DateTime> DateAsync(int id); }
            """);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var models = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Model]
            .SelectMany(step => step.Outputs).Select(output => (Model.DecoratorModel)output.Value).ToArray();
        string[] Keys(string hint) => models.Single(m => m.HintName.StartsWith(hint, StringComparison.Ordinal)).CachedMethods.Select(m => m.KeyTemplate).ToArray();

        // The generic decorator and the decorator of the interface closing it render the same text (the closed type's
        // arguments are in the version segment of both), so a write through either invalidates the entries of both.
        string[] repository = ["Shop.IRepository<TEntity>.GetAsync:{id}", "Shop.IRepository<TEntity>.FindAsync(long,int):{id}:{version}", "Shop.IRepository<TEntity>.FindAsync(string):{code}"];
        Assert.Equal(repository, Keys("Shop.IRepository"));
        Assert.Equal(repository, Keys("Shop.IOrderRepository"));
        Assert.Equal(["Shop.INamed.NameAsync:{id}"], Keys("Shop.INamed."));
        Assert.Equal(["Shop.INamed.NameAsync:{id}"], Keys("Shop.INamedAndDated"));

        // And the same method id: one CachedMethod, one L1, per process.
        string Id(string hint, int index = 0) => models.Single(m => m.HintName.StartsWith(hint, StringComparison.Ordinal)).CachedMethods[index].MethodId;
        Assert.Equal("Shop.IRepository<Shop.Order>.GetAsync", Id("Shop.IOrderRepository"));
        Assert.Equal("Shop.INamed.NameAsync", Id("Shop.INamed."));
        Assert.Equal("Shop.INamed.NameAsync", Id("Shop.INamedAndDated"));
    }

    [Fact]
    public void Overloads_whose_parameters_differ_in_array_element_or_type_arguments_have_default_keys_of_their_own()
    {
        var model = Parse("""
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using CachedGen;
            namespace N;
            public interface IFinder
            {
                [Cached("5m")] Task<string?> FindAsync(int id, [NotCacheKey] int[] hints);
                [Cached("5m")] Task<string?> FindAsync(int id, [NotCacheKey] string[] hints);
                [Cached("5m")] Task<string?> FindAsync(int id, [NotCacheKey] List<int> hints, int? x = null);
                [Cached("5m")] Task<string?> FindAsync(int id, [NotCacheKey] List<string> hints, int? x = null);
            }
            """);
        Assert.Equal(
            [
                "N.IFinder.FindAsync(int,int[]):{id}",
                "N.IFinder.FindAsync(int,string[]):{id}",
                "N.IFinder.FindAsync(int,System.Collections.Generic.List<int>,System.Nullable<int>):{id}:{x}",
                "N.IFinder.FindAsync(int,System.Collections.Generic.List<string>,System.Nullable<int>):{id}:{x}",
            ],
            model.CachedMethods.Select(m => m.KeyTemplate));

        // One method id is one CachedMethod (one L1) in the runtime: overloads have ids of their own.
        Assert.Equal(
            [
                "N.IFinder.FindAsync(System.Int32,System.Int32[])",
                "N.IFinder.FindAsync(System.Int32,System.String[])",
                "N.IFinder.FindAsync(System.Int32,System.Collections.Generic.List<System.Int32>,System.Nullable<System.Int32>)",
                "N.IFinder.FindAsync(System.Int32,System.Collections.Generic.List<System.String>,System.Nullable<System.Int32>)",
            ],
            model.CachedMethods.Select(m => m.MethodId));
    }

    private static Model.DecoratorModel Parse(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var step = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Model];
        return (Model.DecoratorModel)step.Single().Outputs.Single().Value;
    }
}
