using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>The generator and the analyzers resolve member paths and type names the same way: what the generator
/// renders into a key, CG0001 sees; what it binds for a type-qualified <c>invalidatedBy</c>, CG0006 accepts.</summary>
public class SameAnswerTests
{
    [Theory]
    [InlineData("case", "public sealed class User { public string Email { get; set; } = \"\"; }", "user:{user.email}")]
    [InlineData("base class", "public class Person { public string Email { get; set; } = \"\"; } public sealed class User : Person { public int Id { get; set; } }", "user:{user.Email}")]
    [InlineData("interface", "public interface IPerson { string Email { get; } } public interface IUser : IPerson { int Id { get; } } public sealed class User : IUser { public string Email => \"\"; public int Id => 1; }", "user:{user.Email}")]
    [InlineData("case and base class", "public class Person { public string Email = \"\"; } public sealed class User : Person { }", "user:{user.EMAIL}")]
    public async Task A_member_the_key_renders_is_checked_for_personal_data(string how, string types, string template)
    {
        var parameterType = how == "interface" ? "IUser" : "User";
        var run = await GeneratorAndAnalyzers.RunAsync([types + $" public interface IUsers {{ [Cached(\"5m\", \"{template}\")] Task<int> GetAsync({parameterType} user); }}"]);
        Assert.Contains(run.Generated, text => text.Contains("user.Email", StringComparison.Ordinal));
        var cg0001 = Assert.Single(run.Reported, d => d.Id == "CG0001");
        Assert.Contains("personal data placed raw", cg0001.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.OutputErrors);
    }

    [Theory]
    [InlineData("explicit interface implementation", "public interface IHasTenant { int TenantId { get; } } public sealed class Query : IHasTenant { int IHasTenant.TenantId => 1; public int Page { get; set; } }", "Query")]
    [InlineData("default interface member through a class", "public interface IHasTenant { int TenantId => 7; } public sealed class Query : IHasTenant { public int Page { get; set; } }", "Query")]
    [InlineData("getter that is not public", "public sealed class Query { public int TenantId { private get; set; } public int Page { get; set; } }", "Query")]
    [InlineData("name two unrelated base interfaces declare", "public interface IA { int TenantId { get; } } public interface IB { int TenantId { get; } } public interface IQuery : IA, IB { int Page { get; } }", "IQuery")]
    public async Task A_member_csharp_does_not_reach_is_rejected_by_both_instead_of_breaking_the_build(string how, string types, string parameterType)
    {
        var run = await GeneratorAndAnalyzers.RunAsync([types + $" public interface IRepo {{ [Cached(\"5m\", \"k:{{q.TenantId}}:{{q.Page}}\")] Task<int> GetAsync({parameterType} q); }}"]);
        Assert.True(run.OutputErrors.Length == 0, how + ": " + string.Join("; ", run.OutputErrors.AsEnumerable()));
        Assert.DoesNotContain(run.Generated, text => text.Contains("GetAsyncDescriptor =", StringComparison.Ordinal));
        var cg0004 = Assert.Single(run.Reported, d => d.Id == "CG0004");
        Assert.Contains("'q.TenantId' does not name a public property or field", cg0004.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("an override, ignoring case", "public class Person { public virtual int TenantId { get; set; } } public sealed class Query : Person { public override int TenantId { get; set; } }", "Query", "k:{q.tenantId}")]
    [InlineData("a member hiding a base member", "public class Person { public string TenantId { get; set; } = \"\"; } public sealed class Query : Person { public new int TenantId { get; set; } }", "Query", "k:{q.TenantId}")]
    [InlineData("an interface member hiding its base's", "public interface IBase { string TenantId { get; } } public interface IQuery : IBase { new int TenantId { get; } }", "IQuery", "k:{q.TenantId}")]
    [InlineData("a member of a base interface of an interface", "public interface IHasTenant { int TenantId { get; } } public interface IQuery : IHasTenant { int Page { get; } }", "IQuery", "k:{q.TenantId}")]
    public async Task A_member_csharp_reaches_is_rendered_by_the_generator_and_accepted_by_the_analyzers(string how, string types, string parameterType, string template)
    {
        var run = await GeneratorAndAnalyzers.RunAsync([types + $" public interface IRepo {{ [Cached(\"5m\", \"{template}\")] Task<int> GetAsync({parameterType} q); }}"]);
        Assert.True(run.OutputErrors.Length == 0, how + ": " + string.Join("; ", run.OutputErrors.AsEnumerable()));
        Assert.Contains(run.Generated, text => text.Contains("q.TenantId", StringComparison.Ordinal) && text.Contains("CacheMethodDescriptor<global::System.ValueTuple<int>, int>", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Reported, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public async Task Two_members_matching_only_ignoring_case_are_rejected_by_both()
    {
        var run = await GeneratorAndAnalyzers.RunAsync(["public sealed class User { public string Email = \"\"; public string EMAIL = \"\"; } public interface IUsers { [Cached(\"5m\", \"user:{user.email}\")] Task<int> GetAsync(User user); }"]);
        Assert.DoesNotContain(run.Generated, text => text.Contains("GetAsyncDescriptor =", StringComparison.Ordinal));
        Assert.Contains(run.Reported, d => d.Id == "CG0004" && d.Severity == DiagnosticSeverity.Error);
        Assert.DoesNotContain(run.Reported, d => d.Id == "CG0001");
    }

    [Fact]
    public async Task A_member_path_through_a_nullable_value_type_parameter_is_null_conditional()
    {
        var run = await GeneratorAndAnalyzers.RunAsync(["""
            public readonly record struct TenantQuery(Guid TenantId, int Page, string? Search);
            public interface IForms
            {
                [Cached("5m", "t:{filter.TenantId}:{filter.Page}:{filter.Search:hash}", nameof(SaveAsync))] Task<int> CountAsync(TenantQuery? filter);
                Task SaveAsync(TenantQuery? filter);
            }
            """]);
        Assert.DoesNotContain(run.Reported, d => d.Severity == DiagnosticSeverity.Error);
        var generated = Assert.Single(run.Generated);
        Assert.Contains("filter?.TenantId", generated, StringComparison.Ordinal);
        Assert.Contains("filter?.Page", generated, StringComparison.Ordinal);
        Assert.Contains("filter?.Search", generated, StringComparison.Ordinal);
        Assert.Contains("// t:{filter.TenantId}:{filter.Page}:{filter.Search:hash}", generated, StringComparison.Ordinal);
        Assert.Empty(run.OutputErrors);
        Assert.Empty(run.GeneratedWarnings);
    }

    [Fact]
    public async Task A_type_qualified_name_missing_from_scope_is_reported_and_skipped_by_both()
    {
        // The alias is declared in another file: C# does not see it at the attribute, and neither do the tools.
        var run = await GeneratorAndAnalyzers.RunAsync([
            "namespace Other.Commands { public interface ICommands { Task SaveAsync(int id); } }",
            "using Cmd = Other.Commands.ICommands; namespace Elsewhere { public static class Unused { } }",
            "namespace Reads { public interface IRepo { [Cached(\"5m\", \"k:{id}\", \"Cmd.SaveAsync\")] Task<int> GetAsync(int id); } }"]);
        Assert.DoesNotContain(run.Generated, text => text.Contains("// k:{id}", StringComparison.Ordinal));
        var cg0006 = Assert.Single(run.Reported, d => d.Id == "CG0006");
        Assert.Contains("no interface named 'Cmd'", cg0006.GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OrderList", "public class OrderList : List<int> { public string Owner { get; set; } = \"\"; }", "OrderList", "derives from the collection type 'List<int>'")]
    [InlineData("PagedList", "public class PagedList<T> : List<T> { public int TotalCount { get; set; } public int Page { get; set; } }", "PagedList<int>", "derives from the collection type 'List<int>'")]
    public async Task A_type_of_the_project_that_is_a_collection_gets_no_formatter_and_one_CG0020(string type, string declaration, string value, string reason)
    {
        var run = await GeneratorAndAnalyzers.RunAsync([declaration + $" public interface IRepo {{ [Cached(\"5m\")] Task<{value}> GetAsync(int id); }}"]);
        Assert.Empty(run.OutputErrors);
        Assert.Empty(run.GeneratedWarnings);
        Assert.DoesNotContain(run.Generated, text => text.Contains("Formatter : global::MessagePack.Formatters.IMessagePackFormatter<global::" + type, StringComparison.Ordinal));
        var reported = Assert.Single(run.Reported, d => d.Id is "CG0008" or "CG0020");
        Assert.Equal("CG0020", reported.Id);
        Assert.Contains(reason + ": its items and its own members cannot both be stored", reported.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>[Cached] on an accessor is reported once, with the reason no decorator reads it, and nothing else about it
    /// (a result it has not, a 'value' parameter in the default key).</summary>
    [Theory]
    [InlineData("public event EventHandler? Changed { [Cached(\"5m\")] add { } remove { } }", "add_Changed")]
    [InlineData("public int Current { get => 0; [Cached(\"5m\")] set { } }", "set_Current")]
    public async Task Cached_on_an_accessor_is_reported_once(string member, string accessor)
    {
        var run = await GeneratorAndAnalyzers.RunAsync([$"public interface IRepo {{ Task<int> GetAsync(int id); }} public sealed class Repo : IRepo {{ public Task<int> GetAsync(int id) => Task.FromResult(id); {member} }}"]);

        var reported = Assert.Single(run.Reported, d => d.Id.StartsWith("CG", StringComparison.Ordinal));
        Assert.Equal("CG0007", reported.Id);
        Assert.Contains($"'{accessor}'", reported.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
