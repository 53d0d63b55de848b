using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>The rules that walk a cached value type walk it once per compilation (CompilationFacts.PerType) and report it
/// at every method returning it, with what each method's file configures.</summary>
public class SharedFindingsTests
{
    [Fact]
    public Task A_type_walked_once_is_reported_at_every_method_returning_it() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync("""
        public sealed class Holder { public object? Payload { get; set; } }
        public interface IFirst
        {
            [Cached("1m")] Task<Holder> {|CG0008:OneAsync|}(int id);
            [Cached("1m")] Task<Holder?> {|CG0008:TwoAsync|}(int id);
        }
        public interface ISecond
        {
            [Cached("1m")] Holder {|CG0008:Three|}(int id);
            [Cached("1m")] Task<IReadOnlyList<Holder>> {|CG0008:ManyAsync|}(int id);
        }
        """);

    /// <summary>Two files that name personal data differently see the same type differently: the walk is shared per
    /// set of names, not per type alone.</summary>
    [Fact]
    public Task A_shared_type_is_judged_with_each_files_personal_data_names() => Verify<PersonalDataInValueAnalyzer>.FilesAnalyzerAsync(
        [
            ("/Profile.cs", "public sealed record Profile(int Id, string Nickname, string Email);"),
            ("/First.cs", """public interface IFirst { [{|#0:Cached("5m")|}] Task<Profile> GetAsync(int id); }"""),
            ("/Second.cs", """public interface ISecond { [{|#1:Cached("5m")|}] Task<Profile> GetAsync(int id); }"""),
        ],
        "root = true\n[First.cs]\ncachedgen.personal_data_names = nickname\n",
        [
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("GetAsync", "Profile.Nickname"),
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("GetAsync", "Profile.Email"),
        ]);
}
