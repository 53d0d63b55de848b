using System.Linq;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>The MessagePack formatters the generator writes for cached values (CachedGen.Formatters.g.cs), against
/// approved files; the output compilation must have no error or warning.</summary>
public class FormatterSnapshotTests
{
    [Fact]
    public void Form_repository()
    {
        var result = GeneratorHarness.Run(Sources.FormRepository);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.NotNull(result.Formatters);
        Snapshot.Verify(result.Formatters!, $"{nameof(FormatterSnapshotTests)}.{nameof(Form_repository)}#CachedGen.Formatters.g.cs");
    }

    [Fact]
    public void Every_member_shape()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using System.Threading.Tasks;
            using CachedGen;
            using MessagePack;

            namespace Shop
            {
                public enum Status { Open, Shipped = 5 }

                // Contractless, positional record: the constructor takes every member.
                public sealed record Line(string Sku, int Quantity, decimal Price);

                // Contractless class: set through its setters; a get-only member is written and dropped on read.
                public sealed class Order
                {
                    public int Id { get; set; }
                    public Status Status { get; init; }
                    public DateTimeOffset Placed { get; set; }
                    public Guid? Coupon { get; set; }
                    public List<Line> Lines { get; set; } = [];
                    public IReadOnlyDictionary<string, Line[]> ByWarehouse { get; set; } = new Dictionary<string, Line[]>();
                    public ImmutableArray<long> Parcels { get; set; }
                    public Address? Ship { get; set; }
                    public Money Total { get; set; }
                    public string Summary => "order " + Id;
                    [IgnoreMember] public string? Note { get; set; }
                    public bool @class;
                }

                // [MessagePackObject] with int keys: an array by index, with a gap.
                [MessagePackObject]
                public sealed class Address
                {
                    [Key(0)] public string Street { get; set; } = "";
                    [Key(2)] public string City { get; set; } = "";
                }

                // [MessagePackObject] with string keys, a struct with a constructor.
                [MessagePackObject]
                public readonly struct Money
                {
                    public Money(decimal amount, string currency) => (Amount, Currency) = (amount, currency);
                    [Key("amt")] public decimal Amount { get; }
                    [Key("cur")] public string Currency { get; }
                }

                public interface IOrders
                {
                    [Cached("5m", "order:{id}")]
                    Task<Order?> GetAsync(int id);

                    [Cached("5m", "orders:{status}")]
                    ValueTask<IReadOnlyList<Order>> ByStatusAsync(Status status);
                }
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.NotNull(result.Formatters);
        Snapshot.Verify(result.Formatters!, $"{nameof(FormatterSnapshotTests)}.{nameof(Every_member_shape)}#CachedGen.Formatters.g.cs");
    }

    [Fact]
    public void Ef_entities_are_read_back_through_unsafe_accessors()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using CachedGen;

            namespace Shop
            {
                // An EF Core entity: a protected constructor for the ORM, private setters, a get-only auto-property.
                public class Product
                {
                    protected Product() { }
                    public Product(int code, string name) => (Code, Name) = ("P-" + code, name);
                    public int Id { get; private set; }
                    public string Code { get; private set; } = "";
                    public string Name { get; private set; } = "";
                    public IReadOnlyList<string> Tags { get; } = new List<string>();
                    public required DateOnly Added { get; init; }
                    public decimal Price { get; set; }
                    public string Label => Code + " " + Name;
                }

                // A public constructor that fits: the rest through the setter and the backing field.
                public sealed class Sku
                {
                    public Sku(string value) => Value = value;
                    public string Value { get; }
                    public int Version { get; private set; }
                    public int Revision { get; }
                }

                public struct Reading
                {
                    public readonly int Value;
                    public int Scale { get; private set; }
                }

                public interface IProducts
                {
                    [Cached("5m", "product:{id}")]
                    Task<Product?> GetAsync(int id);

                    [Cached("5m", "sku:{id}")]
                    Task<Sku?> SkuAsync(int id);

                    [Cached("5m", "reading:{id}")]
                    Task<Reading> ReadingAsync(int id);
                }
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.NotNull(result.Formatters);
        Snapshot.Verify(result.Formatters!, $"{nameof(FormatterSnapshotTests)}.{nameof(Ef_entities_are_read_back_through_unsafe_accessors)}#CachedGen.Formatters.g.cs");
    }

    [Fact]
    public void Framework_collections_tuples_and_lazy_get_messagepack_own_formatters()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Collections.ObjectModel;
            using System.Threading.Tasks;
            using CachedGen;

            public sealed class Shapes
            {
                public Queue<string> Queue { get; set; } = new();
                public Stack<int> Stack { get; set; } = new();
                public LinkedList<int> Linked { get; set; } = new();
                public SortedDictionary<string, int> Sorted { get; set; } = new();
                public SortedList<int, string> SortedList { get; set; } = new();
                public ReadOnlyCollection<int>? ReadOnly { get; set; }
                public ObservableCollection<string> Observable { get; set; } = new();
                public ReadOnlyDictionary<string, int>? ReadOnlyMap { get; set; }
                public ConcurrentDictionary<string, int> Concurrent { get; set; } = new();
                public ConcurrentQueue<int> ConcurrentQueue { get; set; } = new();
                public ConcurrentBag<int> Bag { get; set; } = new();
                public Lazy<int>? Later { get; set; }
                public (int A, string B) Pair { get; set; }
                public (int, int, int, int, int, int, int) Seven { get; set; }
                public Tuple<int, string?>? Old { get; set; }
                public Tuple<int, int, int, int, int, int, int>? OldSeven { get; set; }
                public ValueTuple<int> One { get; set; }
                public ReadOnlyObservableCollection<int>? Watched { get; set; }
                public ReadOnlyMemory<byte> Blob { get; set; }
                public Memory<byte> Buffer { get; set; }
                public ArraySegment<byte> Segment { get; set; }
            }

            public interface IShapes
            {
                [Cached("5m", "shapes:{id}")]
                Task<Shapes?> GetAsync(int id);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        foreach (var creation in new[]
        {
            "new global::MessagePack.Formatters.QueueFormatter<string>()", "new global::MessagePack.Formatters.SortedDictionaryFormatter<string, int>()",
            "new global::MessagePack.Formatters.ReadOnlyCollectionFormatter<int>()", "new global::MessagePack.Formatters.LazyFormatter<int>()",
            "new global::MessagePack.Formatters.ValueTupleFormatter<int, string>()", "new global::MessagePack.Formatters.ValueTupleFormatter<int, int, int, int, int, int, int>()",
            "new global::MessagePack.Formatters.TupleFormatter<int, string>()",
        })
        {
            Assert.Contains(creation, result.Formatters!, System.StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Values_of_primitives_only_need_no_formatter_file()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using CachedGen;

            public interface ICounts
            {
                [Cached("5m", "count:{id}")]
                Task<int> CountAsync(int id);

                [Cached("5m", "name:{id}")]
                Task<string?> NameAsync(int id);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Null(result.Formatters);
    }

    [Fact]
    public void Generic_repository_values_built_from_type_parameters_get_no_formatter()
    {
        var result = GeneratorHarness.Run(GenericSources.Repository);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.DoesNotContain("TEntity", result.Formatters ?? "", System.StringComparison.Ordinal);
    }

    [Fact]
    public void Two_methods_sharing_a_type_get_one_formatter_in_a_stable_order()
    {
        const string source = """
            using System.Threading.Tasks;
            using CachedGen;

            namespace N;

            public sealed record B(int Id);
            public sealed record A(B Inner, string Name);

            public interface IOne { [Cached("5m", "a:{id}")] Task<A> GetAsync(int id); }
            public interface ITwo { [Cached("5m", "b:{id}")] Task<B> GetAsync(int id); [Cached("5m", "a2:{id}")] Task<A> OtherAsync(int id); }
            """;
        var first = GeneratorHarness.Run(source).Formatters!;
        Assert.Equal(1, first.Split("private sealed class N_AFormatter").Length - 1);
        Assert.Equal(1, first.Split("private sealed class N_BFormatter").Length - 1);
        Assert.True(first.IndexOf("N_AFormatter", System.StringComparison.Ordinal) < first.IndexOf("N_BFormatter", System.StringComparison.Ordinal));
    }

    [Fact]
    public void A_type_reported_as_CG0020_gets_no_formatter_and_its_owner_still_compiles()
    {
        var result = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using CachedGen;

            namespace N;

            public sealed record Backlog(int Id, PriorityQueue<string, int> Items);

            public interface IBacklogs { [Cached("5m", "backlog:{id}")] Task<Backlog> GetAsync(int id); }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Contains("private sealed class N_BacklogFormatter", result.Formatters, System.StringComparison.Ordinal);
        Assert.DoesNotContain("typeof(global::System.Collections.Generic.PriorityQueue<string, int>)", result.Formatters, System.StringComparison.Ordinal);
    }

    /// <summary>A type of the project that is a collection has items and members of its own; a generated formatter
    /// would write a map of its members (<c>Owner</c>, <c>Capacity</c>, <c>Count</c>) and lose every item, so none is
    /// written (CG0020 reports it). Framework collections and a type holding one as a member keep theirs.</summary>
    [Fact]
    public void Types_of_the_project_that_are_collections_get_no_formatter()
    {
        var result = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using System.Threading.Tasks;
            using CachedGen;

            namespace N;

            public class OrderList : List<int> { public string Owner { get; set; } = ""; }
            public class PagedList<T> : List<T> { public int TotalCount { get; set; } public int Page { get; set; } }
            public sealed class Settings : Dictionary<string, string> { }
            public sealed class Holder { public string Owner { get; set; } = ""; public List<int> Items { get; set; } = new(); }
            public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

            public interface IOrders
            {
                [Cached("5m", "orders:{id}")] Task<OrderList> OrderListAsync(int id);
                [Cached("5m", "paged:{page}")] Task<PagedList<int>> PagedAsync(int page);
                [Cached("5m", "settings:{id}")] Task<Settings> SettingsAsync(int id);
                [Cached("5m", "holder:{id}")] Task<Holder> HolderAsync(int id);
                [Cached("5m", "page:{page}")] Task<Page<int>> PageAsync(int page);
                [Cached("5m", "list:{id}")] Task<List<int>> ListAsync(int id);
                [Cached("5m", "array:{id}")] Task<ImmutableArray<string>> ArrayAsync(int id);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.DoesNotContain("OrderList", result.Formatters, System.StringComparison.Ordinal);
        Assert.DoesNotContain("PagedList", result.Formatters, System.StringComparison.Ordinal);
        Assert.DoesNotContain("Settings", result.Formatters, System.StringComparison.Ordinal);
        Assert.DoesNotContain("\"Capacity\"u8", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("private sealed class N_HolderFormatter", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("if (type == typeof(global::N.Page<int>))", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("new global::MessagePack.Formatters.ListFormatter<int>()", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("new global::MessagePack.ImmutableCollection.ImmutableArrayFormatter<string>()", result.Formatters, System.StringComparison.Ordinal);
        Assert.Single(result.Sources);
    }

    [Fact]
    public void Tuples_and_the_other_framework_collections_get_the_formatters_MessagePack_would_pick()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Collections.ObjectModel;
            using System.Threading.Tasks;
            using CachedGen;

            namespace N;

            public sealed record Order(int Id, string Name);
            public sealed record Backlog(Queue<string> Items, Stack<int> Undo, LinkedList<int> Chain, (int Page, int Size) Window);

            public interface IOrders
            {
                [Cached("5m", "page:{page}")] Task<(IReadOnlyList<Order> Items, int Total)> PageAsync(int page);
                [Cached("5m", "pair:{id}")] Task<(int, string?)?> PairAsync(int id);
                [Cached("5m", "named:{id}")] Task<List<(string Key, int? Value)>> NamedAsync(int id);
                [Cached("5m", "unnamed:{id}")] Task<List<(string, int?)>> UnnamedAsync(int id);
                [Cached("5m", "wide:{id}")] Task<(int, int, int, int, int, int, int, int, int)> WideAsync(int id);
                [Cached("5m", "tuple:{id}")] Task<Tuple<int, Order>> TupleAsync(int id);
                [Cached("5m", "backlog:{id}")] Task<Backlog> BacklogAsync(int id);
                [Cached("5m", "sorted:{id}")] Task<SortedDictionary<string, Order>> SortedAsync(int id);
                [Cached("5m", "sorted-list:{id}")] Task<SortedList<int, string>> SortedListAsync(int id);
                [Cached("5m", "concurrent:{id}")] Task<ConcurrentDictionary<int, Order>> ConcurrentAsync(int id);
                [Cached("5m", "read-only:{id}")] Task<ReadOnlyCollection<Order>> ReadOnlyAsync(int id);
                [Cached("5m", "read-only-map:{id}")] Task<ReadOnlyDictionary<int, string>> ReadOnlyMapAsync(int id);
                [Cached("5m", "observable:{id}")] Task<ObservableCollection<int>> ObservableAsync(int id);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Formatters!;
        foreach (var expected in new[]
        {
            "if (type == typeof(global::System.ValueTuple<global::System.Collections.Generic.IReadOnlyList<global::N.Order>, int>)) return new global::MessagePack.Formatters.ValueTupleFormatter<global::System.Collections.Generic.IReadOnlyList<global::N.Order>, int>();",
            "if (type == typeof(global::System.ValueTuple<int, string>?)) return new global::MessagePack.Formatters.NullableFormatter<global::System.ValueTuple<int, string>>();",
            "if (type == typeof(global::System.ValueTuple<int, int, int, int, int, int, int, global::System.ValueTuple<int, int>>)) return new global::MessagePack.Formatters.ValueTupleFormatter<int, int, int, int, int, int, int, global::System.ValueTuple<int, int>>();",
            "new global::MessagePack.Formatters.TupleFormatter<int, global::N.Order>()",
            "new global::MessagePack.Formatters.QueueFormatter<string>()",
            "new global::MessagePack.Formatters.StackFormatter<int>()",
            "new global::MessagePack.Formatters.LinkedListFormatter<int>()",
            "new global::MessagePack.Formatters.SortedDictionaryFormatter<string, global::N.Order>()",
            "new global::MessagePack.Formatters.SortedListFormatter<int, string>()",
            "new global::MessagePack.Formatters.ConcurrentDictionaryFormatter<int, global::N.Order>()",
            "new global::MessagePack.Formatters.ReadOnlyCollectionFormatter<global::N.Order>()",
            "new global::MessagePack.Formatters.ReadOnlyDictionaryFormatter<int, string>()",
            "new global::MessagePack.Formatters.ObservableCollectionFormatter<int>()",
        })
        {
            Assert.Contains(expected, text, System.StringComparison.Ordinal);
        }

        // Element names are not part of a tuple's type: (string Key, int? Value) and (string, int?) are one entry.
        Assert.Equal(1, text.Split("if (type == typeof(global::System.ValueTuple<string, int?>))").Length - 1);
        Assert.Equal(1, text.Split("if (type == typeof(global::System.Collections.Generic.List<global::System.ValueTuple<string, int?>>))").Length - 1);
    }
}
