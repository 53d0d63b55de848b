using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using CachedGen.CodeFixes.Rules;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>CG0016–CG0019: batch placeholders (<c>{ids[]}</c>, docs/batch.md).</summary>
public class BatchRuleTests
{
    [Fact]
    public Task A_batch_placeholder_on_a_single_value_fires() => Verify<BatchParameterNotCollectionAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "k:{|CG0016:{id[]}|}")] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int id);
            [Cached("5m", "k:{|CG0016:{ids[]}|}")] Task<IReadOnlyDictionary<int, string>> ByQueueAsync(Queue<int> ids);
        }
        """);

    [Fact]
    public Task Every_accepted_collection_stays_silent() => Verify<BatchParameterNotCollectionAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "a:{ids[]}")] Task<IReadOnlyDictionary<int, string>> A(IEnumerable<int> ids);
            [Cached("5m", "b:{ids[]}")] Task<IReadOnlyDictionary<int, string>> B(IReadOnlyCollection<int> ids);
            [Cached("5m", "c:{ids[]}")] Task<IReadOnlyDictionary<int, string>> C(IReadOnlyList<int> ids);
            [Cached("5m", "d:{ids[]}")] Task<IReadOnlyDictionary<int, string>> D(ICollection<int> ids);
            [Cached("5m", "e:{ids[]}")] Task<IReadOnlyDictionary<int, string>> E(int[] ids);
            [Cached("5m", "f:{ids[]}")] Task<IReadOnlyDictionary<int, string>> F(List<int> ids);
            [Cached("5m", "g:{ids[]}")] Task<IReadOnlyDictionary<int, string>> G(HashSet<int> ids);
            [Cached("5m", "h:{ids[]}")] Task<IReadOnlyDictionary<int, string>> H(ISet<int> ids);
        }
        """);

    [Fact]
    public Task A_batch_result_not_keyed_by_the_element_fires() => Verify<BatchResultNotKeyedAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "a:{ids[]}")] Task<IReadOnlyList<string>> {|CG0017:ListAsync|}(int[] ids);
            [Cached("5m", "b:{ids[]}")] Task<IReadOnlyDictionary<string, string>> {|CG0017:ByNameAsync|}(int[] ids);
            [Cached("5m", "c:{ids[]}")] Task<IReadOnlyDictionary<int, string>> GoodAsync(int[] ids);
            [Cached("5m", "d:{ids[]}")] ValueTask<IDictionary<int, string>> GoodValueAsync(List<int> ids);
            [Cached("5m", "e:{ids[]}")] Dictionary<int, string> GoodSync(int[] ids);
        }
        """);

    [Fact]
    public Task Two_batch_placeholders_fire_on_the_second() => Verify<SeveralBatchPlaceholdersAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "k:{ids[]}:{|CG0018:{names[]}|}")] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids, string[] names);
            [Cached("5m", "t:{tenant}:k:{ids[]}")] Task<IReadOnlyDictionary<int, string>> GoodAsync(string tenant, int[] ids);
        }
        """);

    [Fact]
    public Task A_twin_that_disagrees_fires_and_one_that_agrees_does_not() => Verify<BatchTwinMismatchAnalyzer>.AnalyzerAsync("""
        public sealed record Product(int Id);
        public interface IRepo
        {
            [Cached("10m", "p:{id}")] Task<Product?> GetAsync(int id);
            [Cached("10m", "p:{ids[]}")] Task<IReadOnlyDictionary<int, Product>> GetManyAsync(IReadOnlyCollection<int> ids);
            [{|CG0019:Cached("1h", "p:{ids[]}:x")|}] Task<IReadOnlyDictionary<int, Product>> LongerAsync(int[] ids);
            [Cached("10m", "p:{id}:x")] Task<Product?> GetLongerAsync(int id);
            [Cached("10m", "q:{id}", Version = 2)] Task<Product?> GetVersionedAsync(int id);
            [{|CG0019:Cached("10m", "q:{ids[]}")|}] Task<IReadOnlyDictionary<int, Product>> GetVersionedManyAsync(int[] ids);
            [Cached("10m", "n:{id}")] Task<int?> CountAsync(int id);
            [{|CG0019:Cached("10m", "n:{ids[]}")|}] Task<IReadOnlyDictionary<int, int>> CountManyAsync(int[] ids);
            [Cached("10m", "s:{id}", Sensitive = true)] Task<Product?> SecretAsync(int id);
            [{|CG0019:Cached("10m", "s:{ids[]}")|}] Task<IReadOnlyDictionary<int, Product>> SecretManyAsync(int[] ids);
            [Cached("10m", "z:{id}", CacheNull = false)] Task<Product?> FindAsync(int id);
            [{|CG0019:Cached("10m", "z:{ids[]}")|}] Task<IReadOnlyDictionary<int, Product>> FindManyAsync(int[] ids);
        }
        """);

    [Fact]
    public Task The_fix_copies_the_twins_TTL_and_Version() => Verify<BatchTwinMismatchAnalyzer>.CodeFixAsync<BatchTwinMismatchFixer>(
        """
        public sealed record Product(int Id);
        public interface IRepo
        {
            [Cached("10m", "q:{id}", Version = 2)] Task<Product?> GetAsync(int id);
            [{|CG0019:Cached("1h", "q:{ids[]}")|}] Task<IReadOnlyDictionary<int, Product>> GetManyAsync(int[] ids);
        }
        """,
        """
        public sealed record Product(int Id);
        public interface IRepo
        {
            [Cached("10m", "q:{id}", Version = 2)] Task<Product?> GetAsync(int id);
            [Cached("10m", "q:{ids[]}", Version = 2)] Task<IReadOnlyDictionary<int, Product>> GetManyAsync(int[] ids);
        }
        """);

    [Fact]
    public Task A_batch_write_needs_the_collection_or_its_element() => Verify<UnworkableInvalidationAnalyzer>.AnalyzerAsync("""
        public interface IRepo
        {
            [Cached("5m", "k:{ids[]}", nameof(SaveManyAsync), nameof(SaveAsync), {|CG0006:nameof(SaveOtherAsync)|})]
            Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids);
            Task SaveManyAsync(IReadOnlyList<int> ids);
            Task SaveAsync(int id);
            Task SaveOtherAsync(int key);
        }
        """);
}
