using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>A name that names nothing (a write in <c>invalidatedBy</c> or <c>[CachePut]</c>, a key placeholder) is
/// reported with what was probably meant: a name of the same scope spelled alike or abbreviated, or, for a write that
/// only another interface has, the type-qualified form that names it.</summary>
public class NameSuggestionTests
{
    [Fact]
    public Task A_misspelled_write_is_reported_with_the_write_it_resembles() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IOrders
        {
            [Cached("5m", "o:{id}", {|#0:"UpdateOrderAsnc"|})]
            Task<int> GetAsync(int id);
            Task UpdateOrderAsync(int id);
            Task UpdateOwnerAsync(string owner);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("UpdateOrderAsnc", "GetAsync", "no method named 'UpdateOrderAsnc' on 'IOrders'; did you mean 'UpdateOrderAsync'?"),
        ]);

    [Fact]
    public Task A_write_only_a_derived_interface_has_is_reported_with_its_type_qualified_name() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IBookingReads
        {
            [Cached("5m", "b:{id}", {|#0:nameof(IBookingRepository.CancelAsync)|})]
            Task<int> GetAsync(int id);
        }

        public interface IBookingRepository : IBookingReads
        {
            Task CancelAsync(int id);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("CancelAsync", "GetAsync", "no method named 'CancelAsync' on 'IBookingReads'; to name the write of 'IBookingRepository', qualify it with its type: $\"{nameof(IBookingRepository)}.{nameof(IBookingRepository.CancelAsync)}\""),
        ]);

    [Fact]
    public Task The_type_qualified_name_the_message_suggests_is_accepted() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IBookingReads
        {
            [Cached("5m", "b:{id}", $"{nameof(IBookingRepository)}.{nameof(IBookingRepository.CancelAsync)}")]
            Task<int> GetAsync(int id);
        }

        public interface IBookingRepository : IBookingReads
        {
            Task CancelAsync(int id);
        }
        """);

    /// <summary>A generic interface that inherits the cached one has no <c>nameof</c> form before C# 14
    /// (<c>nameof(IRepository&lt;&gt;)</c>): the message suggests the string, which the next test shows is accepted.</summary>
    [Fact]
    public Task A_write_only_a_derived_generic_interface_has_is_named_with_its_string_before_CSharp_14() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IReadRepository<T> where T : class
        {
            [Cached("5m", "{T}:{id}", {|#0:nameof(IRepository<T>.UpdateAsync)|})]
            Task<T?> GetAsync(int id);
        }

        public interface IRepository<T> : IReadRepository<T> where T : class
        {
            Task UpdateAsync(int id, T entity);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("UpdateAsync", "GetAsync", "no method named 'UpdateAsync' on 'IReadRepository'; to name the write of 'IRepository', qualify it with its type: \"IRepository.UpdateAsync\" (a generic interface has no nameof form before C# 14)"),
        ]);

    /// <summary>The decorator of a generic interface caches the methods it inherits: its write invalidates them, for
    /// each closing. Named from the cached method, qualified with the generic interface (the string, or from C# 14
    /// <c>$"{nameof(IRepository&lt;&gt;)}.{nameof(IRepository&lt;&gt;.UpdateAsync)}"</c>).</summary>
    [Fact]
    public Task A_write_of_a_generic_interface_that_inherits_the_cached_one_is_accepted()
        => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(GenericReadsAndDerivedWrites);

    /// <summary>Before C# 14 the string is the only way to name a generic interface's write: no advice to use nameof.</summary>
    [Fact]
    public Task A_string_naming_a_generic_interface_s_write_gets_no_nameof_advice_before_CSharp_14()
        => Verify<InvalidationByStringAnalyzer>.AnalyzerAsync(GenericReadsAndDerivedWrites);

    /// <summary>Reads in a generic base, the write in the generic repository that inherits it, named by its string.</summary>
    private const string GenericReadsAndDerivedWrites = """
        public interface IReadRepository<T> where T : class
        {
            [Cached("5m", "{T}:{id}", "IRepository.UpdateAsync")]
            Task<T?> GetAsync(int id);
        }

        public interface IRepository<T> : IReadRepository<T> where T : class
        {
            Task UpdateAsync(int id, T entity);
        }
        """;

    /// <summary>An interface that closes a generic base caches its own methods and forwards the base's writes: a write of
    /// the base, named with the base's type, invalidates them in its decorator.</summary>
    [Fact]
    public Task A_write_of_a_generic_base_that_the_cached_interface_closes_is_accepted() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public sealed record Product(int Id, string Sku);

        public interface IRepository<T> where T : class
        {
            Task UpdateAsync(int id, T entity);
        }

        public interface IProductRepository : IRepository<Product>
        {
            [Cached("5m", "product:{id}", "IRepository.UpdateAsync")]
            Task<Product?> GetAsync(int id);
        }
        """);

    /// <summary>A generic interface that does not inherit the cached one (a sibling base of a third interface) has no
    /// decorator that caches the method: the message says so and what works, instead of a qualified name that cannot.</summary>
    [Fact]
    public Task A_write_only_a_generic_sibling_has_is_reported_with_what_works() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IReads<T> where T : class
        {
            [Cached("5m", "{T}:{id}", {|#0:nameof(IWrites<T>.UpdateAsync)|})]
            Task<T?> GetAsync(int id);
        }

        public interface IWrites<T> where T : class
        {
            Task UpdateAsync(int id, T entity);
        }

        public interface IRepository<T> : IReads<T>, IWrites<T> where T : class
        {
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("UpdateAsync", "GetAsync", "no method named 'UpdateAsync' on 'IReads'; 'IWrites' has one, but it is generic and does not inherit 'IReads', so its writes cannot invalidate these entries: declare the write in an interface that inherits 'IReads', or tag the entries and put [InvalidatesTags] on it"),
        ]);

    /// <summary>With interfaces of the same names elsewhere in the compilation, the suggestion names the one that
    /// inherits the cached method's interface, however closed (a decoy in another namespace sorts first by name).</summary>
    [Fact]
    public Task The_suggested_write_is_the_one_that_inherits_the_cached_interface() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        namespace A.Decoy
        {
            public interface IRepo<T> where T : class { Task UpdateAsync(int id, T entity); }
        }

        namespace B.Real
        {
            public interface IReadRepo<T> where T : class
            {
                [Cached("5m", "{T}:{id}", {|#0:nameof(IRepo<T>.UpdateAsync)|})]
                Task<T?> GetAsync(int id);
            }

            public interface IRepo<T> : IReadRepo<T> where T : class { Task UpdateAsync(int id, T entity); }
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("UpdateAsync", "GetAsync", "no method named 'UpdateAsync' on 'IReadRepo'; to name the write of 'IRepo', qualify it with its type: \"IRepo.UpdateAsync\" (a generic interface has no nameof form before C# 14)"),
        ]);

    /// <summary>On a class's method, the write is one of an interface the class implements: named with a generic
    /// interface it does not implement, the message says so, naming the class.</summary>
    [Fact]
    public Task A_class_s_method_naming_a_generic_interface_it_does_not_implement_is_reported() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IReads<T> where T : class { Task<T?> GetAsync(int id); }

        public interface IWrites<T> where T : class { Task UpdateAsync(int id, T entity); }

        public class Store<T> : IReads<T> where T : class
        {
            [Cached("5m", "{T}:{id}", {|#0:"IWrites.UpdateAsync"|})]
            public Task<T?> GetAsync(int id) => Task.FromResult<T?>(null);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("IWrites.UpdateAsync", "GetAsync", "'IWrites' is generic and 'Store' does not implement it: a write of a generic interface invalidates only what a decorator of it caches; name a write of an interface 'Store' implements, or tag the entries and put [InvalidatesTags] on the write"),
        ]);

    /// <summary>A generic class's method naming the generic repository it implements: accepted.</summary>
    [Fact]
    public Task A_generic_class_s_method_naming_the_write_of_the_repository_it_implements_is_accepted() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IReadRepo<T> where T : class { Task<T?> GetAsync(int id); }

        public interface IRepo<T> : IReadRepo<T> where T : class { Task UpdateAsync(int id, T entity); }

        public class Store<T> : IRepo<T> where T : class
        {
            [Cached("5m", "{T}:{id}", "IRepo.UpdateAsync")]
            public Task<T?> GetAsync(int id) => Task.FromResult<T?>(null);

            public Task UpdateAsync(int id, T entity) => Task.CompletedTask;
        }
        """);

    /// <summary>A method CG0007 leaves uncached (a generic one) has nothing to invalidate: its names are not checked, so
    /// one mistake gives one error.</summary>
    [Fact]
    public Task An_uncached_method_s_invalidations_are_not_reported() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IRepo
        {
            [Cached("5m", "e:{id}", "UpdateAsync", "Missing")]
            Task<T?> GetByIdAsync<T>(int id) where T : class;
        }
        """);

    /// <summary>Named with its type, the sibling's write is reported for the same reason.</summary>
    [Fact]
    public Task A_qualified_write_of_a_generic_sibling_is_reported_with_what_works() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IReads<T> where T : class
        {
            [Cached("5m", "{T}:{id}", {|#0:"IWrites.UpdateAsync"|})]
            Task<T?> GetAsync(int id);
        }

        public interface IWrites<T> where T : class
        {
            Task UpdateAsync(int id, T entity);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("IWrites.UpdateAsync", "GetAsync", "'IWrites' is generic and neither inherits 'IReads' nor is inherited by it: a write of a generic interface invalidates only what its own decorator caches, the methods of 'IWrites' and of the interfaces it inherits; declare the write in an interface that inherits 'IReads', or tag the entries and put [InvalidatesTags] on the write"),
        ]);

    [Fact]
    public Task A_name_nothing_resembles_gets_no_suggestion() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync(
        """
        public interface IOrders : IAudited
        {
            [Cached("5m", "o:{id}", {|#0:"Archive"|})]
            Task<int> GetAsync(int id);
            Task UpdateAsync(int id);
        }

        public interface IAudited { void Touch(); }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableInvalidation).WithLocation(0)
                .WithArguments("Archive", "GetAsync", "no method named 'Archive' on 'IOrders' or the interfaces it inherits"),
        ]);

    [Fact]
    public Task An_abbreviated_placeholder_is_reported_with_the_parameter_it_abbreviates() => Verify<InvalidKeyTemplateAnalyzer>.AnalyzerAsync(
        """
        public interface IOrders
        {
            [Cached("5m", "c:{|#0:{custId}|}:{page}")]
            Task<int> ListAsync(int customerId, int page);

            [Cached("5m", "c:{|#1:{idC}|}")]
            Task<int> PairAsync(int idA, int idB);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.InvalidKeyTemplate).WithLocation(0)
                .WithArguments("ListAsync", "'custId' is not a parameter of 'ListAsync'; did you mean 'customerId'?"),
            // Two parameters are as close: neither is suggested.
            new DiagnosticResult(DiagnosticDescriptors.InvalidKeyTemplate).WithLocation(1)
                .WithArguments("PairAsync", "'idC' is not a parameter of 'PairAsync'"),
        ]);

    [Fact]
    public Task A_misspelled_put_target_is_reported_with_the_method_it_resembles() => Verify<UnworkableCachePutAnalyzer>.AnalyzerAsync(
        """
        #nullable enable
        public sealed record Schema(int Id);
        public interface IRepo
        {
            [Cached("5m", "s:{formId}")] Task<Schema?> GetSchemaAsync(int formId);

            [CachePut({|#0:"GetSchemaAsnc"|})]
            Task<Schema> SaveAsync(int formId);
        }
        """,
        [
            new DiagnosticResult(DiagnosticDescriptors.UnworkableCachePut).WithLocation(0)
                .WithArguments("SaveAsync", "GetSchemaAsnc", "no method named 'GetSchemaAsnc' on the interface; did you mean 'GetSchemaAsync'?"),
        ]);
}
