using System;
using System.Linq;
using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using CachedGen.CodeFixes.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.Analyzers.Tests;

public class PersonalDataInKeyTests
{
    [Fact]
    public Task Raw_personal_data_placeholder_fires() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public interface IUsers
        {
            [Cached("5m", "user:{|CG0001:{email}|}")] Task<string> GetAsync(string email);
            [Cached("5m", "user:{|CG0001:{id}|}")] Task<string> ByIdAsync([PersonalData] string id);
        }
        """);

    [Fact]
    public Task Raw_personal_data_in_a_tag_fires_and_the_fix_hashes_it() => Verify<PersonalDataInKeyAnalyzer>.CodeFixAsync<PersonalDataInKeyFixer>(
        """
        public interface IUsers { [Cached("5m", "user:{email:hash}", Tags = ["user:{|CG0001:{email}|}"])] Task<string> GetAsync(string email); }
        """,
        """
        public interface IUsers { [Cached("5m", "user:{email:hash}", Tags = ["user:{email:hash}"])] Task<string> GetAsync(string email); }
        """);

    [Fact]
    public Task Raw_personal_data_in_an_invalidated_tag_fires() => Verify<InvalidatesTagsAnalyzer>.AnalyzerAsync("""
        public interface IUsers
        {
            [InvalidatesTags("user:{|CG0001:{email}|}", "user:{email:hash}")] Task SaveAsync(string email);
        }
        """);

    /// <summary>A flag holds no personal data whatever it is named: the names are not read for bool and bool?; an
    /// attribute still marks one.</summary>
    [Fact]
    public Task Boolean_flags_named_like_personal_data_do_not_fire() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public sealed class Filter { public bool HasPhone { get; set; } public bool? VerifiedEmail { get; set; } public string Email { get; set; } = ""; }
        public interface IDrivers
        {
            [Cached("5m")] Task<int> ListAsync(int depotId, bool includePhone, bool notifyByEmail, bool? withMobile);
            [Cached("5m", "d:{depotId}:{includePhone}:{filter.HasPhone}:{filter.VerifiedEmail}:{|CG0001:{filter.Email}|}")] Task<int> FindAsync(int depotId, bool includePhone, Filter filter);
            [Cached("5m")] Task<int> MarkedAsync(int depotId, [PersonalData] bool {|CG0001:flag|});
            [Cached("5m")] Task<int> CountAsync(int {|CG0001:phone|});
        }
        """);

    [Fact]
    public Task Member_path_and_classified_type_fire() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public sealed class Query { public string PhoneNumber { get; set; } = ""; public int Page { get; set; } }
        [PersonalData] public readonly record struct EmailAddress(string Value);
        public interface IUsers
        {
            [Cached("5m", "q:{|CG0001:{query.PhoneNumber}|}:{query.Page}")] Task<string> FindAsync(Query query);
            [Cached("5m")] Task<string> GetAsync(EmailAddress {|CG0001:address|});
            [Cached("5m", "a:{|CG0001:{address.Value}|}")] Task<string> ByValueAsync(EmailAddress address);
            [Cached("5m", "e:{|CG0001:{email.Length}|}")] Task<string> ByLengthAsync(string email);
        }
        """);

    [Fact]
    public Task Personal_data_marked_where_the_member_or_parameter_is_declared_fires() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public sealed record Customer(int Id, [PersonalData] string Contact);
        public interface IContact { [PersonalData] string Handle { get; } }
        public sealed class Member : IContact { public string Handle => ""; public int Id { get; set; } }
        public abstract class Person { [PersonalData] public abstract string FullName { get; } }
        public sealed class Patient : Person { public override string FullName => ""; }
        [PersonalData] public class Identity { public string Value { get; set; } = ""; }
        public sealed class NationalIdentity : Identity { }
        public interface IUsers
        {
            [Cached("5m", "c:{|CG0001:{customer.Contact}|}:{customer.Id}")] Task<string> ByCustomerAsync(Customer customer);
            [Cached("5m", "m:{|CG0001:{member.Handle}|}:{member.Id}")] Task<string> ByMemberAsync(Member member);
            [Cached("5m", "p:{|CG0001:{patient.FullName}|}")] Task<string> ByPatientAsync(Patient patient);
            [Cached("5m")] Task<string> ByIdentityAsync(NationalIdentity {|CG0001:identity|});
            Task<string> ByHandleAsync([PersonalData] string handle);
        }
        public sealed class Users : IUsers
        {
            public Task<string> ByCustomerAsync(Customer customer) => Task.FromResult("");
            public Task<string> ByMemberAsync(Member member) => Task.FromResult("");
            public Task<string> ByPatientAsync(Patient patient) => Task.FromResult("");
            public Task<string> ByIdentityAsync(NationalIdentity identity) => Task.FromResult("");
            [Cached("5m", "h:{|CG0001:{handle}|}")] public Task<string> ByHandleAsync(string handle) => Task.FromResult("");
        }
        """);

    [Fact]
    public Task Data_annotations_that_name_personal_data_fire() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        using System.ComponentModel.DataAnnotations;
        public sealed class Contact
        {
            [EmailAddress] public string Primary { get; set; } = "";
            [Phone] public string Backup { get; set; } = "";
            [CreditCard] public string Card { get; set; } = "";
            [StringLength(20)] public string Label { get; set; } = "";
        }
        public interface IContacts
        {
            [Cached("5m", "c:{|CG0001:{contact.Primary}|}:{|CG0001:{contact.Backup}|}:{|CG0001:{contact.Card}|}:{contact.Label}")] Task<string> FindAsync(Contact contact);
        }
        """);

    [Fact]
    public Task Hashed_and_ordinary_values_stay_silent() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public interface IUsers
        {
            [Cached("5m", "user:{email:hash}")] Task<string> GetAsync(string email);
            [Cached("5m", "form:{formId}:{page}")] Task<string> FormAsync(int formId, int page);
            [Cached("5m")] Task<string> ByTenantAsync(Guid tenantId, bool emailVerified);
        }
        """);

    [Fact]
    public Task Names_come_from_editorconfig() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public interface IUsers
        {
            [Cached("5m", "u:{|CG0001:{nickname}|}:{email}")] Task<string> GetAsync(string nickname, string email);
        }
        """, ("cachedgen.personal_data_names", "nickname"));

    /// <summary>Common spellings of a birth date, a passport or licence number, a phone number and a home address are
    /// personal data by name; a bare <c>name</c> or <c>address</c>, a type's full name and a person's names (public in
    /// many cached values) are not.</summary>
    [Fact]
    public Task Common_spellings_of_personal_data_fire() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public interface IPatients
        {
            [Cached("5m", "p:{|CG0001:{dob}|}:{|CG0001:{birthday}|}:{|CG0001:{passportNumber}|}:{|CG0001:{passport_no}|}")]
            Task<string> ByDocumentsAsync(DateOnly dob, DateOnly birthday, string passportNumber, string passport_no);
            [Cached("5m", "p:{|CG0001:{driversLicense}|}:{|CG0001:{driverLicense}|}:{|CG0001:{mobileNumber}|}:{|CG0001:{mobilePhone}|}:{|CG0001:{cellPhone}|}:{|CG0001:{telephone}|}:{|CG0001:{phoneNo}|}")]
            Task<string> ByContactAsync(string driversLicense, string driverLicense, string mobileNumber, string mobilePhone, string cellPhone, string telephone, string phoneNo);
            [Cached("5m", "p:{|CG0001:{homeAddress}|}:{|CG0001:{street_address}|}")]
            Task<string> ByAddressAsync(string homeAddress, string street_address);
            [Cached("5m", "p:{name}:{address}:{productName}:{serverAddress}:{typeFullName}:{fileName}:{firstName}:{lastName}")]
            Task<string> OrdinaryAsync(string name, string address, string productName, string serverAddress, string typeFullName, string fileName, string firstName, string lastName);
        }
        """);

    /// <summary><c>cachedgen.additional_personal_data_names</c> adds to the default names, which keep firing.</summary>
    [Fact]
    public Task Additional_names_add_to_the_defaults() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public interface IUsers
        {
            [Cached("5m", "u:{|CG0001:{nickname}|}:{|CG0001:{badgeCode}|}:{|CG0001:{email}|}:{page}")] Task<string> GetAsync(string nickname, string badgeCode, string email, int page);
        }
        """, ("cachedgen.additional_personal_data_names", "nickname, badge_code"));

    /// <summary>With both options, the additional names add to those that replace the defaults.</summary>
    [Fact]
    public Task Additional_names_add_to_names_that_replace_the_defaults() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync("""
        public interface IUsers
        {
            [Cached("5m", "u:{|CG0001:{nickname}|}:{|CG0001:{badge}|}:{email}")] Task<string> GetAsync(string nickname, string badge, string email);
        }
        """, ("cachedgen.personal_data_names", "nickname"), ("cachedgen.additional_personal_data_names", "badge"));

    [Fact]
    public Task Fix_hashes_the_placeholder() => Verify<PersonalDataInKeyAnalyzer>.CodeFixAsync<PersonalDataInKeyFixer>(
        """
        public interface IUsers { [Cached("5m", "user:{|CG0001:{email}|}:profile")] Task<string> GetAsync(string email); }
        """,
        """
        public interface IUsers { [Cached("5m", "user:{email:hash}:profile")] Task<string> GetAsync(string email); }
        """);
}

public class LanguageVersionTests
{
    private const string Source = """
        public interface IRepo { [{|#0:Cached("5m")|}] Task<int> GetAsync(int id); Task WriteAsync(int id); }
        """;

    [Fact]
    public Task Below_CSharp_11_each_cached_method_is_reported() => Verify<LanguageVersionAnalyzer>.AnalyzerWithLanguageVersionAsync(
        Source,
        Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp10,
        [new DiagnosticResult(DiagnosticDescriptors.LanguageVersionTooOld).WithLocation(0).WithArguments("GetAsync", "10.0")]);

    [Fact]
    public Task From_CSharp_11_on_it_stays_silent() => Verify<LanguageVersionAnalyzer>.AnalyzerWithLanguageVersionAsync(
        Source.Replace("{|#0:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal),
        Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11,
        []);
}

public class InvalidSettingTests
{
    [Fact]
    public Task Negative_or_too_small_settings_fire_on_their_argument() => Verify<InvalidSettingAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", {|#0:MaxLocalEntries = -1|})] Task<int> A(int id);
            [Cached("5m", {|#1:MaxLocalEntries = 2|})] Task<int> B(int id);
            [Cached("5m", {|#2:MaxValueBytes = -5|}, {|#3:Version = -1|})] Task<int> C(int id);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.InvalidSetting).WithLocation(0).WithArguments("MaxLocalEntries", "-1", "A", "is negative: write a capacity of at least 3, 0 for the runtime's DefaultMaxLocalEntries, or LocalTtl = \"0s\" to keep the method out of L1"),
            new DiagnosticResult(DiagnosticDescriptors.InvalidSetting).WithLocation(1).WithArguments("MaxLocalEntries", "2", "B", "is below 3, the smallest L1 CachedGen keeps, so it would keep 3: write 3 or more, or LocalTtl = \"0s\" to keep the method out of L1"),
            new DiagnosticResult(DiagnosticDescriptors.InvalidSetting).WithLocation(3).WithArguments("Version", "-1", "C", "is negative: versions count up from 1 (the default); bump it to 2, 3... to change every key of the method"),
            new DiagnosticResult(DiagnosticDescriptors.InvalidSetting).WithLocation(2).WithArguments("MaxValueBytes", "-5", "C", "is negative: write the largest payload in bytes to write to Redis, or 0 for the runtime's DefaultMaxValueBytes"),
        ]);

    [Fact]
    public Task Defaults_zero_and_positive_settings_stay_silent() => Verify<InvalidSettingAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m")] Task<int> A(int id);
            [Cached("5m", MaxLocalEntries = 0, MaxValueBytes = 0, Version = 0)] Task<int> B(int id);
            [Cached("5m", MaxLocalEntries = 3, MaxValueBytes = 1, Version = 7)] Task<int> C(int id);
            [Cached("5m", LocalTtl = "0s")] Task<int> D(int id);
        }
        """);
}

public class LocalTtlBeyondTtlTests
{
    /// <summary>A LocalTtl longer than the TTL is reported on the LocalTtl argument, in any of the accepted forms; one equal
    /// to or shorter than the TTL, "0s", none at all, and one that does not parse (CG0003's) are not.</summary>
    [Fact]
    public Task A_local_ttl_longer_than_the_ttl_fires_on_its_argument() => Verify<LocalTtlBeyondTtlAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("1m", {|#0:LocalTtl = "5m"|})] Task<int> A(int id);
            [Cached("00:00:30", "b:{id}", {|#1:LocalTtl = "1h"|})] Task<int> B(int id);
            [Cached("5m", LocalTtl = "5m")] Task<int> C(int id);
            [Cached("5m", LocalTtl = "30s")] Task<int> D(int id);
            [Cached("5m", LocalTtl = "0s")] Task<int> E(int id);
            [Cached("5m")] Task<int> F(int id);
            [Cached("5m", LocalTtl = "soon")] Task<int> G(int id);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.LocalTtlBeyondTtl).WithLocation(0).WithArguments("A", "5m", "1m"),
            new DiagnosticResult(DiagnosticDescriptors.LocalTtlBeyondTtl).WithLocation(1).WithArguments("B", "1h", "00:00:30"),
        ]);
}

public class MissingTtlTests
{
    [Fact]
    public Task No_ttl_fires() => Verify<MissingTtlAnalyzer>.AnalyzerAsync("""
        public interface IRepo { [{|CG0002:Cached|}] int Get(int id); [{|CG0002:Cached(KeyTemplate = "x:{id}")|}] int Other(int id); }
        """);

    [Fact]
    public Task Ttl_or_assembly_default_stays_silent() => Verify<MissingTtlAnalyzer>.AnalyzerAsync("""
        [assembly: CachedDefaults(Ttl = "10m")]
        public interface IRepo { [Cached] int Get(int id); [Cached("1m")] int Other(int id); }
        """);

    [Fact]
    public Task Fix_adds_a_ttl() => Verify<MissingTtlAnalyzer>.CodeFixAsync<MissingTtlFixer>(
        """
        public interface IRepo { [{|CG0002:Cached(KeyTemplate = "x:{id}")|}] int Get(int id); }
        """,
        """
        public interface IRepo { [Cached("5m", KeyTemplate = "x:{id}")] int Get(int id); }
        """);
}

public class InvalidTtlTests
{
    [Fact]
    public Task Bad_ttls_fire() => Verify<InvalidTtlAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached({|CG0003:"5 minutes"|})] int A(int id);
            [Cached({|CG0003:"0s"|})] int B(int id);
            [Cached({|CG0003:"1h"|}, Sensitive = true)] int C(int id);
            [Cached("1m", {|CG0003:LocalTtl = "soon"|})] int D(int id);
        }
        """);

    /// <summary>"1:30" is no hh:mm:ss (it would read as an hour and a half where one may mean 90 seconds); "-1m" is
    /// negative, said as for "-00:01:00".</summary>
    [Fact]
    public Task A_two_part_time_and_a_negative_unit_ttl_fire_with_their_reason() => Verify<InvalidTtlAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached({|#0:"1:30"|})] int A(int id);
            [Cached({|#1:"-1m"|})] int B(int id);
            [Cached({|#2:"-00:01:00"|})] int C(int id);
        }
        """,
        [
            new DiagnosticResult("CG0003", DiagnosticSeverity.Error).WithLocation(0).WithArguments("TTL", "1:30", "A", "is not a duration: write 30s, 5m, 1h30m, 1d, 250ms or hh:mm:ss"),
            new DiagnosticResult("CG0003", DiagnosticSeverity.Error).WithLocation(1).WithArguments("TTL", "-1m", "B", "must be positive"),
            new DiagnosticResult("CG0003", DiagnosticSeverity.Error).WithLocation(2).WithArguments("TTL", "-00:01:00", "C", "must be positive"),
        ]);

    [Fact]
    public Task Sensitive_cap_applies_to_the_ttl_argument() => Verify<InvalidTtlAnalyzer>.AnalyzerAsync("""
        public interface IRepo { [Cached({|CG0003:"2h"|}, Sensitive = true)] int A(int id); [Cached("30m", Sensitive = true)] int B(int id); }
        """);

    [Fact]
    public Task Caps_come_from_editorconfig() => Verify<InvalidTtlAnalyzer>.AnalyzerAsync("""
        public interface IRepo { [Cached({|CG0003:"2d"|})] int A(int id); [Cached("12h")] int B(int id); [Cached("45m", Sensitive = true)] int C(int id); }
        """, ("cachedgen.max_ttl", "1d"), ("cachedgen.max_sensitive_ttl", "1h"));

    [Fact]
    public Task Good_ttls_stay_silent() => Verify<InvalidTtlAnalyzer>.AnalyzerAsync("""
        public interface IRepo { [Cached("30s")] int A(int id); [Cached("1h30m", LocalTtl = "0s")] int B(int id); [Cached("00:05:00")] int C(int id); }
        """);
}

public class InvalidKeyTemplateTests
{
    [Fact]
    public Task Malformed_templates_fire_at_the_span() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public sealed class Query { public Guid TenantId { get; set; } public List<int> Ids { get; set; } = new(); }
        public interface IRepo
        {
            [Cached("5m", "form:{|CG0004:{|}formId")] int A(int formId);
            [Cached("5m", "form:{|CG0004:{missing}|}")] int B(int formId);
            [Cached("5m", "t:{|CG0004:{query.Tenant}|}")] int C(Query query);
            [Cached("5m", "t:{|CG0004:{query.Ids}|}")] int D(Query query);
            [Cached("5m", "x:{|CG0004:{a}{b}|}")] int E(int a, int b);
            [Cached("5m", "x:{|CG0004:{ct}|}")] int F(int a, CancellationToken ct);
            [Cached("5m", "x:{|CG0004:{{|}id}}")] int G(int id);
        }
        """);

    /// <summary>A CancellationToken? is never part of a key, as a CancellationToken is: left out of the default key
    /// (no CG0004 asking for a member of it), and refused when a template names it.</summary>
    [Fact]
    public Task A_nullable_token_is_left_out_of_keys_like_a_token() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m")] Task<int> A(int id, CancellationToken? ct = null);
            [Cached("5m", "a:{id}")] ValueTask<int> B(int id, CancellationToken? ct = null);
            [Cached("5m", "c:{id}:{|#0:{ct}|}")] Task<int> C(int id, CancellationToken? ct = null);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("C", "'ct' is a CancellationToken, which is never part of a key"),
        ]);

    /// <summary>A member the key reads that is <c>[Obsolete(error: true)]</c> is CS0619 in generated code, which no
    /// <c>#pragma</c> suppresses: the method stays uncached and CG0004 says why, on the key and on a tag alike. A
    /// warning-obsolete member is read (the decorator suppresses CS0612 and CS0618).</summary>
    [Fact]
    public Task An_error_obsolete_member_in_a_key_path_fires() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        #pragma warning disable CS0612, CS0618
        public sealed class RouteQuery
        {
            public Guid FleetId { get; init; }
            [Obsolete("Use FleetId")] public int LegacyFleetNo { get; init; }
            [Obsolete("Removed", error: true)] public int DepotNo { get; init; }
            public Depot Depot { get; init; } = new();
        }
        public sealed class Depot { [Obsolete("Removed", true)] public Zone Zone { get; init; } = new(); public int Code { get; init; } }
        public sealed class Zone { public int Id { get; init; } }
        public interface IRouteQueries
        {
            [Cached("5m", "routes:{query.LegacyFleetNo}")] Task<int> CountAsync(RouteQuery query);
            [Cached("5m", "routes2:{|#0:{query.DepotNo}|}")] Task<int> Count2Async(RouteQuery query);
            [Cached("5m", "routes3:{|#1:{query.Depot.Zone.Id}|}")] Task<int> Count3Async(RouteQuery query);
            [Cached("5m", "routes4:{query.Depot.Code}")] Task<int> Count4Async(RouteQuery query);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("Count2Async", "'query.DepotNo' is [Obsolete(error: true)]: generated code cannot read it"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("Count3Async", "'query.Depot.Zone' is [Obsolete(error: true)]: generated code cannot read it"),
        ]);

    /// <summary>A null, empty or blank tag names no group of entries: reported where it is written.</summary>
    [Fact]
    public Task Null_empty_and_blank_tags_fire() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "x:{id}", Tags = [{|#0:null!|}, {|#1:""|}, {|#2:"  "|}, "t:{id}"])] Task<int> A(int id);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("A", "tag: null names no tag; remove it, or write the tag's text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("A", "tag: an empty tag names no group of entries: write its text (\"tenant:{tenantId}\")"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(2).WithArguments("A", "tag: a tag of white space only names no group of entries: write its text (\"tenant:{tenantId}\")"),
        ]);

    /// <summary>A tag placeholder is compared with the key's as resolved: <c>{ID}</c> names the parameter <c>id</c>, as
    /// it does in a key; a value the key does not hold is still reported.</summary>
    [Fact]
    public Task Tag_placeholders_match_the_keys_by_what_they_resolve_to() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public sealed record Query(Guid TenantId, int Page);
        public interface IRepo
        {
            [Cached("5m", "x:{id}", Tags = ["x:{ID}", "y:{@id}"])] Task<int> A(int id);
            [Cached("5m", "q:{query.TenantId}:{query.Page}", Tags = ["t:{Query.tenantId}"])] Task<int> B(Query query);
            [Cached("5m", "x:{id}", Tags = ["p:{|CG0004:{page}|}"])] Task<int> C(int id, [NotCacheKey] int page);
        }
        """);

    /// <summary>A strongly typed id (a struct with one field of a key type) is a key value, encoded as its field, as it
    /// is through a generic repository's <c>TKey</c>; a struct of two fields is not.</summary>
    [Fact]
    public Task A_strongly_typed_id_is_a_key_value_as_its_one_field_is() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public readonly record struct OrderId(Guid Value);
        public struct Sku { private readonly string _code; public Sku(string code) => _code = code; public override string ToString() => _code; }
        public readonly record struct Span2(int From, int To);
        public interface IRepo
        {
            [Cached("5m")] Task<int> ByIdAsync(OrderId id);
            [Cached("5m", "o:{id}")] Task<int> ByTemplateAsync(OrderId? id);
            [Cached("5m", "s:{sku}")] Task<int> BySkuAsync(Sku sku);
            [Cached("5m", "r:{|CG0004:{range}|}")] Task<int> ByRangeAsync(Span2 range);
        }
        """);

    [Fact]
    public Task A_default_key_with_a_parameter_it_cannot_encode_says_what_to_write_instead() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public readonly record struct Page(string? Search, int Number, Guid TenantId, List<int> Ids);
        public sealed class Opaque { public List<int> Ids { get; set; } = new(); }
        public interface IRepo
        {
            [Cached("5m")] Task<int> ListAsync(Page? {|#0:page|});
            [Cached("5m")] Task<int> FindAsync(Opaque {|#1:opaque|});
            [Cached("5m")] Task<int> AtAsync(nint {|#2:slot|});
            [Cached("5m")] Task<int> BigAsync(System.Numerics.BigInteger {|#3:big|});
            [Cached("5m")] Task<IReadOnlyDictionary<int, string>> ManyAsync(params int[] {|#4:ids|});
            [Cached("5m")] Task<int> SomeAsync(IReadOnlyList<Guid> {|#5:tenants|});
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(4)
                .WithArguments("ManyAsync", "the default key holds every parameter, and 'ids' is a 'int[]', which has no stable key encoding; to cache one entry per element, write the batch placeholder {ids[]} (see docs/batch.md), or mark 'ids' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(5)
                .WithArguments("SomeAsync", "the default key holds every parameter, and 'tenants' is a 'System.Collections.Generic.IReadOnlyList<System.Guid>', which has no stable key encoding; pass one value that has one instead (a string or number that stands for the whole set), or mark 'tenants' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("ListAsync", "the default key holds every parameter, and 'page' is a 'Page?', which has no stable key encoding; key on its members that change the result ({page.TenantId}, {page.Search}, {page.Number}), or mark 'page' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1)
                .WithArguments("FindAsync", "the default key holds every parameter, and 'opaque' is a 'Opaque', which has no stable key encoding; pass a value that has one (a string, number, enum, Guid or date, or a struct with one such field), or mark 'opaque' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(2)
                .WithArguments("AtAsync", "the default key holds every parameter, and 'slot' is a 'nint', which has no stable key encoding; pass a value that has one (a string, number, enum, Guid or date, or a struct with one such field), or mark 'slot' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(3)
                .WithArguments("BigAsync", "the default key holds every parameter, and 'big' is a 'System.Numerics.BigInteger', which has no stable key encoding; pass a value that has one (a string, number, enum, Guid or date, or a struct with one such field), or mark 'big' [NotCacheKey] if it does not change the result"),
        ]);

    /// <summary>Int128 and UInt128 are integers as the others are (docs/getting-started.md): in the default key, in a
    /// template, nullable, hashed, and as a batch's elements.</summary>
    [Fact]
    public Task Int128_and_UInt128_keys_stay_silent() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public sealed record Ledger(Int128 Account);
        public interface IRepo
        {
            [Cached("5m")] Task<int> A(Int128 account, UInt128 serial);
            [Cached("5m", "b:{account}:{serial}:{ledger.Account}")] Task<int> B(Int128? account, UInt128? serial, Ledger ledger);
            [Cached("5m", "c:{account:hash}")] Task<int> C(Int128 account);
            [Cached("5m", "d:{accounts[]}")] Task<IReadOnlyDictionary<UInt128, int>> D(UInt128[] accounts);
        }
        """);

    /// <summary>A placeholder naming a whole collection says how to cache one entry per element, as the default key's
    /// message does: the batch placeholder <c>{ids[]}</c>, where the method's result is a dictionary keyed by the element
    /// type and the template has no other batch placeholder, so that the batch form is accepted.</summary>
    [Fact]
    public Task A_collection_placeholder_points_to_the_batch_form_where_it_is_accepted() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public sealed class Query { public List<int> Ids { get; set; } = new(); }
        public interface IRepo
        {
            [Cached("5m", "k:{|#0:{ids}|}")] Task<IReadOnlyDictionary<int, string>> ManyAsync(int[] ids);
            [Cached("5m", "k:{|#1:{emails:hash}|}")] Task<Dictionary<string, int>> ByEmailAsync(IReadOnlyList<string> emails);
            [Cached("5m", "k:{|#2:{query.Ids}|}")] Task<int> QueryAsync(Query query);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("ManyAsync", "'ids' is a 'int[]', which has no stable key encoding; to cache one entry per element, write the batch placeholder {ids[]} (see docs/batch.md), or mark 'ids' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1)
                .WithArguments("ByEmailAsync", "'emails' is a 'System.Collections.Generic.IReadOnlyList<string>', which has no stable key encoding; to cache one entry per element, write the batch placeholder {emails[]:hash} (see docs/batch.md), or mark 'emails' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(2)
                .WithArguments("QueryAsync", "'query.Ids' is a 'System.Collections.Generic.List<int>', which has no stable key encoding (use a member of it, or a string, number, enum, Guid or date, or a struct with one such field)"),
        ]);

    /// <summary>Where the batch form would be refused (a result that is no dictionary keyed by the element type: CG0017;
    /// a second batch placeholder: CG0018), CG0004 does not send the reader there: it says to pass one value with an
    /// encoding (a <c>[Flags]</c> enum for a set of enum values), or to mark the parameter <c>[NotCacheKey]</c>.</summary>
    [Fact]
    public Task A_collection_placeholder_says_what_to_do_where_the_batch_form_is_refused() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public enum AppointmentStatus { Booked, CheckedIn, Completed, Cancelled }
        public interface IAppointmentCounts
        {
            [Cached("30s", "clinic:{clinicId}:count:{|#0:{statuses}|}")] Task<int> CountAsync(int clinicId, params AppointmentStatus[] statuses);
            [Cached("30s", "k:{|#1:{ids}|}")] Task<IReadOnlyDictionary<string, int>> ByKeyAsync(List<int> ids);
            [Cached("30s", "k:{ids[]}:{|#2:{others}|}")] Task<IReadOnlyDictionary<int, int>> TwoAsync(int[] ids, int[] others);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("CountAsync", "'statuses' is a 'AppointmentStatus[]', which has no stable key encoding; pass one value that has one instead (a [Flags] enum for a set of 'AppointmentStatus' values, or a string), or mark 'statuses' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1)
                .WithArguments("ByKeyAsync", "'ids' is a 'System.Collections.Generic.List<int>', which has no stable key encoding; pass one value that has one instead (a string or number that stands for the whole set), or mark 'ids' [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(2)
                .WithArguments("TwoAsync", "'others' is a 'int[]', which has no stable key encoding; pass one value that has one instead (a string or number that stands for the whole set), or mark 'others' [NotCacheKey] if it does not change the result"),
        ]);

    /// <summary>A placeholder naming a whole object (no collection) names the members to key on: every one that has an
    /// encoding, since a query object keyed on one of them shares entries between queries that differ in the others.</summary>
    [Fact]
    public Task An_object_placeholder_names_a_member_to_key_on() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public sealed class Filter { public string? Text { get; set; } public Guid ClinicId { get; set; } }
        public interface IRepo { [Cached("5m", "f:{|#0:{filter}|}")] Task<int> CountAsync(Filter filter); }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("CountAsync", "'filter' is a 'Filter', which has no stable key encoding; key on its members that change the result ({filter.ClinicId}, {filter.Text}), or mark 'filter' [NotCacheKey] if it does not change the result"),
        ]);

    /// <summary>A line break or other control character in a template is reported with its name and position. With an
    /// escape sequence in the literal the span is the whole string.</summary>
    [Fact]
    public Task Control_characters_in_a_template_fire_with_the_character_and_its_position() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", {|#0:"line1\nline2:{id}"|})] Task<int> A(int id);
            [Cached("5m", {|#1:"k:{id}\r\n"|})] Task<int> B(int id);
            [Cached("5m", {|#2:"k:\u2028{id}"|})] Task<int> C(int id);
            [Cached("5m", {|#3:"k:{id}\tx"|})] Task<int> D(int id);
            [Cached("5m", {|#4:KeyTemplate = "k:\u2029{id}"|})] Task<int> E(int id);
            [Cached("5m", {|#5:"\u0085k:{id}"|})] Task<int> F(int id);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("A", "contains a line break (U+000A) at position 5: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("B", "contains a carriage return (U+000D) at position 6: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(2).WithArguments("C", "contains a line separator (U+2028) at position 2: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(3).WithArguments("D", "contains a tab (U+0009) at position 6: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(4).WithArguments("E", "contains a paragraph separator (U+2029) at position 2: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(5).WithArguments("F", "contains a next-line character (U+0085) at position 0: Redis keys should be printable text"),
        ]);

    /// <summary>Written as itself in a verbatim string, the line break is still reported.</summary>
    [Fact]
    public Task A_line_break_written_in_a_verbatim_template_fires() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        "public interface IRepo { [Cached(\"5m\", {|#0:@\"k:\n{id}\"|})] Task<int> A(int id); }",
        [new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("A", "contains a line break (U+000A) at position 2: Redis keys should be printable text")]);

    /// <summary>Characters that are odd in a key but printable (comment and XML delimiters, quotes, backslashes,
    /// non-ASCII letters) are allowed.</summary>
    [Fact]
    public Task Printable_odd_characters_in_a_template_stay_silent() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "a*/b//c\"d\\e<f>&g ü:{id}", Tags = ["t*/<&>\\:{id}"])] Task<int> A(int id);
        }
        """);

    [Fact]
    public Task Valid_templates_stay_silent() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public enum Status { Draft, Published }
        public sealed class Query { public Guid TenantId { get; set; } public Status Status { get; set; } }
        public interface IRepo
        {
            [Cached("5m", "form:{formId}:schema")] int A(int formId);
            [Cached("5m", "t:{query.TenantId}/{query.Status}")] int B(Query query);
            [Cached("5m", "u:{email:hash}|{at}")] int C(string email, DateTimeOffset at);
        }
        """);
}

public class TagTemplateTests
{
    [Fact]
    public Task Bad_tags_fire_at_the_span() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "t:{tenantId}:p:{page}", Tags = ["tenant:{|CG0004:{|}tenantId", "t:{|CG0004:{missing}|}", "p:{|CG0004:{other}|}"])]
            Task<int> ListAsync(Guid tenantId, int page, [NotCacheKey] int other);
        }
        """);

    [Fact]
    public Task Tags_over_the_keys_placeholders_stay_silent() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync("""
        public sealed class Query { public Guid TenantId { get; set; } public int Page { get; set; } }
        public interface IRepo
        {
            [Cached("5m", "t:{tenantId}:p:{page}", Tags = ["tenant:{tenantId}:forms", "all-forms"])] Task<int> A(Guid tenantId, int page);
            [Cached("5m", "q:{query.TenantId}:{query.Page}", Tags = new[] { "tenant:{query.TenantId}" })] Task<int> B(Query query);
            [Cached("5m", Tags = ["user:{email:hash}"])] Task<int> C(string email);
        }
        """);

    [Fact]
    public Task Invalidated_tags_the_write_cannot_render_fire() => Verify<InvalidatesTagsAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [InvalidatesTags("tenant:{tenantId}:forms", "t:{|CG0006:{missing}|}", "x:{|CG0004:}|}", {|CG0004:""|}, {|CG0004:" "|})]
            Task SaveAsync(Guid tenantId, CancellationToken ct);
        }
        """);

    [Fact]
    public Task Control_characters_in_tag_templates_fire() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "t:{tenantId}", Tags = [{|#0:"tenant:\n{tenantId}"|}, "ok:{tenantId}", {|#1:"x\u2028"|}])] Task<int> A(Guid tenantId);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("A", "tag: contains a line break (U+000A) at position 7: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("A", "tag: contains a line separator (U+2028) at position 1: Redis keys should be printable text"),
        ]);

    [Fact]
    public Task Control_characters_in_invalidated_tags_fire() => Verify<InvalidatesTagsAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [InvalidatesTags("tenant:{tenantId}", {|#0:"t:\r\n{tenantId}"|}, {|#1:"\t"|})] Task SaveAsync(Guid tenantId);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("SaveAsync", "tag: contains a carriage return (U+000D) at position 2: Redis keys should be printable text"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("SaveAsync", "tag: contains a tab (U+0009) at position 0: Redis keys should be printable text"),
        ]);

    /// <summary><c>[InvalidatesTags(null!)]</c> (or a null among the tags) invalidates nothing: reported, not thrown on.</summary>
    [Fact]
    public Task Null_invalidated_tags_fire() => Verify<InvalidatesTagsAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "w:{id}", Tags = ["t:{id}"])] Task<int> GetAsync(int id);
            [InvalidatesTags({|#0:null!|})] Task SaveAsync(int id);
            [InvalidatesTags("t:{id}", {|#1:null!|})] Task DeleteAsync(int id);
            [InvalidatesTags({|#2:(string[])null!|})] Task MoveAsync(int id);
        }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("SaveAsync", "tag: null is not a tag template; name the tags the write invalidates, or remove the attribute"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("DeleteAsync", "tag: null is not a tag template; name the tags the write invalidates, or remove the attribute"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(2).WithArguments("MoveAsync", "tag: null is not a tag template; name the tags the write invalidates, or remove the attribute"),
        ]);

    [Fact]
    public Task Invalidated_tags_the_write_renders_stay_silent() => Verify<InvalidatesTagsAnalyzer>.AnalyzerAsync("""
        public sealed record Command(Guid TenantId, string Email);
        public interface IRepo
        {
            [InvalidatesTags("tenant:{command.TenantId}:forms", "user:{command.Email:hash}", "all-forms")]
            Task SaveAsync(Command command, CancellationToken ct);
            [InvalidatesTags("tenant:{tenantId}:forms")] void Delete(Guid tenantId);
        }
        """);
}

public class ParameterNotInKeyTests
{
    [Fact]
    public Task Missing_parameter_fires() => Verify<ParameterNotInKeyAnalyzer>.AnalyzerAsync("""
        public interface IRepo { [Cached("5m", "forms:{page}")] Task<int> ListAsync(Guid {|CG0005:tenantId|}, int page, CancellationToken ct); }
        """);

    [Fact]
    public Task Keys_not_cache_key_tokens_and_default_keys_stay_silent() => Verify<ParameterNotInKeyAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "t:{query.TenantId}:{page}")] Task<int> A(Query query, int page, [NotCacheKey] string traceId, CancellationToken ct);
            [Cached("5m")] Task<int> B(Guid tenantId, int page);
            [Cached("5m", "c:{page}")] Task<int> C(int page, CancellationToken? ct = null);
        }
        public sealed class Query { public Guid TenantId { get; set; } }
        """);

    /// <summary>A template CG0004 refuses (here a typo: no parameter is named <c>bookId</c>) leaves the method uncached:
    /// its parameters are not reported as left out of a key that does not exist.</summary>
    [Fact]
    public Task A_template_cg0004_refuses_stays_silent() => Verify<ParameterNotInKeyAnalyzer>.AnalyzerAsync("""
        public interface IRepo { [Cached("5m", "book:{bookId}")] Task<int> GetAsync(int id); }
        """);

    [Fact]
    public Task Caller_information_parameters_stay_silent() => Verify<ParameterNotInKeyAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "forms:{page}")]
            Task<int> ListAsync(int page, [System.Runtime.CompilerServices.CallerMemberName] string caller = "", [System.Runtime.CompilerServices.CallerLineNumber] int line = 0);
        }
        """);

    [Fact]
    public Task Fix_adds_the_parameter_to_the_template() => Verify<ParameterNotInKeyAnalyzer>.CodeFixAsync<ParameterNotInKeyFixer>(
        """
        public interface IRepo { [Cached("5m", "forms:{page}")] Task<int> ListAsync(Guid {|CG0005:tenantId|}, int page); }
        """,
        """
        public interface IRepo { [Cached("5m", "forms:{page}:{tenantId}")] Task<int> ListAsync(Guid tenantId, int page); }
        """);

    /// <summary>The message says what to do: for a parameter a key can encode, add it; for one it cannot (an array), key on a
    /// value that has an encoding or a member of it, since adding the parameter itself would be CG0004.</summary>
    [Fact]
    public Task The_message_says_what_a_parameter_without_a_key_encoding_needs() => Verify<ParameterNotInKeyAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("30s", "c:{clinicId}")] Task<int> CountAsync(int clinicId, int[] {|#0:statuses|}, Guid {|#1:tenantId|});
        }
        """,
        [
            new DiagnosticResult("CG0005", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("statuses", "CountAsync", "it has no stable key encoding, so key on a member of it or on a value that has one (a [Flags] enum, a string) and add that to the template, or mark it [NotCacheKey] if it does not change the result"),
            new DiagnosticResult("CG0005", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("tenantId", "CountAsync", "add it to the template or mark it [NotCacheKey]"),
        ]);

    /// <summary>A parameter whose type has no key encoding (an array of enum values) is not offered the template fix:
    /// <c>{statuses}</c> would be CG0004. Marking it <c>[NotCacheKey]</c> is the one fix offered.</summary>
    [Fact]
    public Task Fix_does_not_add_a_parameter_with_no_key_encoding_to_the_template() => Verify<ParameterNotInKeyAnalyzer>.CodeFixAsync<ParameterNotInKeyFixer>(
        """
        public enum AppointmentStatus { Booked, CheckedIn, Completed, Cancelled }
        public interface IAppointmentCounts
        {
            [Cached("30s", "clinic:{clinicId}:count")]
            Task<int> CountAsync(int clinicId, params AppointmentStatus[] {|CG0005:statuses|});
        }
        """,
        """
        public enum AppointmentStatus { Booked, CheckedIn, Completed, Cancelled }
        public interface IAppointmentCounts
        {
            [Cached("30s", "clinic:{clinicId}:count")]
            Task<int> CountAsync(int clinicId, [NotCacheKey] params AppointmentStatus[] statuses);
        }
        """);

    /// <summary>A strongly typed id and an enum have a key encoding: the template fix is offered for them, first.</summary>
    [Fact]
    public Task Fix_adds_a_strongly_typed_id_to_the_template() => Verify<ParameterNotInKeyAnalyzer>.CodeFixAsync<ParameterNotInKeyFixer>(
        """
        public readonly record struct ClinicId(Guid Value);
        public interface IRepo { [Cached("5m", "count")] Task<int> CountAsync(ClinicId {|CG0005:clinic|}); }
        """,
        """
        public readonly record struct ClinicId(Guid Value);
        public interface IRepo { [Cached("5m", "count:{clinic}")] Task<int> CountAsync(ClinicId clinic); }
        """);

    [Fact]
    public Task Fix_marks_the_parameter_not_cache_key() => Verify<ParameterNotInKeyAnalyzer>.CodeFixAsync<ParameterNotInKeyFixer>(
        """
        public interface IRepo { [Cached("5m", "forms:{page}")] Task<int> ListAsync(string {|CG0005:traceId|}, int page); }
        """,
        """
        public interface IRepo { [Cached("5m", "forms:{page}")] Task<int> ListAsync([NotCacheKey] string traceId, int page); }
        """,
        codeActionIndex: 1);
}

public class UnworkableInvalidationTests
{
    [Fact]
    public Task Unknown_ambiguous_and_unfillable_names_fire() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "form:{formId}", {|CG0006:"Missing"|}, {|CG0006:nameof(Save)|}, {|CG0006:nameof(Rename)|}, {|CG0006:"IOther.Update"|})]
            Task<string> GetAsync(int formId);
            Task Save(int formId);
            Task Save(int formId, string name);
            Task Rename(string name);
        }
        """);

    /// <summary>A null among the names is reported where it stands, and the names after it keep their locations.</summary>
    [Fact]
    public Task A_null_name_fires_and_the_next_name_keeps_its_location() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "k:{id}", {|#0:null!|}, nameof(SaveAsync), {|#1:"Missing"|})]
            Task<int> GetAsync(int id);
            Task SaveAsync(int id);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0).WithArguments("null", "GetAsync", "null names no write method; remove it, or name one with nameof"),
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(1).WithArguments("Missing", "GetAsync", "no method named 'Missing' on 'IRepo'"),
        ]);

    /// <summary>A write whose result defers its work (an async stream, an iterator) cannot be followed: the decorator
    /// would invalidate before the work runs. A materialized collection can.</summary>
    [Fact]
    public Task A_write_whose_result_defers_its_work_says_why() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "k:{id}", {|#0:nameof(Import)|}, {|#1:nameof(Replay)|}, nameof(Apply), nameof(ApplyAll))]
            Task<int> GetAsync(int id);
            IAsyncEnumerable<int> Import(int id);
            IEnumerable<int> Replay(int id);
            IReadOnlyList<int> Apply(int id);
            Task<IReadOnlyList<int>> ApplyAll(int id);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0).WithArguments("Import", "GetAsync", "its result, a 'IAsyncEnumerable<int>', is an asynchronous stream, whose body (an async iterator's) runs as the caller enumerates it: that work runs after the decorator has followed the write, and an entry read in between would stay stale for its TTL; return Task, ValueTask or a materialized result (IReadOnlyList<T>, T[]), or invalidate with ICacheInvalidator once the work has run"),
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(1).WithArguments("Replay", "GetAsync", "its result, a 'IEnumerable<int>', may be an iterator, whose body runs as the caller enumerates it: that work runs after the decorator has followed the write, and an entry read in between would stay stale for its TTL; return Task, ValueTask or a materialized result (IReadOnlyList<T>, T[]), or invalidate with ICacheInvalidator once the work has run"),
        ]);

    /// <summary>A static or sealed interface member is the interface's own: no decorator implements it, so none sees
    /// it called and nothing is invalidated. Said as for [InvalidatesTags] and [CachePut] on such a member, also when
    /// the write is another interface's (type-qualified).</summary>
    [Fact]
    public Task A_static_or_sealed_write_says_no_decorator_implements_it() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface ICommands { static Task Purge(int depotId) => Task.CompletedTask; Task OtherAsync(); }
        public interface IDepots
        {
            [Cached("10m", "depot:{depotId}", {|#0:nameof(Close)|}, {|#1:nameof(Archive)|}, {|#2:$"{nameof(ICommands)}.{nameof(ICommands.Purge)}"|}, nameof(RenameAsync))]
            Task<string> GetNameAsync(int depotId);
            static Task Close(int depotId) => Task.CompletedTask;
            sealed Task Archive(int depotId) => Task.CompletedTask;
            Task RenameAsync(int depotId, string name);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0).WithArguments("Close", "GetNameAsync", "it is a static or sealed interface member, which a decorator does not implement: make it an abstract instance method"),
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(1).WithArguments("Archive", "GetNameAsync", "it is a static or sealed interface member, which a decorator does not implement: make it an abstract instance method"),
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(2).WithArguments("ICommands.Purge", "GetNameAsync", "it is a static or sealed interface member, which a decorator does not implement: make it an abstract instance method"),
        ]);

    [Fact]
    public Task A_write_whose_parameter_has_another_type_or_may_be_null_says_so() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public sealed record Account(int Id);
        public interface IRepo
        {
            [Cached("5m", "account:{id}", {|#0:nameof(RemoveAsync)|}, {|#1:nameof(UpdateAsync)|})]
            Task<Account?> GetAsync(int id);
            Task RemoveAsync(long id);
            Task UpdateAsync(Account? account);
        }
        """,
        [
            new DiagnosticResult("CG0006", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("RemoveAsync", "GetAsync", "none of its parameters supplies 'id' of the key: 'id' is 'long' there and 'id' is 'int' in the key: the types must be the same"),
            new DiagnosticResult("CG0006", DiagnosticSeverity.Error).WithLocation(1)
                .WithArguments("UpdateAsync", "GetAsync", "none of its parameters supplies 'id' of the key: 'account.Id' may be null there (through a nullable parameter or member) and 'id' of the key may not"),
        ]);

    [Fact]
    public Task An_overloaded_write_says_what_to_write_instead() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public sealed record Order(int Id);
        public interface IRepo
        {
            [Cached("5m", "order:{id}", {|#0:nameof(DeleteAsync)|})]
            Task<Order?> GetAsync(int id);
            Task DeleteAsync(int id);
            Task DeleteAsync(Order order);
        }
        """,
        [
            new DiagnosticResult("CG0006", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("DeleteAsync", "GetAsync", "'DeleteAsync' is ambiguous (2 overloads): give the write that invalidates a name of its own, or tag the entries ([Cached(Tags = ...)]) and put [InvalidatesTags] on each overload"),
        ]);

    [Fact]
    public Task Workable_invalidations_stay_silent() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync("""
        public sealed record Doc(Guid TenantId, int DocId);
        public interface IRepo
        {
            [Cached("5m", "t:{tenantId}:d:{docId}", nameof(Save), nameof(Rename))]
            Task<string> GetAsync(Guid tenantId, int docId);
            Task Save(Doc doc);
            void Rename(int docId, Guid tenantId, string name);
        }
        """);

    [Fact]
    public Task Fix_uses_nameof() => Verify<InvalidationByStringAnalyzer>.CodeFixAsync<UnworkableInvalidationFixer>(
        """
        public interface IRepo { [Cached("5m", "f:{id}", {|CG0015:"Save"|})] Task<string> GetAsync(int id); Task Save(int id); }
        """,
        """
        public interface IRepo { [Cached("5m", "f:{id}", nameof(Save))] Task<string> GetAsync(int id); Task Save(int id); }
        """);

    /// <summary>After a null name (CG0006's), the literal that follows is still the one reported.</summary>
    [Fact]
    public Task A_null_name_before_a_literal_does_not_shift_its_location() => Verify<InvalidationByStringAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "k:{id}", null!, {|CG0015:"SaveAsync"|})] Task<int> GetAsync(int id);
            Task SaveAsync(int id);
        }
        """);

    [Fact]
    public Task A_string_naming_a_working_write_is_advice_not_an_error() => Verify<InvalidationByStringAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "f:{id}", {|CG0015:"Save"|}, "Missing", nameof(Save))]
            Task<string> GetAsync(int id);
            Task Save(int id);
        }
        """);

    [Fact]
    public Task Workable_writes_of_another_interface_stay_silent() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync("""
        public interface IQueries
        {
            [Cached("5m", "f:{formId}", $"{nameof(ICommands)}.{nameof(ICommands.UpdateAsync)}", $"{nameof(ICommands)}.{nameof(ICommands.Delete)}")]
            Task<string> GetAsync(int formId);
        }
        public interface ICommands { Task UpdateAsync(int formId, string name); void Delete(int formId); }
        """);

    [Fact]
    public Task Unworkable_writes_of_another_interface_fire() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync("""
        public interface IQueries
        {
            [Cached("5m", "f:{formId}", {|CG0006:$"{nameof(ICommands)}.Missing"|}, {|CG0006:$"{nameof(ICommands)}.{nameof(ICommands.Rename)}"|}, {|CG0006:"Commands.Save"|}, "ICommands.Save")]
            Task<string> GetAsync(int formId);
        }
        public interface ICommands { Task Rename(string name); Task Save(int formId); }
        public sealed class Commands { public void Save(int formId) { } }
        """);

    [Fact]
    public Task Fix_uses_nameof_for_both_parts_of_a_qualified_name() => Verify<InvalidationByStringAnalyzer>.CodeFixAsync<UnworkableInvalidationFixer>(
        """
        public interface IQueries { [Cached("5m", "f:{id}", {|CG0015:"ICommands.Save"|})] Task<string> GetAsync(int id); }
        public interface ICommands { Task Save(int id); }
        """,
        """
        public interface IQueries { [Cached("5m", "f:{id}", $"{nameof(ICommands)}.{nameof(ICommands.Save)}")] Task<string> GetAsync(int id); }
        public interface ICommands { Task Save(int id); }
        """);
}

public class UncacheableMethodTests
{
    [Fact]
    public Task Uncacheable_shapes_fire() => Verify<UncacheableMethodAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("1m")] Task {|CG0007:SaveAsync|}(int id);
            [Cached("1m")] void {|CG0007:Touch|}(int id);
            [Cached("1m")] ValueTask {|CG0007:PingAsync|}();
            [Cached("1m")] T {|CG0007:Get|}<T>(int id);
            [Cached("1m")] bool {|CG0007:TryGet|}(int id, out string value);
            [Cached("1m")] IAsyncEnumerable<int> {|CG0007:StreamAsync|}(int id);
            [Cached("1m")] System.IO.Stream {|CG0007:Open|}(int id);
            [Cached("1m")] System.Linq.IQueryable<int> {|CG0007:Query|}(int id);
            [Cached("1m")] Task<System.Net.Http.HttpClient> {|CG0007:ClientAsync|}(int id);
        }
        public sealed class Standalone { [Cached("1m")] public int {|CG0007:Get|}(int id) => id; }
        """);

    [Fact]
    public Task Cacheable_shapes_stay_silent() => Verify<UncacheableMethodAnalyzer>.AnalyzerAsync("""
        public interface IRepo { int Get(int id); Task<int> GetAsync(int id); ValueTask<IReadOnlyList<int>> ListAsync(int page); }
        public sealed class Repo : IRepo
        {
            [Cached("1m")] public int Get(int id) => id;
            [Cached("1m")] public Task<int> GetAsync(int id) => Task.FromResult(id);
            [Cached("1m")] public ValueTask<IReadOnlyList<int>> ListAsync(int page) => new(new[] { page });
        }
        """);
}

public class UnserializableResultTests
{
    [Fact]
    public Task Unserializable_results_fire() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync("""
        public interface IShape { }
        public abstract class Animal { }
        public sealed class Holder { public object? Payload { get; set; } }
        public sealed class Callback { public Action? OnChange { get; set; } }
        public sealed class Hidden { private Hidden(int x) { } public int X { get; set; } }
        public class Payment { public decimal Amount { get; set; } }
        public class CardPayment : Payment { public string Last4 { get; set; } = ""; }
        public sealed class Receipt { public Payment? Payment { get; set; } }
        public class Named { public string Name { get; set; } = ""; }
        public sealed class Renamed : Named { public new string Name { get; set; } = ""; }
        public interface IRepo
        {
            [Cached("1m")] Task<Payment> {|CG0008:PaymentAsync|}(int id);
            [Cached("1m")] Task<Receipt> {|CG0008:ReceiptAsync|}(int id);
            [Cached("1m")] Task<Renamed> {|CG0008:RenamedAsync|}(int id);
            [Cached("1m")] Task<IShape> {|CG0008:ShapeAsync|}(int id);
            [Cached("1m")] Animal {|CG0008:Animal|}(int id);
            [Cached("1m")] Holder {|CG0008:Hold|}(int id);
            [Cached("1m")] Callback {|CG0008:Call|}(int id);
            [Cached("1m")] Hidden {|CG0008:Hide|}(int id);
        }
        """);

    /// <summary>A [Union] base is written with its subtype's key and read back as that subtype: its own constructor does
    /// not matter (an abstract class has none public), each subtype's members do.</summary>
    [Fact]
    public Task A_union_base_is_judged_by_its_subtypes() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync(
        """
        [MessagePack.Union(0, typeof(Circle))]
        [MessagePack.Union(1, typeof(Square))]
        public abstract class Shape { public string Name { get; set; } = ""; }
        public sealed class Circle : Shape { public double R { get; set; } }
        public sealed class Square : Shape { public double Side { get; set; } }

        [MessagePack.Union(0, typeof(Good))]
        [MessagePack.Union(1, typeof(Loose))]
        public abstract class Part { }
        public sealed class Good : Part { public int A { get; set; } }
        public sealed class Loose : Part { public object? Anything { get; set; } }

        public interface IRepo
        {
            [Cached("1m")] Task<Shape> ShapeAsync(int id);
            [Cached("1m")] Task<IReadOnlyList<Shape>> ShapesAsync(int id);
            [Cached("1m")] Task<Part> {|#0:PartAsync|}(int id);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnserializableResult).WithLocation(0)
                .WithArguments("PartAsync", "member 'Loose.Anything' is 'object', whose concrete type is lost on the round trip"),
        ]);

    [Fact]
    public Task Messages_say_where_and_why() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync(
        """
        public interface IShape { }
        public sealed class Holder { public object? Payload { get; set; } }
        public sealed record Outer(int Id, Inner Inner);
        public sealed record Inner(Func<int> Compute);
        public class Payment { public decimal Amount { get; set; } }
        public class CardPayment : Payment { public string Last4 { get; set; } = ""; }
        public sealed class Receipt { public Payment? Payment { get; set; } }
        public class Sized { public int Size { get; set; } }
        public sealed class Resized : Sized { public new long Size { get; set; } }
        public interface IRepo
        {
            [Cached("1m")] Task<IShape> {|#0:ShapeAsync|}(int id);
            [Cached("1m")] Holder {|#1:Hold|}(int id);
            [Cached("1m")] Outer {|#2:Nested|}(int id);
            [Cached("1m")] Receipt {|#3:Receipt|}(int id);
            [Cached("1m")] Resized {|#4:Resized|}(int id);
        }
        """,
        [
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("ShapeAsync", "the result is the interface 'IShape', which has no formatter (declare its implementations with [Union])"),
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("Hold", "member 'Holder.Payload' is 'object', whose concrete type is lost on the round trip"),
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(2)
                .WithArguments("Nested", "member 'Inner.Compute' is the delegate 'Func<int>'"),
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(3)
                .WithArguments("Receipt", "member 'Receipt.Payment' is 'Payment', which is not sealed, and 'CardPayment' derives from it: MessagePack writes the declared type, so a CardPayment is read back as a Payment, without 'Last4'; cache a type per subclass, a DTO, or declare the subclasses with [Union] on an abstract base"),
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(4)
                .WithArguments("Resized", "the result is 'Resized', whose 'Sized.Size' is hidden by a member of the same name ('new'): only the derived one is written, so the base one comes back as its default; rename one, or mark the base one [IgnoreMember] if it holds the same value"),
        ]);

    /// <summary>The DDD aggregate shape: a private list behind a computed property. The property is written and nothing
    /// reads it back into the list, so a value read from Redis has no items; nested too. Computed properties over written
    /// members, a lazy cache the getter fills, and get-only auto-properties stay silent.</summary>
    [Fact]
    public Task A_computed_property_over_an_unwritten_field_fires() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync("""
        public sealed class BasketItem { public int ProductId { get; set; } public int Quantity { get; set; } }
        public sealed class Basket
        {
            private readonly List<BasketItem> _items = new();
            public int Id { get; private set; }
            public IReadOnlyCollection<BasketItem> Items => _items.AsReadOnly();
        }
        public sealed class Customer { public int Id { get; set; } public Basket Basket { get; set; } = new(); }
        public sealed record Line(decimal Price, int Quantity) { public decimal Total => Price * Quantity; }
        public sealed class Slugged
        {
            private string? _slug;
            public string Name { get; set; } = "";
            public string Slug => _slug ??= Name.ToLowerInvariant();
            public int Version { get; }
            public Slugged(int version) => Version = version;
        }
        public interface IRepo
        {
            [Cached("1m")] Task<Basket?> {|#0:GetBasketAsync|}(int id);
            [Cached("1m")] Task<Customer?> {|#1:GetCustomerAsync|}(int id);
            [Cached("1m")] Task<Line?> GetLineAsync(int id);
            [Cached("1m")] Task<Slugged?> GetSluggedAsync(int id);
        }
        """,
        [
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("GetBasketAsync", "the result is 'Basket', whose 'Items' is computed from '_items', which is not written: read back from Redis it comes back without it; make 'Items' an auto-property ('{ get; private set; }'), or cache a DTO"),
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("GetCustomerAsync", "member 'Customer.Basket' is 'Basket', whose 'Items' is computed from '_items', which is not written: read back from Redis it comes back without it; make 'Items' an auto-property ('{ get; private set; }'), or cache a DTO"),
        ]);

    [Fact]
    public Task Serializable_results_stay_silent() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync("""
        public sealed record Field(string Name, bool Required);
        public sealed record Form(int Id, string Title, IReadOnlyList<Field> Fields, Dictionary<string, int> Counts, DateTimeOffset At);
        public sealed class Plain { public int X { get; set; } }
        public class Product { protected Product() { } public Product(string name) => Name = name; public int Id { get; private set; } public string Name { get; private set; } = ""; }
        public class Dto { public int X { get; set; } }
        public class Base { public int X { get; set; } public virtual int Y { get; set; } }
        public class SameShape : Base { public override int Y { get; set; } }
        public interface IRepo
        {
            [Cached("1m")] Task<Product?> ProductAsync(int id);
            [Cached("1m")] Task<Dto?> DtoAsync(int id);
            [Cached("1m")] Task<Base?> BaseAsync(int id);
            [Cached("1m")] Task<SameShape?> SameAsync(int id);
            [Cached("1m")] Task<Form?> FormAsync(int id);
            [Cached("1m")] ValueTask<IReadOnlyList<Form>> ListAsync(int page);
            [Cached("1m")] Plain Get(int id);
            [Cached("1m")] string Name(int id);
        }
        """);
}

public class PersonalDataInValueTests
{
    [Fact]
    public Task Personal_members_fire() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync("""
        public sealed record Contact(string Email);
        public sealed record Customer(int Id, Contact Contact);
        public sealed record Patient(int Id, [property: PersonalData] string Diagnosis);
        public interface IRepo
        {
            [{|CG0009:Cached("5m")|}] Task<Customer?> GetAsync(int id);
            [{|CG0009:Cached("5m")|}] Patient Patient(int id);
        }
        """);

    /// <summary>Flags named like personal data (HasPhone, VerifiedEmail) hold none: a value with only those does not
    /// fire; a marked flag does.</summary>
    [Fact]
    public Task Boolean_flags_named_like_personal_data_do_not_fire() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync("""
        public sealed record DriverSummary(Guid Id, string DisplayName, bool HasPhone, bool VerifiedEmail, bool? HasMobile);
        public sealed record Marked(Guid Id, [property: PersonalData] bool HasCriminalRecord);
        public interface IDrivers
        {
            [Cached("5m")] Task<DriverSummary?> GetSummaryAsync(Guid id);
            [{|CG0009:Cached("5m")|}] Task<Marked?> GetMarkedAsync(Guid id);
        }
        """);

    [Fact]
    public Task Message_gives_the_path_to_the_personal_member() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync(
        """
        public sealed record Contact(string Email);
        public sealed record Customer(int Id, Contact Contact);
        [PersonalData] public readonly record struct TaxNumber(string Value);
        public sealed record Order(int Id, IReadOnlyList<TaxNumber> Taxes);
        public sealed record Receipt(int Id, Contact Contact);
        public interface IRepo
        {
            [{|#0:Cached("5m")|}] Task<Customer?> GetAsync(int id);
            [{|#1:Cached("5m")|}] Task<TaxNumber> TaxAsync(int id);
            [{|#2:Cached("5m", Sensitive = false)|}] Task<Receipt> ReceiptAsync(int id);
            [{|#3:Cached("5m")|}] Task<Order> OrderAsync(int id);
        }
        """,
        [
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("GetAsync", "Customer.Contact → Contact.Email"),
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("TaxAsync", "TaxNumber"),
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(2).WithArguments("ReceiptAsync", "Receipt.Contact → Contact.Email"),
            // A personal type inside a collection member: the path ends at the member that holds it.
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(3).WithArguments("OrderAsync", "Order.Taxes"),
        ]);

    [Fact]
    public Task Personal_data_marked_on_a_record_parameter_fires() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync("""
        public sealed record Customer(int Id, [PersonalData] string Contact);
        public interface ICustomers { [{|CG0009:Cached("5m")|}] Task<Customer?> GetAsync(int id); }
        """);

    [Fact]
    public Task Sensitive_or_clean_values_stay_silent() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync("""
        public sealed record Contact(string Email);
        public sealed record Form(int Id, string Title);
        public interface IRepo
        {
            [Cached("5m", Sensitive = true)] Task<Contact?> GetAsync(int id);
            [Cached("5m")] Task<Form?> FormAsync(int id);
        }
        """);

    [Fact]
    public Task Fix_marks_sensitive() => Verify<PersonalDataInValueAnalyzer>.CodeFixAsync<PersonalDataInValueFixer>(
        """
        public sealed record Contact(string Email);
        public interface IRepo { [{|CG0009:Cached("5m")|}] Task<Contact?> GetAsync(int id); }
        """,
        """
        public sealed record Contact(string Email);
        public interface IRepo { [Cached("5m", Sensitive = true)] Task<Contact?> GetAsync(int id); }
        """);
}

public class SameKeyShapeTests
{
    /// <summary>A method whose template CG0004 refuses is not cached: it shares no entry with a method of the same
    /// shape.</summary>
    [Fact]
    public Task A_method_whose_template_cg0004_refuses_shares_nothing() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync("""
        public sealed record BookDto(int Id, string Title);
        public interface IRepo
        {
            [Cached("5m", "book:{bookId}")] Task<BookDto?> GetAsync(int id);
            [Cached("5m", "book:{id}")] Task<BookDto?> FindAsync(int id);
        }
        """);

    [Fact]
    public Task Same_shape_with_other_type_fires() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync("""
        public interface IForms { [Cached("5m", "form:{id}")] Task<string> TitleAsync(int id); }
        public interface IOther { [Cached("5m", "form:{formId}")] Task<int> {|CG0010:CountAsync|}(int formId); }
        """);

    /// <summary>The message names each method with its interface: two interfaces often share method names.</summary>
    [Fact]
    public Task The_message_names_the_interfaces() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync(
        """
        public interface IA { [Cached("1m", "same:{id}")] Task<string?> Get(int id); }
        public interface IB { [Cached("1m", "same:{id}")] Task<int> {|#0:Get|}(int id); }
        """,
        [new DiagnosticResult(DiagnosticDescriptors.SameKeyShape).WithLocation(0).WithArguments("IB.Get", "IA.Get", "same:{}#v1",
            "but return different types: the version segment keeps their entries apart, but the keys read as one thing while meaning two, and an invalidation of one never reaches the other")]);

    /// <summary>Interfaces of one name in two namespaces are told apart by their namespaces.</summary>
    [Fact]
    public Task Interfaces_of_one_name_are_named_with_their_namespaces() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync(
        """
        namespace Shop { public interface IItemRepo { [Cached("1m", "items:{id}")] Task<string?> ListAsync(int id); } }
        namespace Admin { public interface IItemRepo { [Cached("1m", "items:{id}")] Task<int> {|#0:ListAsync|}(int id); } }
        """,
        [new DiagnosticResult(DiagnosticDescriptors.SameKeyShape).WithLocation(0).WithArguments("Admin.IItemRepo.ListAsync", "Shop.IItemRepo.ListAsync", "items:{}#v1",
            "but return different types: the version segment keeps their entries apart, but the keys read as one thing while meaning two, and an invalidation of one never reaches the other")]);

    /// <summary>Two methods of one value type with one key shape read and write one entry: a name and a plate of a
    /// vehicle, both strings, would each serve the other's.</summary>
    [Fact]
    public Task Same_type_and_shape_fires_as_one_shared_entry() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync(
        """
        public interface IVehicleNames { [Cached("1m", "vehicle:{id}")] Task<string> NameAsync(int id); }
        public interface IVehiclePlates { [Cached("1m", "vehicle:{id}")] Task<string> {|#0:PlateAsync|}(int id); }
        """,
        [new DiagnosticResult(DiagnosticDescriptors.SameKeyShape).WithLocation(0).WithArguments("IVehiclePlates.PlateAsync", "IVehicleNames.NameAsync", "vehicle:{}#v1",
            "and return the same type: they read and write one entry, so each can serve what the other's source returned, and an invalidation of one leaves the other's L1 copies")]);

    /// <summary>A batch method and its single twin share entries by design, as do two generic repositories over one
    /// entity; another shape or version stays apart.</summary>
    [Fact]
    public Task Twins_generic_repositories_and_other_shapes_stay_silent() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync("""
        public interface IForms { [Cached("5m", "form:{id}")] Task<string> TitleAsync(int id); [Cached("5m", "form:{id}:count")] Task<int> CountAsync(int id); }
        public interface IOther { [Cached("5m", "form:{id}", Version = 2)] Task<long> SizeAsync(int id); }
        public interface ITitles { [Cached("5m", "form:{ids[]}")] Task<IReadOnlyDictionary<int, string>> TitlesAsync(IReadOnlyCollection<int> ids); }
        """);

    [Fact]
    public Task Cached_on_a_base_class_that_does_not_declare_the_interface_says_where_to_put_it() => Verify<UncacheableMethodAnalyzer>.AnalyzerAsync("""
        public class Entity { public int Id { get; set; } }
        public sealed class Order : Entity { }
        public interface IFindRepository<T> where T : Entity { Task<T?> FindAsync(int id); }
        public abstract class EfBase<T> where T : Entity
        {
            [Cached("5m", "{T}:{id}")]
            public virtual Task<T?> {|#0:FindAsync|}(int id) => Task.FromResult<T?>(null);
        }
        public sealed class OrderFinder : EfBase<Order>, IFindRepository<Order> { }
        """,
        [
            new DiagnosticResult("CG0007", DiagnosticSeverity.Error).WithLocation(0).WithArguments("FindAsync",
                "it implements no interface method, and decorators wrap interfaces: put [Cached] on the interface's method, or declare the interface on 'EfBase' itself"),
        ]);

    [Fact]
    public Task A_write_tag_naming_a_type_parameter_says_a_tag_does_not_render_it() => Verify<InvalidatesTagsAnalyzer>.AnalyzerAsync("""
        public interface IRepository<T> where T : class
        {
            [InvalidatesTags("{|#0:{T}|}:list")]
            Task AddAsync(T entity);
        }
        """,
        [
            new DiagnosticResult("CG0006", DiagnosticSeverity.Error).WithLocation(0).WithArguments("AddAsync", "tag {T}:list",
                "its parameters cannot fill the tag template: '{T}' names a type parameter, which a tag does not render: write the type's name as text (\"orders:list\"), or use the write's parameters only"),
        ]);

    [Fact]
    public Task Generic_interfaces_returning_the_same_type_parameter_stay_silent() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync("""
        public interface IEntity<TKey> { TKey Id { get; } }
        public interface IRepository<TEntity, TKey> where TEntity : class, IEntity<TKey> { [Cached("5m", "{TEntity}:{id}")] Task<TEntity?> GetByIdAsync(TKey id); }
        public interface IReadRepository<T, TId> where T : class { [Cached("5m", "{T}:{id}")] Task<T?> FindAsync(TId id); }
        """);

    [Fact]
    public Task Generic_interfaces_returning_other_shapes_of_a_type_parameter_fire() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync("""
        public interface IRepository<TEntity, TKey> where TEntity : class { [Cached("5m", "{TEntity}:{id}")] Task<TEntity?> GetByIdAsync(TKey id); }
        public interface IListRepository<TEntity, TKey> where TEntity : class { [Cached("5m", "{TEntity}:{id}")] Task<List<TEntity>> {|CG0010:ListAsync|}(TKey id); }
        public interface ISwapped<TKey, TEntity> where TEntity : class { [Cached("5m", "{TEntity}:{id}")] Task<TEntity?> {|CG0010:GetAsync|}(TKey id); }
        """);
}

public class MutableCachedValueTests
{
    [Fact]
    public Task Mutable_values_are_reported() => Verify<MutableCachedValueAnalyzer>.AnalyzerAsync("""
        public sealed class Settings { public string Theme { get; set; } = ""; }
        public sealed record Bag(List<string> Items);
        public interface IRepo
        {
            [Cached("5m")] Settings {|CG0011:Get|}(int id);
            [Cached("5m")] Task<List<int>> {|CG0011:ListAsync|}(int id);
            [Cached("5m")] Bag {|CG0011:Bag|}(int id);
        }
        """);

    [Fact]
    public Task Immutable_values_or_no_L1_stay_silent() => Verify<MutableCachedValueAnalyzer>.AnalyzerAsync("""
        public sealed record Form(int Id, string Title, IReadOnlyList<string> Tags);
        public sealed class Settings { public string Theme { get; set; } = ""; }
        public interface IRepo
        {
            [Cached("5m")] Form Get(int id);
            [Cached("5m")] Task<IReadOnlyList<Form>> ListAsync(int page);
            [Cached("5m", LocalTtl = "0s")] Settings Settings(int id);
        }
        """);
}

public class UnworkableCachePutTests
{
    [Fact]
    public Task Puts_that_cannot_work_fire() => Verify<UnworkableCachePutAnalyzer>.AnalyzerAsync("""
        #nullable enable
        public sealed record Schema(int Id);
        public interface IRepo
        {
            [Cached("5m", "s:{formId}")] Task<Schema?> GetAsync(int formId);
            [Cached("5m", "n:{formId}")] Task<string> NameAsync(int formId);
            Task<Schema> PlainAsync(int formId);

            [CachePut({|CG0012:"Missing"|}, {|CG0012:nameof(PlainAsync)|}, {|CG0012:nameof(NameAsync)|})]
            Task<Schema> SaveAsync(int formId);

            [CachePut({|CG0012:nameof(GetAsync)|})] Task TouchAsync(int formId);
            [CachePut({|CG0012:nameof(GetAsync)|})] Task<Schema> RenameAsync(string name);
            [CachePut({|CG0012:nameof(NameAsync)|})] Task<string?> MaybeAsync(int formId);
        }
        """);

    [Fact]
    public Task A_put_whose_parameter_has_another_type_says_so() => Verify<UnworkableCachePutAnalyzer>.AnalyzerAsync(
        """
        public sealed record Schema(int Id);
        public interface IRepo
        {
            [Cached("5m", "s:{formId}")] Task<Schema?> GetAsync(int formId);
            [CachePut({|#0:nameof(GetAsync)|})] Task<Schema> SaveAsync(long formId);
        }
        """,
        [
            new DiagnosticResult("CG0012", DiagnosticSeverity.Error).WithLocation(0)
                .WithArguments("SaveAsync", "GetAsync", "none of its parameters supplies 'formId' of the key: 'formId' is 'long' there and 'formId' is 'int' in the key: the types must be the same"),
        ]);

    /// <summary><c>[CachePut(null!)]</c> (or a null among the names) puts nothing: reported, not thrown on.</summary>
    [Fact]
    public Task Null_puts_fire() => Verify<UnworkableCachePutAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "w:{id}")] Task<int> GetAsync(int id);
            [CachePut({|#0:null!|})] Task<int> SaveAsync(int id);
            [CachePut(nameof(GetAsync), {|#1:null!|})] Task<int> ReplaceAsync(int id);
        }
        """,
        [
            new DiagnosticResult("CG0012", DiagnosticSeverity.Error).WithLocation(0).WithArguments("SaveAsync", "null", "null names no cached method; name one with nameof, or remove the attribute"),
            new DiagnosticResult("CG0012", DiagnosticSeverity.Error).WithLocation(1).WithArguments("ReplaceAsync", "null", "null names no cached method; name one with nameof, or remove the attribute"),
        ]);

    [Fact]
    public Task Workable_puts_stay_silent() => Verify<UnworkableCachePutAnalyzer>.AnalyzerAsync("""
        public sealed record Schema(int FormId);
        public interface IRepo
        {
            [Cached("5m", "s:{formId}")] Task<Schema?> GetAsync(int formId);
            [CachePut(nameof(GetAsync))] Task<Schema> SaveAsync(int formId, string name);
            [CachePut(nameof(GetAsync))] ValueTask<Schema?> ReplaceAsync(Schema schema);
            [CachePut(nameof(GetAsync))] Schema Save(int formId);
        }
        """);
}

public class TagWithoutEntryTests
{
    [Fact]
    public Task Tags_no_entry_carries_fire() => Verify<TagWithoutEntryAnalyzer>.AnalyzerAsync("""
        public sealed record Form(int Id);
        public interface IForms
        {
            [Cached("5m", "form:{tenantId}:{id}", Tags = ["tenant:{tenantId}:forms", "code:{id:hash}"])] Task<Form?> GetAsync(int tenantId, int id);
            [InvalidatesTags({|CG0013:"tenant:{tenantId}:form"|})] Task RenameAsync(int tenantId);
            [InvalidatesTags("tenant:{tenantId}:forms", {|CG0013:"forms:{tenantId}"|})] Task SaveAsync(int tenantId);
            // A raw value is never rendered as its hash, nor a hash as the raw value.
            [InvalidatesTags({|CG0013:"code:{id}"|}, {|CG0013:"tenant:{tenantId:hash}:forms"|})] Task RecodeAsync(int tenantId, int id);
        }
        public sealed class Handler(ICacheInvalidator invalidator)
        {
            public async Task OnAsync(int tenantId)
            {
                await invalidator.InvalidateTagAsync({|CG0013:$"tenants:{tenantId}:forms"|});
                await invalidator.InvalidateTagAsync({|CG0013:"tenant:1:form"|});
                await invalidator.InvalidateTagAsync({|CG0013:$"tenant:{tenantId:hash}:forms"|});
            }
        }
        """);

    [Fact]
    public Task Tags_an_entry_can_carry_stay_silent() => Verify<TagWithoutEntryAnalyzer>.AnalyzerAsync("""
        public sealed record Form(int Id);
        public interface IForms
        {
            [Cached("5m", "form:{tenantId}:{id}", Tags = ["tenant:{tenantId}:forms", "forms", "code:{id:hash}"])] Task<Form?> GetAsync(int tenantId, int id);
            [InvalidatesTags("tenant:{tenantId}:forms", "forms", "code:{id:hash}")] Task SaveAsync(int tenantId, int id);
            [InvalidatesTags("tenant:{scope}")] Task ClearAsync(string scope);
        }
        public sealed class Handler(ICacheInvalidator invalidator)
        {
            public async Task OnAsync(int tenantId, int id, string tag)
            {
                await invalidator.InvalidateTagAsync($"tenant:{tenantId}:forms");
                await invalidator.InvalidateTagAsync($"code:{id:hash}");
                await invalidator.InvalidateTagAsync("tenant:42:forms");
                await invalidator.InvalidateTagAsync(tag);
            }
        }
        """);

    [Fact]
    public Task Message_names_the_declared_tag_a_typo_missed() => Verify<TagWithoutEntryAnalyzer>.AnalyzerAsync(
        """
        public sealed record Form(int Id);
        public interface IForms
        {
            [Cached("5m", "form:{tenantId}:{id}", Tags = ["tenant:{tenantId}:forms", "list:a", "list:b", "code:{id:hash}"])] Task<Form?> GetAsync(int tenantId, int id);
            [InvalidatesTags({|#0:"tenant:{tenant}:form"|})] Task RenameAsync(int tenant);
            [InvalidatesTags({|#1:"users:{tenant}"|})] Task MoveAsync(int tenant);
            [InvalidatesTags({|#2:"list:c"|})] Task SortAsync(int id);
            [InvalidatesTags({|#3:"code:{code}"|})] Task RecodeAsync(string code);
        }
        """,
        [
            new DiagnosticResult("CG0013", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("tenant:{tenant}:form", " (did you mean 'tenant:{tenant}:forms'?)"),
            new DiagnosticResult("CG0013", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("users:{tenant}", ""),
            // Two declared tags are as close: neither is named.
            new DiagnosticResult("CG0013", DiagnosticSeverity.Warning).WithLocation(2).WithArguments("list:c", ""),
            // The declared tag hashes the value: the suggestion keeps the attribute's placeholder, hashed.
            new DiagnosticResult("CG0013", DiagnosticSeverity.Warning).WithLocation(3).WithArguments("code:{code}", " (did you mean 'code:{code:hash}'?)"),
        ]);

    [Fact]
    public Task Tags_declared_in_a_referenced_assembly_count() => Verify<TagWithoutEntryAnalyzer>.AnalyzerWithReferenceAsync(
        """
        public sealed class Handler(ICacheInvalidator invalidator)
        {
            public async Task OnAsync(int tenantId)
            {
                await invalidator.InvalidateTagAsync($"tenant:{tenantId}:forms");
                await invalidator.InvalidateTagAsync({|CG0013:$"tenant:{tenantId}:users"|});
            }
        }
        """,
        """
        public sealed record Form(int Id);
        public interface IForms
        {
            [Cached("5m", "form:{tenantId}:{id}", Tags = ["tenant:{tenantId}:forms"])] Task<Form?> GetAsync(int tenantId, int id);
        }
        """);
}

public class CachedMethodRulesAnalyzerTests
{
    [Fact]
    public void Runs_every_per_method_rule_and_nothing_else()
    {
        var rules = typeof(CachedMethodAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CachedMethodAnalyzer).IsAssignableFrom(t))
            .SelectMany(t => ((CachedMethodAnalyzer)Activator.CreateInstance(t)!).SupportedDiagnostics)
            .Select(d => d.Id)
            .OrderBy(id => id, StringComparer.Ordinal);
        var combined = new CachedMethodRulesAnalyzer().SupportedDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal);
        Assert.Equal(rules, combined);
        Assert.Equal(21, combined.Count());
    }

    /// <summary>A Span, ref or out parameter keeps the method uncached whatever its key: CG0007 says so, and neither
    /// CG0004 (a member of it for the key) nor CG0005 (add it to the template) is reported for it besides.</summary>
    [Fact]
    public Task A_parameter_that_keeps_the_method_uncached_is_reported_once() => Verify<CachedMethodRulesAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("1m")] int {|CG0007:SpanParam|}(Span<byte> data);
            [Cached("1m", "s:{data}")] int {|CG0007:SpanInTemplate|}(ReadOnlySpan<char> data);
            [Cached("1m", "s:{id}", Tags = ["t:{id}"])] int {|CG0007:SpanOutOfTemplate|}(int id, Span<byte> data);
            [Cached("1m")] bool {|CG0007:TryGet|}(Guid id, out Guid value);
            [Cached("1m", "r:{id}")] int {|CG0007:ByRef|}(ref int id, ref Guid other);
        }
        """);

    [Fact]
    public Task Reports_what_each_rule_finds_on_one_method_pass() => Verify<CachedMethodRulesAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [{|CG0002:Cached(KeyTemplate = "x:{id}")|}] int Get(int id);
            [Cached("5m", "forms:{page}")] Task<int> ListAsync(Guid {|CG0005:tenantId|}, int page);
            [Cached("5m", "forms:{tenantId}:{page}")] Task<int> CountAsync(Guid tenantId, int page);
        }
        """);
}

public class BackReferenceTests
{
    [Fact]
    public Task A_path_back_to_an_ancestor_through_another_type_warns_with_its_path() => Verify<BackReferenceAnalyzer>.AnalyzerAsync("""
        public sealed class Customer { public int Id { get; set; } public List<Order> Orders { get; set; } = []; }
        public sealed class Order { public int Id { get; set; } public Customer? {|#1:Customer|} { get; set; } }
        public interface IShop { [Cached("5m")] Task<Customer?> {|#0:GetCustomerAsync|}(int id); }
        """, [new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(0).WithLocation(1).WithArguments("GetCustomerAsync", "Customer.Orders → Order.Customer")]);

    [Fact]
    public Task A_back_reference_declared_on_a_base_class_warns() => Verify<BackReferenceAnalyzer>.AnalyzerAsync("""
        public abstract class Entity { public int Id { get; set; } }
        public abstract class OwnedEntity : Entity { public Customer? {|#1:Customer|} { get; set; } }
        public sealed class Order : OwnedEntity { public decimal Total { get; set; } }
        public sealed class Customer : Entity { public List<Order> Orders { get; set; } = []; }
        public interface IShop { [Cached("5m")] Task<Customer?> {|#0:GetCustomerAsync|}(int id); }
        """, [new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(0).WithLocation(1).WithArguments("GetCustomerAsync", "Customer.Orders → Order.Customer")]);

    [Fact]
    public Task A_longer_loop_and_a_one_to_one_pair_are_reported_at_the_member_that_closes_them() => Verify<BackReferenceAnalyzer>.AnalyzerAsync("""
        public sealed class Order { public OrderLine[] Lines { get; set; } = []; public Person? Buyer { get; set; } }
        public sealed class OrderLine { public Product Product { get; set; } = new(); }
        public sealed class Product { public Order? {|#1:FirstOrder|}; }
        public sealed class Person { public Passport? Passport { get; set; } }
        public sealed class Passport { public Person? {|#2:Holder|} { get; set; } }
        public interface IShop { [Cached("5m")] Task<IReadOnlyList<Order>> {|#0:ListAsync|}(int id); }
        """, [
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(0).WithLocation(1).WithArguments("ListAsync", "Order.Lines → OrderLine.Product → Product.FirstOrder"),
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(0).WithLocation(2).WithArguments("ListAsync", "Person.Passport → Passport.Holder"),
        ]);

    [Fact]
    public Task A_parent_beside_children_warns() => Verify<BackReferenceAnalyzer>.AnalyzerAsync("""
        public sealed class Category { public string Name { get; set; } = ""; public Category? {|#1:Parent|} { get; set; } public List<Category> Children { get; set; } = []; }
        public interface ICatalog { [Cached("5m")] Task<Category> {|#0:GetAsync|}(int id); }
        """, [new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(0).WithLocation(1).WithArguments("GetAsync", "Category.Parent beside Category.Children")]);

    [Fact]
    public Task Trees_chains_and_ignored_back_references_stay_silent() => Verify<BackReferenceAnalyzer>.AnalyzerAsync("""
        public sealed class Category { public string Name { get; set; } = ""; public List<Category> Children { get; set; } = []; }
        public sealed class Node { public int Value { get; set; } public Node? Next { get; set; } }
        public sealed class Tree { public Tree? Left { get; set; } public Tree? Right { get; set; } }
        public sealed class Customer { public List<Order> Orders { get; set; } = []; }
        public sealed class Order { [System.Runtime.Serialization.IgnoreDataMember] public Customer? Customer { get; set; } }
        public sealed class Section { public Section? Parent { get; set; } [System.Runtime.Serialization.IgnoreDataMember] public List<Section> Children { get; set; } = []; }
        public sealed class Shared { public Leaf A { get; set; } = new(); public Leaf B { get; set; } = new(); public List<Leaf> All { get; set; } = []; }
        public sealed class Leaf { public int Id { get; set; } }
        public interface ICatalog
        {
            [Cached("5m")] Task<Category> CategoryAsync(int id);
            [Cached("5m")] Task<Node> NodeAsync(int id);
            [Cached("5m")] Task<Tree> TreeAsync(int id);
            [Cached("5m")] Task<Order> OrderAsync(int id);
            [Cached("5m")] Task<Section> SectionAsync(int id);
            [Cached("5m")] Task<Shared> SharedAsync(int id);
        }
        """);

    [Fact]
    public Task Fix_marks_the_back_reference_ignored() => Verify<BackReferenceAnalyzer>.CodeFixAsync<BackReferenceFixer>(
        """
        public sealed class Customer { public List<Order> Orders { get; set; } = []; }
        public sealed class Order
        {
            public int Id { get; set; }
            public Customer? Customer { get; set; }
        }
        public interface IShop { [Cached("5m")] Task<Customer?> {|CG0014:GetCustomerAsync|}(int id); }
        """,
        """
        public sealed class Customer { public List<Order> Orders { get; set; } = []; }
        public sealed class Order
        {
            public int Id { get; set; }
            [global::System.Runtime.Serialization.IgnoreDataMember]
            public Customer? Customer { get; set; }
        }
        public interface IShop { [Cached("5m")] Task<Customer?> GetCustomerAsync(int id); }
        """);

    [Fact]
    public Task Fix_marks_a_positional_record_parameter_with_a_property_target() => Verify<BackReferenceAnalyzer>.CodeFixAsync<BackReferenceFixer>(
        """
        public sealed record Customer(int Id, List<Order> Orders);
        public sealed record Order(int Id, Customer? Customer);
        public interface IShop { [Cached("5m")] Task<Customer?> {|CG0014:GetCustomerAsync|}(int id); }
        """,
        """
        public sealed record Customer(int Id, List<Order> Orders);
        public sealed record Order(int Id, [property: global::System.Runtime.Serialization.IgnoreDataMember] Customer? Customer);
        public interface IShop { [Cached("5m")] Task<Customer?> GetCustomerAsync(int id); }
        """);
}

public class GenericRepositoryTests
{
    private const string Repositories = """
        public interface IEntity { int Id { get; } }
        public sealed record Order(int Id, string Customer) : IEntity;
        public sealed record Page<T>(IReadOnlyList<T> Items, int Total);
        public interface IRepository<TEntity> where TEntity : class, IEntity
        {
            [Cached("5m", "entity:{id}", nameof(SaveAsync))] Task<TEntity?> GetAsync(int id, CancellationToken ct = default);
            [Cached("1m", "{TEntity}:page:{number}")] Task<Page<TEntity>> PageAsync(int number);
            Task SaveAsync(int id, TEntity entity);
        }
        public interface IKeyed<TEntity, TKey> where TEntity : class where TKey : notnull
        {
            [Cached("5m", "{TEntity}:{id}", nameof(SaveAsync))] ValueTask<TEntity?> GetAsync(TKey id);
            Task SaveAsync(TKey id, TEntity entity);
        }
        public interface IStore<T> { Task<T?> LoadAsync(string name); }
        public sealed class MemoryStore<T> : IStore<T>
        {
            [Cached("1m", "{T}:{name}")] public Task<T?> LoadAsync(string name) => Task.FromResult(default(T));
        }
        public sealed class OrderStore : IStore<Order>
        {
            [Cached("1m")] public Task<Order?> LoadAsync(string name) => Task.FromResult<Order?>(null);
        }
        public interface IOrderRepository : IRepository<Order> { }
        """;

    /// <summary>Only CG0020 as Info, for the values built from type parameters (a Warning only in a trimmed or AOT
    /// build: <see cref="NoCompileTimeFormatterTests"/>).</summary>
    [Fact]
    public Task Valid_generic_repositories_raise_no_per_method_diagnostic_but_CG0020_as_info() => Verify<CachedMethodRulesAnalyzer>.AnalyzerAsync(
        Repositories,
        [
            TypeParameterValue(7, 69, "GetAsync", "TEntity"),
            TypeParameterValue(8, 67, "PageAsync", "Page<TEntity>"),
            TypeParameterValue(13, 77, "GetAsync", "TEntity"),
            TypeParameterValue(19, 50, "LoadAsync", "T"),
        ]);

    private static DiagnosticResult TypeParameterValue(int line, int column, string method, string type)
        => new DiagnosticResult("CG0020", DiagnosticSeverity.Info).WithSpan(line, column, line, column + method.Length).WithArguments(method, NoCompileTimeFormatterTests.TypeParameterReason(type));

    [Fact]
    public Task Valid_generic_repositories_raise_no_key_shape_diagnostic() => Verify<SameKeyShapeAnalyzer>.AnalyzerAsync(Repositories);

    [Fact]
    public Task Valid_generic_repositories_raise_no_tag_diagnostic() => Verify<TagWithoutEntryAnalyzer>.AnalyzerAsync(Repositories);

    [Fact]
    public Task A_generic_interface_is_no_reason_for_CG0007() => Verify<UncacheableMethodAnalyzer>.AnalyzerAsync("""
        public interface IRepository<TEntity> where TEntity : class
        {
            [Cached("5m")] Task<TEntity?> GetAsync(int id);
            [Cached("5m")] T {|CG0007:Convert|}<T>(int id);
        }
        """);

    [Fact]
    public Task A_placeholder_naming_an_unknown_type_parameter_is_CG0004() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface IRepository<TEntity> where TEntity : class
        {
            [Cached("5m", "{TEntity}:{id}")] Task<TEntity?> GetAsync(int id);
            [Cached("5m", "{|#0:{TKey}|}:{id}")] Task<TEntity?> FindAsync(int id);
            [Cached("5m", "{|#1:{TEntity:hash}|}:{id}")] Task<TEntity?> HashedAsync(int id);
        }
        """,
        [
            new DiagnosticResult(CachedGen.Analyzers.DiagnosticDescriptors.InvalidKeyTemplate).WithLocation(0)
                .WithArguments("FindAsync", "'TKey' is not a parameter of 'FindAsync' nor a type parameter of 'IRepository'"),
            new DiagnosticResult(CachedGen.Analyzers.DiagnosticDescriptors.InvalidKeyTemplate).WithLocation(1)
                .WithArguments("HashedAsync", "'TEntity' is not a parameter of 'HashedAsync' nor a type parameter of 'IRepository'"),
        ]);
}

public class NoCompileTimeFormatterTests
{
    [Fact]
    public Task Types_the_generator_cannot_write_fire() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync(
        """
        public sealed record Backlog(PriorityQueue<string, int> Items);
        public sealed class NoMatchingConstructor { public NoMatchingConstructor(string other) { } public int X { get; set; } }
        public sealed record Pair(System.Collections.Concurrent.BlockingCollection<int> Both);
        public interface IRepo
        {
            [Cached("1m")] Task<Backlog> {|#0:BacklogAsync|}(int id);
            [Cached("1m")] NoMatchingConstructor {|#1:Odd|}(int id);
            [Cached("1m")] Task<Pair> {|#2:PairAsync|}(int id);
        }
        """,
        [
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("BacklogAsync", "member 'Backlog.Items' is the framework type 'PriorityQueue<string, int>', which has no MessagePack formatter CachedGen can name"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("Odd", "'NoMatchingConstructor' has no public constructor whose parameters all match serialized members by name and type"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(2)
                .WithArguments("PairAsync", "member 'Pair.Both' is the framework type 'BlockingCollection<int>', which has no MessagePack formatter CachedGen can name"),
        ]);

    [Fact]
    public Task Contracts_the_generator_does_not_write_fire() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync(
        """
        [MessagePack.MessagePackObject] public sealed class Unkeyed { [MessagePack.Key(0)] public int A { get; set; } public int B { get; set; } }
        [MessagePack.MessagePackObject] public sealed class Mixed { [MessagePack.Key(0)] public int A { get; set; } [MessagePack.Key("b")] public int B { get; set; } }
        [System.Runtime.Serialization.DataContract] public sealed class Contract { [System.Runtime.Serialization.DataMember] public int A { get; set; } }
        [MessagePack.Union(0, typeof(Circle))] public abstract class Shape { }
        public sealed class Circle : Shape { public double R { get; set; } }
        public interface IRepo
        {
            [Cached("1m")] Unkeyed {|#0:A|}(int id);
            [Cached("1m")] Mixed {|#1:B|}(int id);
            [Cached("1m")] Contract {|#2:C|}(int id);
            [Cached("1m")] Shape {|#3:D|}(int id);
        }
        """,
        [
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("A", "'Unkeyed' is [MessagePackObject] and its member 'B' has no [Key]"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("B", "'Mixed' mixes [Key(int)] and [Key(string)]"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(2)
                .WithArguments("C", "the result is 'Contract', a [DataContract] type (use [MessagePackObject] or plain public members)"),
            // Under the JIT MessagePack's union resolver writes it: only a trimmed or Native AOT build loses it.
            new DiagnosticResult("CG0020", DiagnosticSeverity.Info).WithLocation(3)
                .WithArguments("D", "the result is 'Shape', a [Union] type, whose formatter MessagePack writes at run time"),
        ]);

    /// <summary>A type of the project that is a collection (derived from one, or implementing a collection interface
    /// itself) has items and members of its own: the generated formatter would write only the members, MessagePack's
    /// dynamic one only the items.</summary>
    [Fact]
    public Task Types_of_the_project_that_are_collections_fire() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync(
        """
        public class OrderList : List<int> { public string Owner { get; set; } = ""; }
        public class PagedList<T> : List<T> { public int TotalCount { get; set; } public int Page { get; set; } }
        public sealed class Settings : Dictionary<string, string> { }
        public sealed class SpecialOrders : OrderList { }
        public sealed class Tags : IEnumerable<string>
        {
            private readonly List<string> _items = new();
            public int Version { get; set; }
            public IEnumerator<string> GetEnumerator() => _items.GetEnumerator();
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
        public sealed record Basket(int Id, OrderList Orders);
        public interface IRepo
        {
            [Cached("1m")] Task<OrderList> {|#0:OrderListAsync|}(int id);
            [Cached("1m")] Task<PagedList<int>> {|#1:PagedAsync|}(int page);
            [Cached("1m")] Task<Settings> {|#2:SettingsAsync|}(int id);
            [Cached("1m")] Task<SpecialOrders> {|#3:SpecialAsync|}(int id);
            [Cached("1m")] Task<Tags> {|#4:TagsAsync|}(int id);
            [Cached("1m")] Task<Basket> {|#5:BasketAsync|}(int id);
            [Cached("1m")] Task<List<PagedList<string>>> {|#6:PagesAsync|}(int id);
        }
        """,
        [
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("OrderListAsync", "the result is 'OrderList', which derives from the collection type 'List<int>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("PagedAsync", "the result is 'PagedList<int>', which derives from the collection type 'List<int>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(2)
                .WithArguments("SettingsAsync", "the result is 'Settings', which derives from the collection type 'Dictionary<string, string>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(3)
                .WithArguments("SpecialAsync", "the result is 'SpecialOrders', which derives from the collection type 'List<int>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(4)
                .WithArguments("TagsAsync", "the result is 'Tags', which implements 'IEnumerable<string>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(5)
                .WithArguments("BasketAsync", "member 'Basket.Orders' is 'OrderList', which derives from the collection type 'List<int>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(6)
                .WithArguments("PagesAsync", "the result is 'PagedList<string>', which derives from the collection type 'List<string>': its items and its own members cannot both be stored; return the collection, or a type that holds it as a member"),
        ]);

    /// <summary>Framework collections, and types that hold one as a member, are written whole.</summary>
    [Fact]
    public Task Framework_collections_and_types_holding_a_collection_stay_silent() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync("""
        public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount, int Number);
        public sealed class OrderList { public string Owner { get; set; } = ""; public List<int> Items { get; set; } = new(); }
        public sealed record Catalog(Dictionary<string, int[]> Stock, System.Collections.Immutable.ImmutableArray<string> Names, HashSet<int> Ids);
        public interface IRepo
        {
            [Cached("1m")] Task<List<int>> ListAsync(int id);
            [Cached("1m")] Task<int[]> ArrayAsync(int id);
            [Cached("1m")] Task<Dictionary<string, int>> MapAsync(int id);
            [Cached("1m")] Task<System.Collections.Immutable.ImmutableArray<int>> ImmutableAsync(int id);
            [Cached("1m")] Task<IReadOnlyList<OrderList>> ReadOnlyAsync(int id);
            [Cached("1m")] Task<Page<int>> PageAsync(int page);
            [Cached("1m")] Task<OrderList> OrdersAsync(int id);
            [Cached("1m")] Task<Catalog> CatalogAsync(int id);
        }
        """);

    private const string GenericRepository = """
        public interface IEntity { int Id { get; } }
        public sealed record Order(int Id, string Customer) : IEntity;
        public sealed record Page<T>(IReadOnlyList<T> Items, int Total);
        public interface IRepository<TEntity, TKey> where TEntity : class, IEntity
        {
            [Cached("5m", "{TEntity}:{id}")] Task<TEntity?> {|#0:FindAsync|}(TKey id);
            [Cached("1m", "{TEntity}:page:{number}")] Task<Page<TEntity>> {|#1:PageAsync|}(int number);
            [Cached("1m", "{TEntity}:count")] Task<int> CountAsync();
        }
        """;

    internal static string TypeParameterReason(string type)
        => $"the result is '{type}', built from the interface's type parameters: formatters are written only for the closed types this assembly names, and trimmed or Native AOT builds do not decorate the generic interface itself; cache it through an interface that closes it (interface IOrderRepository : IRepository<Order>)";

    private static DiagnosticResult[] GenericValues(DiagnosticSeverity severity) =>
    [
        new DiagnosticResult("CG0020", severity).WithLocation(0).WithArguments("FindAsync", TypeParameterReason("TEntity")),
        new DiagnosticResult("CG0020", severity).WithLocation(1).WithArguments("PageAsync", TypeParameterReason("Page<TEntity>")),
    ];

    [Fact]
    public Task Values_built_from_type_parameters_are_info_in_an_ordinary_build() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync(
        GenericRepository, GenericValues(DiagnosticSeverity.Info));

    [Fact]
    public Task Values_built_from_type_parameters_are_info_when_no_property_says_true() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerWithBuildPropertiesAsync(
        GenericRepository, [("PublishAot", "false"), ("PublishTrimmed", ""), ("IsAotCompatible", "false")], GenericValues(DiagnosticSeverity.Info));

    [Theory]
    [InlineData("PublishAot")]
    [InlineData("PublishTrimmed")]
    [InlineData("IsAotCompatible")]
    [InlineData("IsTrimmable")]
    public Task Values_built_from_type_parameters_warn_in_a_trimmed_or_AOT_build(string property) => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerWithBuildPropertiesAsync(
        GenericRepository, [(property, "true")], GenericValues(DiagnosticSeverity.Warning));

    [Fact]
    public Task Values_built_from_type_parameters_stay_info_under_AOT_when_an_interface_closes_the_generic_one() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerWithBuildPropertiesAsync(
        GenericRepository + "public interface IOrderRepository : IRepository<Order, int> { }",
        [("PublishAot", "true")],
        GenericValues(DiagnosticSeverity.Info));

    /// <summary>What an interface that closes the generic one stores is walked as any value: the generator writes its
    /// formatters, and what it cannot write is CG0020, named with the closed interface.</summary>
    [Fact]
    public Task A_closed_value_the_generator_cannot_write_is_CG0020_as_for_any_value() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync(
        GenericRepository + """
            public sealed class Backlog : IEntity { public int Id { get; set; } public PriorityQueue<string, int> Items { get; set; } = new(); }
            public interface IOrderRepository : IRepository<Order, int> { }
            public interface IBacklogRepository : IRepository<Backlog, int> { }
            """,
        [
            .. GenericValues(DiagnosticSeverity.Info),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("FindAsync", "closed as 'IRepository<Backlog, int>', member 'Backlog.Items' is the framework type 'PriorityQueue<string, int>', which has no MessagePack formatter CachedGen can name"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("PageAsync", "closed as 'IRepository<Backlog, int>', member 'Backlog.Items' is the framework type 'PriorityQueue<string, int>', which has no MessagePack formatter CachedGen can name"),
        ]);

    [Fact]
    public Task An_interface_closing_only_over_a_type_parameter_does_not_count() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerWithBuildPropertiesAsync(
        GenericRepository + "public interface IKeyed<TKey> : IRepository<Order, TKey> { }",
        [("PublishAot", "true")],
        GenericValues(DiagnosticSeverity.Warning));

    [Fact]
    public Task Writable_values_and_what_CG0008_reports_stay_silent() => Verify<NoCompileTimeFormatterAnalyzer>.AnalyzerAsync("""
        public enum Kind { A, B }
        public sealed record Field(string Name, bool Required, Kind Kind);
        public sealed record Form(int Id, string Title, IReadOnlyList<Field> Fields, Dictionary<string, int[]> Counts, DateTimeOffset At, Guid? Owner);
        public sealed class Plain { public int X { get; set; } public List<Field>? Extra { get; set; } }
        public struct Point { public int X; public int Y; }
        public sealed class Holder { public object? Payload { get; set; } }
        public interface IShape { }
        public sealed class Collections { public Queue<string> Q { get; set; } = new(); public (int A, string B) Pair { get; set; } public System.Collections.ObjectModel.ReadOnlyCollection<int>? Ro { get; set; } public SortedDictionary<string, int> Sorted { get; set; } = new(); public Lazy<int>? Later { get; set; } public Tuple<int, string>? Old { get; set; } public ReadOnlyMemory<byte> Blob { get; set; } public ArraySegment<byte> Segment { get; set; } }
        public sealed class Document { public Int128 Big { get; set; } public UInt128? Small { get; set; } public System.Text.Json.JsonElement Raw { get; set; } public System.Text.Json.Nodes.JsonObject? Attributes { get; set; } public System.Text.Json.Nodes.JsonNode? Any { get; set; } }
        public class Entity { protected Entity() { } public Entity(string code) => Code = code; public int Id { get; private set; } public string Code { get; private set; } = ""; public IReadOnlyList<string> Tags { get; } = new List<string>(); }
        public sealed record Backlog(Queue<string> Items, Stack<int> Undo, (int Page, int Size) Window, Tuple<int, string> Pair);
        public interface IRepo
        {
            [Cached("1m")] Task<(IReadOnlyList<Form> Items, int Total)> PageAsync(int page);
            [Cached("1m")] Task<(int, string?)?> PairAsync(int id);
            [Cached("1m")] Task<List<(string Key, int? Value)>> CountsAsync(int id);
            [Cached("1m")] Task<(int, int, int, int, int, int, int, int, int)> WideAsync(int id);
            [Cached("1m")] Task<Backlog> BacklogAsync(int id);
            [Cached("1m")] Task<SortedDictionary<string, Form>> SortedAsync(int id);
            [Cached("1m")] Task<System.Collections.Concurrent.ConcurrentDictionary<int, string>> ConcurrentAsync(int id);
            [Cached("1m")] Task<System.Collections.ObjectModel.ReadOnlyCollection<Form>> ReadOnlyAsync(int id);
            [Cached("1m")] Task<Collections?> CollectionsAsync(int id);
            [Cached("1m")] Task<Document?> DocumentAsync(int id);
            [Cached("1m")] Task<Entity?> EntityAsync(int id);
            [Cached("1m")] Task<Form?> FormAsync(int id);
            [Cached("1m")] ValueTask<IReadOnlyList<Form>> ListAsync(int page);
            [Cached("1m")] Plain Get(int id);
            [Cached("1m")] Point At(int id);
            [Cached("1m")] string Name(int id);
            [Cached("1m")] Holder Hold(int id);
            [Cached("1m")] Task<IShape> ShapeAsync(int id);
        }
        """);
}

public class VolatileKeyValueTests
{
    [Fact]
    public Task Clock_readings_and_new_ids_passed_as_key_values_fire() => Verify<VolatileKeyValueAnalyzer>.AnalyzerAsync("""
        public interface IPrices
        {
            [Cached("1h", "prices:{asOf}")] Task<int> GetPriceListAsync(DateTime asOf);
            [Cached("1h")] Task<int> ByDefaultKeyAsync(DateTimeOffset at, Guid id, long ticks);
        }
        public static class Caller
        {
            public static async Task Run(IPrices prices, TimeProvider time)
            {
                await prices.GetPriceListAsync({|CG0023:DateTime.UtcNow|});
                await prices.GetPriceListAsync({|CG0023:DateTime.Now|});
                await prices.ByDefaultKeyAsync({|CG0023:DateTimeOffset.UtcNow|}, {|CG0023:Guid.NewGuid()|}, {|CG0023:System.Diagnostics.Stopwatch.GetTimestamp()|});
                await prices.ByDefaultKeyAsync({|CG0023:time.GetUtcNow()|}, Guid.Empty, {|CG0023:Environment.TickCount64|});
            }
        }
        """);

    /// <summary>A test project calls with a fresh id or the current time on purpose (to test a miss): silent there.</summary>
    [Fact]
    public Task A_test_project_stays_silent() => Verify<VolatileKeyValueAnalyzer>.AnalyzerInTestProjectAsync("""
        public interface IPrices { [Cached("1h", "prices:{id}")] Task<int> GetAsync(Guid id); }
        public static class PricesTests
        {
            public static Task Missing(IPrices prices) => prices.GetAsync(Guid.NewGuid());
        }
        """);

    /// <summary>Values that repeat (computed from a reading), parameters left out of the key, and methods that are not
    /// cached stay silent.</summary>
    [Fact]
    public Task Repeating_values_and_parameters_outside_the_key_stay_silent() => Verify<VolatileKeyValueAnalyzer>.AnalyzerAsync("""
        public interface IPrices
        {
            [Cached("1h", "prices:{asOf}")] Task<int> GetPriceListAsync(DateTime asOf);
            [Cached("1h", "prices:{region}")] Task<int> ByRegionAsync(string region, [NotCacheKey] DateTime asOf);
            Task SaveAsync(DateTime at);
        }
        public static class Caller
        {
            public static async Task Run(IPrices prices)
            {
                await prices.GetPriceListAsync(DateTime.UtcNow.Date);
                await prices.GetPriceListAsync(DateTime.Today);
                await prices.ByRegionAsync("eu", DateTime.UtcNow);
                await prices.SaveAsync(DateTime.UtcNow);
                var now = DateTime.UtcNow;
                await prices.GetPriceListAsync(now);
            }
        }
        """);
}
