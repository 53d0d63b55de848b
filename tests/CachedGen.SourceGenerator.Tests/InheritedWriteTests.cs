using System.Linq;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>A write named type-qualified whose interface inherits the cached method's, or is a base the cached
/// method's interface closes: the decorator that has both the cached method and the write invalidates the entry, once,
/// for generic interfaces too (reads in a generic base, writes in the generic repository that inherits it).</summary>
public class InheritedWriteTests
{
    private const string Head = """
        using System.Threading.Tasks;
        using CachedGen;

        namespace Repos;

        public sealed record Product(int Id, string Name);

        """;

    [Fact]
    public void A_generic_repository_s_write_invalidates_what_it_inherits_from_its_generic_read_base()
    {
        var result = GeneratorHarness.Run(Head + """
            public interface IReadRepository<T> where T : class
            {
                [Cached("10m", "{T}:{id}", "IRepository.UpdateAsync")]
                Task<T?> GetAsync(int id);
            }

            public interface IRepository<T> : IReadRepository<T> where T : class
            {
                Task UpdateAsync(int id, T entity);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var write = Body(result.Sources["Repos.IRepository`1.g.cs"], "global::Repos.IRepository<T>.UpdateAsync(");
        Assert.Contains("await _getAsync.InvalidateAsync(new global::System.ValueTuple<int>(id)).ConfigureAwait(false); // {T}:{id}", write, System.StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidateAsync", Methods(result.Sources["Repos.IReadRepository`1.g.cs"]), System.StringComparison.Ordinal); // it has no write

        // The inherited method has the base decorator's method id and version segment, named with the base's type
        // arguments: one CachedMethod, one L1 and the same Redis entries for CachedReadRepository<T> and CachedRepository<T>.
        var derived = result.Sources["Repos.IRepository`1.g.cs"];
        Assert.Contains("GetAsyncDescriptor = new(\"Repos.IReadRepository<\" + global::CachedGen.Runtime.CacheTypeNames.Join(typeof(T)) + \">.GetAsync\", RenderGetAsyncKey)", derived, System.StringComparison.Ordinal);
        Assert.Contains("VersionSegment(1, global::CachedGen.Runtime.ShapeFingerprints.Of(typeof(T)), global::CachedGen.Runtime.CacheTypeNames.Join(typeof(T)))", derived, System.StringComparison.Ordinal);
        Assert.Contains("GetAsyncDescriptor = new(\"Repos.IReadRepository<\" + TypeArguments + \">.GetAsync\", RenderGetAsyncKey)", result.Sources["Repos.IReadRepository`1.g.cs"], System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_generic_decorator_s_method_inherited_from_a_plain_base_has_the_base_s_id_and_no_type_arguments()
    {
        var result = GeneratorHarness.Run(Head + """
            public interface IAudit
            {
                [Cached("10m", "audit:{id}")]
                Task<string?> GetEntryAsync(int id);
            }

            public interface IRepository<T> : IAudit where T : class
            {
                [Cached("10m", "{T}:{id}")]
                Task<T?> GetAsync(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var generic = result.Sources["Repos.IRepository`1.g.cs"];
        Assert.Contains("GetEntryAsyncDescriptor = new(\"Repos.IAudit.GetEntryAsync\", RenderGetEntryAsyncKey)", generic, System.StringComparison.Ordinal);
        Assert.Contains("GetEntryAsyncDescriptor = new(\"Repos.IAudit.GetEntryAsync\", RenderGetEntryAsyncKey)", result.Sources["Repos.IAudit.g.cs"], System.StringComparison.Ordinal);
        var suffix = generic.Split('\n').SkipWhile(l => !l.Contains("GetEntryAsyncDescriptor = new(", System.StringComparison.Ordinal)).First(l => l.Contains("KeySuffix", System.StringComparison.Ordinal));
        Assert.DoesNotContain("TypeArguments", suffix, System.StringComparison.Ordinal); // the entries are the base's, whatever T is
    }

    /// <summary>[Cached] on a generic class's method, naming the generic repository's write: the name is bound at the
    /// class, where the repository is closed with the class's type parameter, and still names the write the
    /// repository's decorator implements.</summary>
    [Fact]
    public void A_generic_class_s_cached_method_is_invalidated_by_the_generic_repository_s_write()
    {
        var result = GeneratorHarness.Run("using System.Collections.Generic;\nusing System.Linq;\nusing System.Threading;\n" + Head + """
            public interface IReadRepo<T> where T : class
            {
                Task<List<T>> ListAsync(CancellationToken ct = default);
            }

            public interface IRepo<T> : IReadRepo<T> where T : class
            {
                Task UpdateAsync(T entity, CancellationToken ct = default);
            }

            public class MemRepo<T> : IRepo<T> where T : class
            {
                private readonly List<T> _store = new();

                [Cached("5m", "{T}:all", "IRepo.UpdateAsync")]
                public Task<List<T>> ListAsync(CancellationToken ct = default) => Task.FromResult(_store.ToList());

                public Task UpdateAsync(T entity, CancellationToken ct = default)
                {
                    _store.Add(entity);
                    return Task.CompletedTask;
                }
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var write = Body(result.Sources["Repos.IRepo`1.g.cs"], "global::Repos.IRepo<T>.UpdateAsync(");
        Assert.Contains("await _listAsync.InvalidateAsync(default(global::System.ValueTuple)).ConfigureAwait(false); // {T}:all", write, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_closing_interface_s_cached_method_is_invalidated_by_the_write_of_its_generic_base()
    {
        var result = GeneratorHarness.Run(Head + """
            public interface IRepository<T> where T : class
            {
                Task UpdateAsync(int id, T entity);
            }

            public interface IProductRepository : IRepository<Product>
            {
                [Cached("10m", "product:{id}", "IRepository.UpdateAsync")]
                Task<Product?> GetAsync(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var write = Body(result.Sources["Repos.IProductRepository.g.cs"], "global::Repos.IRepository<global::Repos.Product>.UpdateAsync(");
        Assert.Contains("await _getAsync.InvalidateAsync(new global::System.ValueTuple<int>(id)).ConfigureAwait(false); // product:{id}", write, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_derived_interface_s_write_invalidates_once_in_its_own_decorator()
    {
        // The derived decorator caches the inherited method under the same method id, so the base's decorator shares
        // the entry and its L1: one invalidation, not a second one through the base's descriptor.
        var result = GeneratorHarness.Run(Head + """
            public interface IReadRepo
            {
                [Cached("10m", "p:{id}", "IRepo.UpdateAsync")]
                Task<Product?> GetAsync(int id);
            }

            public interface IRepo : IReadRepo
            {
                Task UpdateAsync(int id, Product product);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var derived = result.Sources["Repos.IRepo.g.cs"];
        var write = Body(derived, "global::Repos.IRepo.UpdateAsync(");
        Assert.Single(write.Split('\n'), line => line.Contains("InvalidateAsync", System.StringComparison.Ordinal));
        Assert.Contains("_getAsync.InvalidateAsync(new global::System.ValueTuple<int>(id))", write, System.StringComparison.Ordinal);
        Assert.Contains("new(\"Repos.IReadRepo.GetAsync\"", derived, System.StringComparison.Ordinal);
    }

    /// <summary>The text of the member whose signature contains <paramref name="signature"/>, up to the next blank line.</summary>
    private static string Body(string source, string signature)
    {
        var start = source.IndexOf(signature, System.StringComparison.Ordinal);
        Assert.True(start >= 0, $"no member '{signature}' in:\n{source}");
        var end = source.IndexOf("\n\n", start, System.StringComparison.Ordinal);
        return source[start..(end < 0 ? source.Length : end)];
    }

    /// <summary>The decorator's members after its descriptors and invalidation helpers (which name InvalidateAsync).</summary>
    private static string Methods(string source)
        => string.Join("\n", source.Split('\n').Where(line => !line.Contains("invalidator.InvalidateAsync", System.StringComparison.Ordinal)));
}
