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
