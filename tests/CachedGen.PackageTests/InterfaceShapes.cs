using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using CachedGen;
using Xunit;

// Interface shapes found in real repositories. The generated decorators are built by the SDK's compiler with warnings
// as errors and nullable enabled (Directory.Build.props): a warning in generated code fails this project's build.
namespace PackageConsumer.Shapes
{
    public sealed record Order(int Id, string Name);

    [Obsolete("Use Order.")]
    public sealed record LegacyOrder(int Id);

    public delegate void OrderChanged(object sender, int id);

    public sealed record Backlog(Queue<string> Items, (int Page, int Size) Window, Tuple<int, string> Pair);

    public interface IReadRepository<T>
    {
        Task<T?> GetByIdAsync(int id);
        T? this[int id] { get; }
    }

    public interface IAudited
    {
        void Touch(int id);
        string Name { get; }
    }

    public interface ITracked
    {
        void Touch(int id);
        void Reset() { }
    }

    public interface IOrderRepository : IReadRepository<Order>, IAudited, ITracked
    {
        [Cached("5m", "order:{id}", nameof(SaveAsync), nameof(Rename), nameof(MoveAsync), nameof(ArchiveAsync))]
        Task<Order?> FindAsync(in int id, [DisallowNull, NotCacheKey] string? culture, CancellationToken ct = default);

        [Obsolete("Use FindAsync.", error: true)]
        [Cached("5m")]
        Order? Find(int id);

        [Cached("5m", "order:code:{code}")]
        Task<Order?> FindAsync(string code);

        [Cached("5m")]
        ValueTask<int> CountAsync(int tenant) => ValueTask.FromResult(0);

        [Cached("5m", "orders:page:{page}")]
        Task<(IReadOnlyList<Order> Items, int Total)> PageAsync(int page);

        [Cached("5m", "orders:backlog:{id}")]
        Task<Backlog> BacklogAsync(int id);

        Task<T?> FindAsync<T>(int id) where T : class;
        Task<T?> FindMaybeAsync<T>(int id) where T : class?;
        T? FindAny<T>(int id);
        T? FindValue<T>(int id) where T : struct;
        T? FindNotNull<T>(int id) where T : notnull;
        T Create<T>() where T : new();
        TOut Convert<TIn, TOut>(TIn value) where TOut : TIn;
        T Blit<T>(T value) where T : unmanaged;
        bool TryGet(int id, [NotNullWhen(true)] out Order? order);
        [return: NotNullIfNotNull(nameof(order))]
        Order? Normalize(Order? order);
        [DoesNotReturn]
        void Fail(string message);
        int Sum(params int[] values);
        int SumSpan(params ReadOnlySpan<int> values);
        int SumList(params List<int> values);
        int Length(scoped ReadOnlySpan<char> text);
        ref int Slot(int index);
        void Defaults(int a = default, string b = "a\"b\\c\n", DayOfWeek c = DayOfWeek.Friday, decimal d = 1.5m, double e = double.NaN, object? f = null);

        [Obsolete]
        Task SaveAsync(int id, string name);

        void Rename(int id, [AllowNull] string name);

        Task MoveAsync(in int id, ReadOnlySpan<char> note);

        Task ArchiveAsync(int id, int await);

#pragma warning disable CS0618 // the user's own use of an obsolete type
        LegacyOrder Upgrade(LegacyOrder order);
#pragma warning restore CS0618

        [AllowNull]
        string Title { get; set; }

        [IndexerName("Cell")]
        string this[string key] { get; }

        event OrderChanged? Changed;

        string RegisterDecorator(int _inner, int _runtime, int key, int self, int @class);
    }

    public sealed class OrderSource : IOrderRepository
    {
        public int Loads;
        private int _slot;
        private string _title = "";

        public Task<Order?> FindAsync(in int id, [DisallowNull, NotCacheKey] string? culture, CancellationToken ct = default)
        {
            Interlocked.Increment(ref Loads);
            return Task.FromResult<Order?>(new Order(id, culture));
        }

        [Obsolete("Use FindAsync.", error: true)]
        public Order? Find(int id) => new(id, "find");

        public Task<Order?> FindAsync(string code)
        {
            Interlocked.Increment(ref Loads);
            return Task.FromResult<Order?>(new Order(code.Length, code));
        }

        public int PageLoads;

        public Task<(IReadOnlyList<Order> Items, int Total)> PageAsync(int page)
        {
            Interlocked.Increment(ref PageLoads);
            return Task.FromResult<(IReadOnlyList<Order>, int)>(([new Order(page, "paged")], 10));
        }

        public Task<Backlog> BacklogAsync(int id) => Task.FromResult(new Backlog(new Queue<string>(["a"]), (id, 20), Tuple.Create(id, "b")));

        public Task<T?> FindAsync<T>(int id) where T : class => Task.FromResult(default(T));
        public Task<T?> FindMaybeAsync<T>(int id) where T : class? => Task.FromResult(default(T));
        public T? FindAny<T>(int id) => default;
        public T? FindValue<T>(int id) where T : struct => default;
        public T? FindNotNull<T>(int id) where T : notnull => default;
        public T Create<T>() where T : new() => new();
        public TOut Convert<TIn, TOut>(TIn value) where TOut : TIn => throw new InvalidCastException();
        public T Blit<T>(T value) where T : unmanaged => value;

        public bool TryGet(int id, [NotNullWhen(true)] out Order? order)
        {
            order = id > 0 ? new Order(id, "got") : null;
            return order is not null;
        }

        [return: NotNullIfNotNull(nameof(order))]
        public Order? Normalize(Order? order) => order;

        [DoesNotReturn]
        public void Fail(string message) => throw new InvalidOperationException(message);

        public int Sum(params int[] values) => values.Length;
        public int SumSpan(params ReadOnlySpan<int> values) => values.Length;
        public int SumList(params List<int> values) => values.Count;
        public int Length(scoped ReadOnlySpan<char> text) => text.Length;
        public ref int Slot(int index) => ref _slot;
        public void Defaults(int a = default, string b = "a\"b\\c\n", DayOfWeek c = DayOfWeek.Friday, decimal d = 1.5m, double e = double.NaN, object? f = null) { }

        [Obsolete]
        public Task SaveAsync(int id, string name) => Task.CompletedTask;

        public void Rename(int id, [AllowNull] string name) { }

        public Task MoveAsync(in int id, ReadOnlySpan<char> note) => Task.CompletedTask;

        public Task ArchiveAsync(int id, int await) => Task.CompletedTask;

        [Obsolete("Use Order.")]
        public LegacyOrder Upgrade(LegacyOrder order) => order;

        [AllowNull]
        public string Title { get => _title; set => _title = value ?? ""; }

        public string this[string key] => key;

        public Order? this[int id] => new(id, "indexed");

        public Task<Order?> GetByIdAsync(int id) => Task.FromResult<Order?>(new Order(id, "by-id"));

        public void Touch(int id) { }

        public string Name => "source";

        public event OrderChanged? Changed;

        public void Raise(int id) => Changed?.Invoke(this, id);

        public string RegisterDecorator(int _inner, int _runtime, int key, int self, int @class) => $"{_inner}{_runtime}{key}{self}{@class}";
    }

    public class Outer
    {
        public interface IStore
        {
            [Cached("5m")]
            Task<string> GetAsync(int id);
        }
    }

    // [Cached] on a base interface; the service type registered is the derived interface, which declares none.
    public interface IReadCatalog
    {
        [Cached("5m", "catalog:{id}", nameof(TouchAsync))]
        Task<Order?> ItemAsync(int id);

        Task TouchAsync(int id);
    }

    public interface ICatalog : IReadCatalog
    {
        Task AddAsync(Order order);
    }

    public sealed class CatalogSource : ICatalog
    {
        public int Loads;

        public Task<Order?> ItemAsync(int id)
        {
            Loads++;
            return Task.FromResult<Order?>(new Order(id, "item"));
        }

        public Task TouchAsync(int id) => Task.CompletedTask;

        public Task AddAsync(Order order) => Task.CompletedTask;
    }

    // [Cached] on an override of the base class's (virtual) implementation.
    public interface IPrices
    {
        Task<decimal> PriceAsync(int productId);
    }

    public class PricesBase : IPrices
    {
        public virtual Task<decimal> PriceAsync(int productId) => Task.FromResult(0m);
    }

    public sealed class Prices : PricesBase
    {
        public int Loads;

        [Cached("1m")]
        public override Task<decimal> PriceAsync(int productId)
        {
            Loads++;
            return Task.FromResult(1.5m);
        }
    }

    [Obsolete("Use IOrderRepository.")]
    public interface IOldStore
    {
        [Cached("5m")]
        Task<string> GetAsync(int id);
    }

    public class InterfaceShapeTests
    {
        [Fact]
        public async Task A_derived_interface_that_declares_no_attribute_is_decorated_with_its_base_s()
        {
            var source = new CatalogSource();
            ICatalog catalog = new CachedCatalog(source, new CacheRuntime(new CachedGenOptions()));

            await catalog.ItemAsync(1);
            await catalog.ItemAsync(1);
            Assert.Equal(1, source.Loads);

            await catalog.TouchAsync(1);
            await catalog.ItemAsync(1);
            Assert.Equal(2, source.Loads);
        }

        [Fact]
        public async Task Cached_on_an_override_of_the_implementing_method_caches()
        {
            var source = new Prices();
            IPrices prices = new CachedPrices(source, new CacheRuntime(new CachedGenOptions()));

            Assert.Equal(1.5m, await prices.PriceAsync(3));
            Assert.Equal(1.5m, await prices.PriceAsync(3));
            Assert.Equal(1, source.Loads);
        }

        [Fact]
        public async Task Decorator_of_a_many_shaped_interface_caches_and_forwards()
        {
            var source = new OrderSource();
            IOrderRepository repository = new CachedOrderRepository(source, new CacheRuntime(new CachedGenOptions()));

            var first = await repository.FindAsync(1, "fr");
            var second = await repository.FindAsync(1, "fr");
            Assert.Equal(new Order(1, "fr"), first);
            Assert.Equal(first, second);
            Assert.Equal(1, source.Loads);

            repository.Rename(1, null);
            await repository.FindAsync(1, "de");
            Assert.Equal(2, source.Loads);

            await repository.MoveAsync(1, "north");
            Assert.Equal(new Order(1, "it"), await repository.FindAsync(1, "it"));
            Assert.Equal(3, source.Loads);

            await repository.ArchiveAsync(1, 0);
            await repository.FindAsync(1, "es");
            Assert.Equal(4, source.Loads);

            Assert.Equal(new Order(3, "abc"), await repository.FindAsync("abc"));
            Assert.Equal(new Order(3, "abc"), await repository.FindAsync("abc"));
            Assert.Equal(5, source.Loads);

            var page = await repository.PageAsync(2);
            Assert.Equal(page, await repository.PageAsync(2));
            Assert.Equal((new Order(2, "paged"), 10), (page.Items.Single(), page.Total));
            Assert.Equal(1, source.PageLoads);

            Assert.True(repository.TryGet(3, out var got));
            Assert.Equal("got", got.Name);
            Assert.Equal(3, repository.Sum(1, 2, 3));
            Assert.Equal(2, repository.SumSpan(1, 2));
            Assert.Equal(4, repository.SumList(1, 2, 3, 4));
            Assert.Equal(42, repository.Blit(42));
            repository.Slot(0) = 7;
            Assert.Equal(7, repository.Slot(0));
            Assert.Equal("cell", repository["cell"]);
            Assert.Equal("indexed", repository[5]?.Name);
            Assert.Equal("12345", repository.RegisterDecorator(1, 2, 3, 4, 5));

            var raised = 0;
            repository.Changed += (_, id) => raised = id;
            source.Raise(9);
            Assert.Equal(9, raised);

            ((IAudited)repository).Touch(1);
            ((ITracked)repository).Touch(1);
            Assert.Throws<InvalidOperationException>(() => repository.Fail("no"));
        }
    }
}
