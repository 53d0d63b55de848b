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
}
