using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>CG0024: a key template that reads some members of a parameter and leaves others out.</summary>
public class PartlyKeyedParameterTests
{
    [Fact]
    public Task A_query_object_keyed_by_some_of_its_members_fires_naming_the_rest() => Verify<PartlyKeyedParameterAnalyzer>.AnalyzerAsync(
        """
        public sealed record AppointmentQuery(int ClinicId, DateOnly Day, int DoctorId, int Page);
        public interface IAppointments
        {
            [Cached("1m", {|#0:"clinic:{query.ClinicId}:day:{query.Day}"|})]
            Task<int> SearchAsync(AppointmentQuery query, CancellationToken ct = default);
        }
        """,
        [
            new DiagnosticResult("CG0024", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("SearchAsync", "'ClinicId' and 'Day'", "query", "'DoctorId' and 'Page'", "{query.DoctorId}, {query.Page}"),
        ]);

    /// <summary>A query or specification interface (members inherited from a base interface too) is a query object as
    /// a record is: keyed on one member, callers whose queries differ in the others share an entry.</summary>
    [Fact]
    public Task A_query_interface_keyed_by_some_of_its_members_fires() => Verify<PartlyKeyedParameterAnalyzer>.AnalyzerAsync(
        """
        public interface IPaged { int Skip { get; } int Take { get; } }
        public interface IItemQuery : IPaged { int TenantId { get; } string? Search { get; } }
        public interface IItems
        {
            [Cached("1m", {|#0:"items:{query.TenantId}"|})]
            Task<int> CountAsync(IItemQuery query, CancellationToken ct = default);
        }
        """,
        [
            new DiagnosticResult("CG0024", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("CountAsync", "'TenantId'", "query", "'Search', 'Skip' and 'Take'", "{query.Search}, {query.Skip}, {query.Take}"),
        ]);

    /// <summary>A tenant left out of a query object's key is the cross-tenant leak CG0005 reports for a parameter.</summary>
    [Fact]
    public Task A_class_with_a_field_and_inherited_members_fires() => Verify<PartlyKeyedParameterAnalyzer>.AnalyzerAsync("""
        public class TenantQuery { public Guid TenantId { get; init; } }
        public sealed class InvoiceQuery : TenantQuery { public int Year; public string? Status { get; set; } }
        public interface IInvoices
        {
            [Cached("5m", {|CG0024:"invoices:{q.Year}:{q.Status}"|})] Task<int> CountAsync(InvoiceQuery? q);
        }
        """);

    [Fact]
    public Task Every_member_keyed_or_marked_not_cache_key_stays_silent() => Verify<PartlyKeyedParameterAnalyzer>.AnalyzerAsync("""
        public sealed record Query(int ClinicId, int Page, [property: NotCacheKey] string? TraceId);
        public sealed class Paging { public int Page { get; set; } [NotCacheKey] public string? CorrelationId { get; set; } public static int Max = 5; }
        public interface IRepo
        {
            [Cached("1m", "c:{q.ClinicId}:{q.Page}")] Task<int> A(Query q);
            [Cached("1m", "p:{p.Page}")] Task<int> B(Paging p);
        }
        """);

    /// <summary>An entity passed whole and keyed by its identity, a framework type's member as a deliberate grouping, a
    /// parameter also keyed whole, and a type parameter (its closing's members are unknown here) stay silent.</summary>
    [Fact]
    public Task Identity_framework_types_whole_values_and_type_parameters_stay_silent() => Verify<PartlyKeyedParameterAnalyzer>.AnalyzerAsync("""
        public sealed class Patient { public int Id { get; set; } public string Name { get; set; } = ""; }
        public sealed class Doctor { public int DoctorId { get; set; } public string Name { get; set; } = ""; }
        public readonly record struct Slot(int Hour, int Minute);
        public interface IEntity { int Id { get; } int Version { get; } }
        public interface IRepo<T> where T : IEntity
        {
            [Cached("1m", "t:{entity.Version}")] Task<int> ByVersion(T entity);
        }
        public interface IRepo
        {
            [Cached("1m", "p:{patient.Id}")] Task<int> A(Patient patient);
            [Cached("1m", "d:{doctor.DoctorId}")] Task<int> B(Doctor doctor);
            [Cached("1m", "y:{day.Year}")] Task<int> C(DateOnly day);
            [Cached("1m", "s:{slot}:{slot.Hour}")] Task<int> D(Slot slot);
        }
        """);
}
