using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using CachedGen.CodeFixes.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>A <c>[Cached]</c> method of a generic interface declares a value built from type parameters
/// (<c>TEntity</c>), which says nothing of its own; the rules on the value (CG0008, CG0009, CG0011, CG0014) and on
/// personal data in keys (CG0001) also look
/// at each closing by an interface of the compilation (<c>IProductRepository : IRepository&lt;Product, int&gt;</c>), at
/// the generic method, naming the closed interface.</summary>
public class ClosingTests
{
    private const string Repository = """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [{|#0:Cached("10m", "repo:{id}")|}]
            Task<TEntity?> {|#1:FindAsync|}(TId id, CancellationToken ct = default);
        }

        """;

    private const string Entities = """
        public class Product { public int Id { get; set; } public Supplier Supplier { get; set; } = null!; }
        public class Supplier { public int Id { get; set; } public List<Product> {|#2:Products|} { get; set; } = new(); }

        """;

    private const string Closed = "IRepository<Product, int>.FindAsync";

    [Fact]
    public Task CG0014_a_back_reference_in_the_closed_value_warns_at_the_generic_method() => Verify<BackReferenceAnalyzer>.AnalyzerAsync(
        Repository + Entities + "public interface IProductRepository : IRepository<Product, int> { }",
        [
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(1).WithLocation(2)
                .WithArguments(Closed, "Product.Supplier → Supplier.Products"),
        ]);

    /// <summary>Each closing is walked from its own value: <c>Supplier</c>'s loop closes at <c>Product.Supplier</c>.</summary>
    [Fact]
    public Task CG0014_two_closings_with_different_values_each_report() => Verify<BackReferenceAnalyzer>.AnalyzerAsync(
        Repository + """
            public class Product { public int Id { get; set; } public Supplier {|#3:Supplier|} { get; set; } = null!; }
            public class Supplier { public int Id { get; set; } public List<Product> {|#2:Products|} { get; set; } = new(); }
            public interface IProductRepository : IRepository<Product, int> { }
            public interface ISupplierRepository : IRepository<Supplier, int> { }
            """,
        [
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(1).WithLocation(2)
                .WithArguments(Closed, "Product.Supplier → Supplier.Products"),
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(1).WithLocation(3)
                .WithArguments("IRepository<Supplier, int>.FindAsync", "Supplier.Products → Product.Supplier"),
        ]);

    /// <summary>A loop the declared value has whatever the type argument is reported once, for the declared method.</summary>
    [Fact]
    public Task CG0014_a_path_the_declared_value_has_is_not_repeated_for_each_closing() => Verify<BackReferenceAnalyzer>.AnalyzerAsync(
        """
        public sealed class Category { public string Name { get; set; } = ""; public Category? {|#1:Parent|} { get; set; } public List<Category> Children { get; set; } = []; }
        public sealed class Page<T> { public IReadOnlyList<T> Items { get; init; } = []; public Category? Category { get; init; } }
        public interface IRepository<TEntity> where TEntity : class
        {
            [Cached("1m", "page:{number}")] Task<Page<TEntity>> {|#0:PageAsync|}(int number);
        }
        public sealed record Tag(int Id, string Label);
        public interface ITagRepository : IRepository<Tag> { }
        """,
        [
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(0).WithLocation(1)
                .WithArguments("PageAsync", "Category.Parent beside Category.Children"),
        ]);

    [Fact]
    public Task CG0014_fix_marks_the_back_reference_of_the_closed_value_ignored() => Verify<BackReferenceAnalyzer>.CodeFixAsync<BackReferenceFixer>(
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{id}")]
            Task<TEntity?> {|CG0014:FindAsync|}(TId id, CancellationToken ct = default);
        }
        public class Product { public int Id { get; set; } public Supplier Supplier { get; set; } = null!; }
        public class Supplier
        {
            public int Id { get; set; }
            public List<Product> Products { get; set; } = new();
        }
        public interface IProductRepository : IRepository<Product, int> { }
        """,
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{id}")]
            Task<TEntity?> FindAsync(TId id, CancellationToken ct = default);
        }
        public class Product { public int Id { get; set; } public Supplier Supplier { get; set; } = null!; }
        public class Supplier
        {
            public int Id { get; set; }
            [global::System.Runtime.Serialization.IgnoreDataMember]
            public List<Product> Products { get; set; } = new();
        }
        public interface IProductRepository : IRepository<Product, int> { }
        """);

    [Fact]
    public Task CG0011_a_mutable_closed_value_is_reported_at_the_generic_method() => Verify<MutableCachedValueAnalyzer>.AnalyzerAsync(
        Repository + Entities + "public interface IProductRepository : IRepository<Product, int> { }",
        [
            new DiagnosticResult("CG0011", DiagnosticSeverity.Info).WithLocation(1)
                .WithArguments(Closed, "Product?", "property 'Id' has a public setter"),
        ]);

    [Fact]
    public Task CG0011_no_L1_means_no_report_for_a_closing_either() => Verify<MutableCachedValueAnalyzer>.AnalyzerAsync(
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{id}", LocalTtl = "0s")] Task<TEntity?> FindAsync(TId id);
        }
        public class Product { public int Id { get; set; } }
        public interface IProductRepository : IRepository<Product, int> { }
        """);

    /// <summary>What the declared value has whatever the type argument (<c>Page&lt;T&gt;.Items</c>'s setter) is reported
    /// once, for the declared method; a closing adds only what its own value brings.</summary>
    [Fact]
    public Task CG0011_a_reason_the_declared_value_has_is_not_repeated_for_each_closing() => Verify<MutableCachedValueAnalyzer>.AnalyzerAsync(
        """
        public sealed class Page<T> { public List<T> Items { get; set; } = new(); }
        public interface IRepository<TEntity> where TEntity : class
        {
            [Cached("1m", "page:{number}")] Task<Page<TEntity>> {|#0:PageAsync|}(int number);
            [Cached("1m", "one:{id}")] Task<TEntity?> {|#1:FindAsync|}(int id);
        }
        public sealed class Product { public int Id { get; set; } }
        public interface IProductRepository : IRepository<Product> { }
        """,
        [
            new DiagnosticResult("CG0011", DiagnosticSeverity.Info).WithLocation(0)
                .WithArguments("PageAsync", "Page<TEntity>", "property 'Items' has a public setter"),
            new DiagnosticResult("CG0011", DiagnosticSeverity.Info).WithLocation(1)
                .WithArguments("IRepository<Product>.FindAsync", "Product?", "property 'Id' has a public setter"),
        ]);

    [Fact]
    public Task CG0008_an_unserializable_closed_value_warns_at_the_generic_method() => Verify<UnserializableResultAnalyzer>.AnalyzerAsync(
        Repository + """
            public interface IShape { }
            public sealed class Drawing { public int Id { get; set; } public IShape? Shape { get; set; } }
            public interface IDrawingRepository : IRepository<Drawing, int> { }
            """,
        [
            new DiagnosticResult("CG0008", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("IRepository<Drawing, int>.FindAsync", "member 'Drawing.Shape' is the interface 'IShape?', which has no formatter (declare its implementations with [Union])"),
        ]);

    [Fact]
    public Task CG0009_personal_data_in_the_closed_value_warns_at_the_attribute() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync(
        Repository + """
            public sealed record Contact(string Email);
            public sealed record Customer(int Id, Contact Contact);
            public interface ICustomerRepository : IRepository<Customer, int> { }
            """,
        [
            new DiagnosticResult("CG0009", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("IRepository<Customer, int>.FindAsync", "Customer.Contact → Contact.Email"),
        ]);

    [Fact]
    public Task CG0009_a_sensitive_generic_method_covers_its_closings() => Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync("""
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{id}", Sensitive = true)] Task<TEntity?> FindAsync(TId id);
        }
        public sealed record Customer(int Id, string Email);
        public interface ICustomerRepository : IRepository<Customer, int> { }
        """);

    [Fact]
    public Task CG0009_fix_marks_the_generic_method_sensitive() => Verify<PersonalDataInValueAnalyzer>.CodeFixAsync<PersonalDataInValueFixer>(
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [{|CG0009:Cached("10m", "repo:{id}")|}] Task<TEntity?> FindAsync(TId id);
        }
        public sealed record Customer(int Id, string Email);
        public interface ICustomerRepository : IRepository<Customer, int> { }
        """,
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{id}", Sensitive = true)] Task<TEntity?> FindAsync(TId id);
        }
        public sealed record Customer(int Id, string Email);
        public interface ICustomerRepository : IRepository<Customer, int> { }
        """);

    /// <summary>Keys are rendered from what the closing gives the type parameters: a closing whose key type is personal
    /// data puts it raw in every key, reported at the placeholder of the generic method, naming the closed member.</summary>
    [Fact]
    public Task CG0001_a_closing_with_a_personal_key_type_warns_at_the_placeholder() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync(
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{|#0:{id}|}")] Task<TEntity?> FindAsync(TId id, CancellationToken ct = default);
            [Cached("10m", "repo:{id:hash}:hashed")] Task<TEntity?> FindHashedAsync(TId id, CancellationToken ct = default);
            [Cached("10m")] Task<TEntity?> FindDefaultAsync(TId {|#1:id|}, CancellationToken ct = default);
        }
        [PersonalData] public readonly record struct EmailAddress(string Value);
        public sealed record Customer(int Id, string Name);
        public sealed record Product(int Id, string Name);
        public interface ICustomerRepository : IRepository<Customer, EmailAddress> { }
        public interface IProductRepository : IRepository<Product, int> { }
        """,
        [
            new DiagnosticResult("CG0001", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("id", "IRepository<Customer, EmailAddress>.FindAsync"),
            new DiagnosticResult("CG0001", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("id", "IRepository<Customer, EmailAddress>.FindDefaultAsync"),
        ]);

    /// <summary>A placeholder that is personal data whatever the closing (by its name) is reported once, for the declared
    /// method; two closings with personal key types report the placeholder once, naming the first closing found.</summary>
    [Fact]
    public Task CG0001_a_placeholder_reported_for_the_declared_method_is_not_repeated_per_closing() => Verify<PersonalDataInKeyAnalyzer>.AnalyzerAsync(
        """
        public interface IByContact<TEntity, TContact> where TEntity : class
        {
            [Cached("10m", "c:{|#0:{email}|}")] Task<TEntity?> FindAsync(TContact email);
            [Cached("10m", "d:{|#1:{contact}|}")] Task<TEntity?> FindByContactAsync(TContact contact);
        }
        [PersonalData] public readonly record struct EmailAddress(string Value);
        [PersonalData] public readonly record struct PhoneNumber(string Value);
        public sealed record Customer(int Id);
        public interface ICustomersByEmail : IByContact<Customer, EmailAddress> { }
        public interface ICustomersByPhone : IByContact<Customer, PhoneNumber> { }
        """,
        [
            new DiagnosticResult("CG0001", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("email", "FindAsync"),
            new DiagnosticResult("CG0001", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("contact", "IByContact<Customer, PhoneNumber>.FindByContactAsync"),
        ]);

    [Fact]
    public Task CG0001_fix_hashes_the_generic_placeholder() => Verify<PersonalDataInKeyAnalyzer>.CodeFixAsync<PersonalDataInKeyFixer>(
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{|CG0001:{id}|}")] Task<TEntity?> FindAsync(TId id);
        }
        [PersonalData] public readonly record struct EmailAddress(string Value);
        public sealed record Customer(int Id);
        public interface ICustomerRepository : IRepository<Customer, EmailAddress> { }
        """,
        """
        public interface IRepository<TEntity, TId> where TEntity : class
        {
            [Cached("10m", "repo:{id:hash}")] Task<TEntity?> FindAsync(TId id);
        }
        [PersonalData] public readonly record struct EmailAddress(string Value);
        public sealed record Customer(int Id);
        public interface ICustomerRepository : IRepository<Customer, EmailAddress> { }
        """);

    /// <summary>A key value typed by the interface's type parameter is encoded by the closing's type: one with no key
    /// encoding (a tuple, a class) has its closed method forwarded uncached, reported at the generic placeholder naming the
    /// closed member and the interface that closes it (which may be in another file); a strongly typed id (a struct with one field) and a number are encoded.</summary>
    [Fact]
    public Task CG0004_a_closing_whose_key_type_has_no_encoding_is_reported_at_the_placeholder() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface ILookupStore<TKey, TValue> where TKey : notnull where TValue : class
        {
            [Cached("5m", "lk:{|#0:{key}|}")] Task<TValue?> LookupAsync(TKey key);
            [Cached("5m")] Task<TValue?> FindAsync(TKey {|#1:key|});
        }
        public readonly record struct SegmentId(Guid Value);
        public sealed record Segment(int From, int To);
        public interface ISegmentStore : ILookupStore<(int From, int To), string> { }
        public interface IByRecordStore : ILookupStore<Segment, string> { }
        public interface IByIdStore : ILookupStore<SegmentId, string> { }
        public interface IByNumberStore : ILookupStore<int, string> { }
        """,
        [
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("ILookupStore<(int From, int To), string>.LookupAsync', closed by 'ISegmentStore",
                "'key' is a '(int From, int To)' in 'ILookupStore<(int From, int To), string>', which has no key encoding (a string, number, bool, char, enum, Guid or date/time type argument, or a struct with one field of such a type, a strongly typed id)"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("ILookupStore<(int From, int To), string>.FindAsync', closed by 'ISegmentStore",
                "'key' is a '(int From, int To)' in 'ILookupStore<(int From, int To), string>', which has no key encoding (a string, number, bool, char, enum, Guid or date/time type argument, or a struct with one field of such a type, a strongly typed id)"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(0).WithArguments("ILookupStore<Segment, string>.LookupAsync', closed by 'IByRecordStore",
                "'key' is a 'Segment' in 'ILookupStore<Segment, string>', which has no key encoding (a string, number, bool, char, enum, Guid or date/time type argument, or a struct with one field of such a type, a strongly typed id)"),
            new DiagnosticResult("CG0004", DiagnosticSeverity.Error).WithLocation(1).WithArguments("ILookupStore<Segment, string>.FindAsync', closed by 'IByRecordStore",
                "'key' is a 'Segment' in 'ILookupStore<Segment, string>', which has no key encoding (a string, number, bool, char, enum, Guid or date/time type argument, or a struct with one field of such a type, a strongly typed id)"),
        ]);

    /// <summary>Two interfaces that close the base the same way (one of them through the other) store one value: one
    /// diagnostic per problem.</summary>
    [Fact]
    public Task Two_interfaces_closing_the_base_identically_report_once() => Verify<CachedMethodRulesAnalyzer>.AnalyzerAsync(
        Repository + Entities + """
            public interface IProductRepository : IRepository<Product, int> { }
            public interface IProductReadRepository : IRepository<Product, int> { }
            public interface IAuditedProductRepository : IProductRepository { }
            """,
        [
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(1).WithLocation(2)
                .WithArguments(Closed, "Product.Supplier → Supplier.Products"),
            new DiagnosticResult("CG0011", DiagnosticSeverity.Info).WithLocation(1)
                .WithArguments(Closed, "Product?", "property 'Id' has a public setter"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Info).WithLocation(1)
                .WithArguments("FindAsync", NoCompileTimeFormatterTests.TypeParameterReason("TEntity")),
        ]);

    /// <summary>A closing reports what a method declared with the closed value reports, no more.</summary>
    [Fact]
    public Task A_closing_reports_what_a_non_generic_method_of_the_closed_value_reports() => Verify<CachedMethodRulesAnalyzer>.AnalyzerAsync(
        Repository + """
            public class Product { public int Id { get; set; } public Supplier {|#3:Supplier|} { get; set; } = null!; }
            public class Supplier { public int Id { get; set; } public List<Product> {|#2:Products|} { get; set; } = new(); }
            public interface IProductRepository : IRepository<Product, int> { }
            public interface IProducts { [Cached("10m", "product:{id}")] Task<Product?> {|#4:FindAsync|}(int id, CancellationToken ct = default); }
            """,
        [
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(1).WithLocation(2)
                .WithArguments(Closed, "Product.Supplier → Supplier.Products"),
            new DiagnosticResult("CG0011", DiagnosticSeverity.Info).WithLocation(1)
                .WithArguments(Closed, "Product?", "property 'Id' has a public setter"),
            new DiagnosticResult("CG0020", DiagnosticSeverity.Info).WithLocation(1)
                .WithArguments("FindAsync", NoCompileTimeFormatterTests.TypeParameterReason("TEntity")),
            new DiagnosticResult("CG0014", DiagnosticSeverity.Warning).WithLocation(4).WithLocation(2)
                .WithArguments("FindAsync", "Product.Supplier → Supplier.Products"),
            new DiagnosticResult("CG0011", DiagnosticSeverity.Info).WithLocation(4)
                .WithArguments("FindAsync", "Product?", "property 'Id' has a public setter"),
        ]);

    /// <summary>A closing with a value none of the rules objects to adds nothing, while the same rules do report a
    /// closing with a troublesome value in the same compilation.</summary>
    [Fact]
    public async Task A_harmless_closing_raises_nothing()
    {
        const string Source = """
            public interface IRepository<TEntity, TId> where TEntity : class
            {
                [Cached("10m", "repo:{id}")] Task<TEntity?> FindAsync(TId id, CancellationToken ct = default);
            }
            public sealed record Tag(int Id, string Label, IReadOnlyList<string> Aliases);
            public interface ITagRepository : IRepository<Tag, int> { }
            public interface ITagByNameRepository : IRepository<Tag, string> { }
            """;
        await Verify<BackReferenceAnalyzer>.AnalyzerAsync(Source);
        await Verify<MutableCachedValueAnalyzer>.AnalyzerAsync(Source);
        await Verify<UnserializableResultAnalyzer>.AnalyzerAsync(Source);
        await Verify<PersonalDataInValueAnalyzer>.AnalyzerAsync(Source);
    }

    /// <summary>An interface that closes the base over a type parameter of its own stores no known value.</summary>
    [Fact]
    public Task A_closing_over_a_type_parameter_is_not_looked_at() => Verify<MutableCachedValueAnalyzer>.AnalyzerAsync(
        Repository.Replace("{|#0:", "").Replace("{|#1:", "").Replace("|}", "") + """
            public class Product { public int Id { get; set; } }
            public interface IKeyed<TEntity> : IRepository<TEntity, int> where TEntity : class { }
            """);

    /// <summary>A closing with a type that cannot be cached (a stream) is forwarded uncached by the closing's decorator:
    /// CG0007 says so at the generic method, naming the closed member; a cacheable closing says nothing.</summary>
    [Fact]
    public Task CG0007_a_closing_whose_value_cannot_be_cached_is_reported() => Verify<UncacheableMethodAnalyzer>.AnalyzerAsync(
        Repository + """
            public class Product { public int Id { get; set; } }
            public interface IDocumentRepository : IRepository<System.IO.Stream, int> { }
            public interface IProductRepository : IRepository<Product, int> { }
            """,
        [
            new DiagnosticResult("CG0007", DiagnosticSeverity.Error).WithLocation(1)
                .WithArguments("IRepository<Stream, int>.FindAsync", "'System.IO.Stream?' is disposable: one caller would dispose what the others still use"),
        ]);
}
