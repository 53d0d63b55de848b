namespace CachedGen.SourceGenerator.Tests;

/// <summary>Input programs shared by the generator tests.</summary>
internal static class Sources
{
    public const string FormRepository = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Forms;

        public sealed record FieldDefinition(string Name, string Kind, bool Required);
        public sealed record FormSchema(int FormId, string Title, int Revision, IReadOnlyList<FieldDefinition> Fields);
        public sealed record FormSummary(int FormId, string Title);
        public sealed record UserProfile(string DisplayName, string Locale);
        public enum FormStatus { Draft, Published }
        public sealed class FormQuery { public Guid TenantId { get; set; } public FormStatus Status { get; set; } public string? Search { get; set; } }

        public interface IFormRepository
        {
            [Cached("1h", "form:{formId}:schema", nameof(UpdateSchemaAsync), nameof(DeleteFormAsync))]
            Task<FormSchema?> GetSchemaAsync(int formId, CancellationToken ct = default);

            [Cached("5m", "tenant:{tenantId}:forms:page:{page}")]
            ValueTask<IReadOnlyList<FormSummary>> ListFormsAsync(Guid tenantId, int page, CancellationToken ct = default);

            [Cached("30m", "user:{email:hash}:profile", Sensitive = true)]
            Task<UserProfile?> GetProfileAsync([PersonalData] string email, CancellationToken ct = default);

            [Cached("1m", "tenant:{query.TenantId}:status:{query.Status}:q:{query.Search}")]
            ValueTask<int> CountAsync(FormQuery query, CancellationToken ct = default);

            [Cached("10s")]
            string Describe(int formId, FormStatus? status);

            Task UpdateSchemaAsync(int formId, Guid tenantId, FormSchema schema, CancellationToken ct = default);
            Task DeleteFormAsync(int formId, CancellationToken ct = default);
            int Version { get; }
            event EventHandler? Changed;
        }
        """;
}

/// <summary>More inputs: attributes on the implementing class, assembly defaults, shapes that stay uncached.</summary>
internal static class MoreSources
{
    public const string ClassAttributes = """
        using System.Threading;
        using System.Threading.Tasks;
        using CachedGen;

        [assembly: CachedDefaults(Ttl = "2m", KeyPrefix = "orders:")]

        namespace Shop
        {
            public sealed record Order(long Id, decimal Total);

            public interface IOrderStore
            {
                Task<Order?> FindAsync(long id, CancellationToken cancellationToken);
                Task SaveAsync(Order order, CancellationToken cancellationToken);
            }

            internal sealed class SqlOrderStore : IOrderStore
            {
                [Cached(KeyTemplate = "order:{id}", InvalidatedBy = new[] { nameof(SaveAsync) })]
                public Task<Order?> FindAsync(long id, CancellationToken cancellationToken) => Task.FromResult<Order?>(new Order(id, 1m));

                public Task SaveAsync(Order order, CancellationToken cancellationToken) => Task.CompletedTask;
            }
        }
        """;

    public const string Uncacheable = """
        using System.Collections.Generic;
        using System.IO;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Odd;

        public interface IOddRepository
        {
            [Cached("1m")] Task SaveAsync(int id);
            [Cached("1m")] void Touch(int id);
            [Cached("1m")] T Get<T>(int id);
            [Cached("1m")] bool TryGet(int id, out string value);
            [Cached("1m")] IAsyncEnumerable<int> StreamAsync(int id);
            [Cached("1m")] Stream Open(int id);
            [Cached("not-a-ttl")] int BadTtl(int id);
            [Cached("1m", "x:{missing}")] int UnknownPlaceholder(int id);
            [Cached("1m", "x:{a}{b}")] int Adjacent(int a, int b);
            [Cached("1m")] int ComplexKey(List<int> ids);
            [Cached("1m")] int Fine(int id);
            ref int Slot(int index);
            string this[int index] { get; set; }
        }
        """;
}

internal static class GenericSources
{
    /// <summary>A generic repository with a constrained type parameter, <c>[Cached]</c> on the interface.</summary>
    public const string Repository = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using CachedGen;

        namespace Shop;

        public interface IEntity
        {
            int Id { get; }
        }

        public sealed record Order(int Id, string Customer) : IEntity;

        public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

        public interface IRepository<TEntity>
            where TEntity : class, IEntity
        {
            [Cached("5m", "entity:{id}", nameof(SaveAsync))]
            Task<TEntity?> GetAsync(int id, CancellationToken ct = default);

            [Cached("5m")]
            Task<TEntity?> FindAsync(string name);

            [Cached("1m", "{TEntity}:page:{number}")]
            Task<Page<TEntity>> PageAsync(int number);

            [Cached("1m", "count")]
            int Count();

            Task SaveAsync(int id, TEntity entity);
        }
        """;
}

internal static class GenericShapes
{
    /// <summary>Two type parameters; the key's value is a <c>TKey</c>.</summary>
    public const string TwoTypeParameters = """
        using System.Threading.Tasks;
        using CachedGen;

        namespace Shop;

        public interface IEntity<TKey>
            where TKey : notnull
        {
            TKey Id { get; }
        }

        public sealed record Order(int Id, string Customer) : IEntity<int>;

        public interface IRepository<TEntity, TKey>
            where TEntity : class, IEntity<TKey>, new()
            where TKey : notnull
        {
            [Cached("5m", "{TEntity}:{id}", nameof(SaveAsync))]
            ValueTask<TEntity?> GetAsync(TKey id);

            Task SaveAsync(TKey id, TEntity entity);
        }
        """;

    /// <summary>A derived interface that closes a generic base whose methods carry [Cached]; a generic class and a closed
    /// class with [Cached] on their methods.</summary>
    public const string DerivedAndImplementations = """
        using System.Threading.Tasks;
        using CachedGen;

        namespace Shop;

        public interface IEntity
        {
            int Id { get; }
        }

        public sealed record Order(int Id, string Customer) : IEntity;

        public sealed record Customer(int Id, string Name) : IEntity;

        public interface IRepository<TEntity>
            where TEntity : class, IEntity
        {
            [Cached("5m", "entity:{id}", nameof(SaveAsync))]
            Task<TEntity?> GetAsync(int id);

            Task SaveAsync(int id, TEntity entity);
        }

        public interface IOrderRepository : IRepository<Order>
        {
            Task<int> CountAsync();
        }

        public interface IStore<T>
        {
            Task<T?> LoadAsync(string name);
        }

        public sealed class MemoryStore<TItem> : IStore<TItem>
        {
            [Cached("1m", "{TItem}:{name}")]
            public Task<TItem?> LoadAsync(string name) => Task.FromResult(default(TItem));
        }

        public sealed class CustomerStore : IStore<Customer>
        {
            [Cached("2m", "customer:{name}")]
            public Task<Customer?> LoadAsync(string name) => Task.FromResult<Customer?>(null);
        }
        """;
}
