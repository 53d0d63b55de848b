using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using CachedGen.CodeFixes.Rules;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>Code fixes on attributes written in less common ways: without <c>using CachedGen;</c>, with arguments
/// named by colon, with the argument the fix sets already present, and on batch placeholders.</summary>
public class CodeFixEdgeTests
{
    [Fact]
    public Task Not_cache_key_fix_binds_without_a_using_of_CachedGen() => Verify<ParameterNotInKeyAnalyzer>.RawCodeFixAsync<ParameterNotInKeyFixer>(
        """
        using System.Threading.Tasks;
        public sealed record Dto(int Id);
        public interface IRepo { [global::CachedGen.Cached("1m", "a:{id}")] Task<Dto?> A(int id, string {|CG0005:traceId|}); }
        """,
        """
        using System.Threading.Tasks;
        public sealed record Dto(int Id);
        public interface IRepo { [global::CachedGen.Cached("1m", "a:{id}")] Task<Dto?> A(int id, [CachedGen.NotCacheKey] string traceId); }
        """,
        codeActionIndex: 1);

    [Fact]
    public Task Not_cache_key_fix_binds_through_a_namespace_alias() => Verify<ParameterNotInKeyAnalyzer>.RawCodeFixAsync<ParameterNotInKeyFixer>(
        """
        using System.Threading.Tasks;
        using C = CachedGen;
        public sealed record Dto(int Id);
        public interface IRepo { [C.Cached("1m", "a:{id}")] Task<Dto?> A(int id, string {|CG0005:traceId|}); }
        """,
        """
        using System.Threading.Tasks;
        using C = CachedGen;
        public sealed record Dto(int Id);
        public interface IRepo { [C.Cached("1m", "a:{id}")] Task<Dto?> A(int id, [C.NotCacheKey] string traceId); }
        """,
        codeActionIndex: 1);

    [Fact]
    public Task Template_fix_finds_the_template_named_by_colon() => Verify<ParameterNotInKeyAnalyzer>.CodeFixAsync<ParameterNotInKeyFixer>(
        """
        public sealed record Dto(int Id);
        public interface IRepo { [Cached(keyTemplate: "b:{id}", ttl: "1m")] Task<Dto?> B(int id, int {|CG0005:page|}); }
        """,
        """
        public sealed record Dto(int Id);
        public interface IRepo { [Cached(keyTemplate: "b:{id}:{page}", ttl: "1m")] Task<Dto?> B(int id, int page); }
        """);

    [Fact]
    public Task Ttl_fix_replaces_a_null_positional_ttl() => Verify<MissingTtlAnalyzer>.CodeFixAsync<MissingTtlFixer>(
        """
        public sealed record Dto(int Id);
        public interface IRepo { [{|CG0002:Cached(null!, "c:{id}")|}] Task<Dto?> C(int id); }
        """,
        """
        public sealed record Dto(int Id);
        public interface IRepo { [Cached("5m", "c:{id}")] Task<Dto?> C(int id); }
        """);

    [Fact]
    public Task Ttl_fix_replaces_a_null_ttl_named_by_colon() => Verify<MissingTtlAnalyzer>.CodeFixAsync<MissingTtlFixer>(
        """
        public sealed record Dto(int Id);
        public interface IRepo { [{|CG0002:Cached(keyTemplate: "c:{id}", ttl: null)|}] Task<Dto?> C(int id); }
        """,
        """
        public sealed record Dto(int Id);
        public interface IRepo { [Cached(keyTemplate: "c:{id}", ttl: "5m")] Task<Dto?> C(int id); }
        """);

    [Fact]
    public Task Sensitive_fix_replaces_sensitive_false() => Verify<PersonalDataInValueAnalyzer>.CodeFixAsync<PersonalDataInValueFixer>(
        """
        public sealed record Contact(string Email);
        public interface IRepo { [{|CG0009:Cached("5m", Sensitive = false, Version = 2)|}] Task<Contact?> D(int id); }
        """,
        """
        public sealed record Contact(string Email);
        public interface IRepo { [Cached("5m", Sensitive = true, Version = 2)] Task<Contact?> D(int id); }
        """);

    [Fact]
    public Task Batch_placeholder_message_suggests_a_hashed_batch_placeholder() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync(
        """
        public interface IUsers { [Cached("1m", "e:{|#0:{emails[]}|}")] Task<IReadOnlyDictionary<string, int>> E([PersonalData] IReadOnlyCollection<string> emails); }
        """,
        [new DiagnosticResult(DiagnosticDescriptors.PersonalDataInKey).WithLocation(0).WithArguments("emails[]", "E")]);

    [Fact]
    public Task Batch_placeholder_fix_hashes_each_element() => Verify<PersonalDataInKeyAnalyzer>.CodeFixAsync<PersonalDataInKeyFixer>(
        """
        public interface IUsers { [Cached("1m", "e:{|CG0001:{emails[]}|}")] Task<IReadOnlyDictionary<string, int>> E([PersonalData] IReadOnlyCollection<string> emails); }
        """,
        """
        public interface IUsers { [Cached("1m", "e:{emails[]:hash}")] Task<IReadOnlyDictionary<string, int>> E([PersonalData] IReadOnlyCollection<string> emails); }
        """);

    /// <summary>With the template named by colon, CG0001 still points at the placeholder, and its fix hashes it.</summary>
    [Fact]
    public Task Hash_fix_finds_a_template_named_by_colon() => Verify<PersonalDataInKeyAnalyzer>.CodeFixAsync<PersonalDataInKeyFixer>(
        """
        public interface IRepo { [Cached(keyTemplate: "u:{|CG0001:{email}|}", ttl: "1m")] Task<int> ByEmailAsync(string email); }
        """,
        """
        public interface IRepo { [Cached(keyTemplate: "u:{email:hash}", ttl: "1m")] Task<int> ByEmailAsync(string email); }
        """);
}
