using System.Linq;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>End-to-end generator output, per hint name, against approved files; the output must compile cleanly.</summary>
public class GeneratorSnapshotTests
{
    [Fact]
    public void Form_repository()
    {
        var result = GeneratorHarness.Run(Sources.FormRepository);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Assert.Equal("Forms.IFormRepository.g.cs", hint);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(Form_repository)}#{hint}");
    }

    [Fact]
    public void Attributes_on_the_implementing_class_with_assembly_defaults()
    {
        var result = GeneratorHarness.Run(MoreSources.ClassAttributes);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Assert.Equal("Shop.IOrderStore.g.cs", hint);
        Assert.Contains("KeyPrefix = \"orders:\"", text, System.StringComparison.Ordinal);
        Assert.Contains("/* 2m */", text, System.StringComparison.Ordinal);
        Assert.Contains(">(order.Id)).ConfigureAwait(false); // order:{id}", text, System.StringComparison.Ordinal);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(Attributes_on_the_implementing_class_with_assembly_defaults)}#{hint}");
    }

    /// <summary>A <c>CancellationToken?</c> is left out of keys as a <c>CancellationToken</c> is (the default key has no
    /// <c>{ct}</c>) and, as the method's token, stops the caller's wait (its value; none for null) while the inner call
    /// gets the load's own token, for a task, a value task and a batch method; a synchronous method's, or one beside a
    /// plain token, reaches the inner call as the caller passed it.</summary>
    [Fact]
    public void A_nullable_token_is_left_out_of_the_key_and_passed_to_the_inner_call()
    {
        var result = GeneratorHarness.Run("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using CachedGen;

            namespace Depots;

            public interface IDepots
            {
                [Cached("5m")]
                Task<string> GetNameAsync(int id, CancellationToken? ct = null);

                [Cached("5m", "depot:{id}:size")]
                ValueTask<int> GetSizeAsync(int id, CancellationToken? ct = null);

                [Cached("5m")]
                int Count(int region, CancellationToken? ct = null);

                [Cached("5m", "depot:{ids[]}")]
                Task<IReadOnlyDictionary<int, string>> GetNamesAsync(IReadOnlyCollection<int> ids, CancellationToken? ct = null);

                [Cached("5m")]
                Task<int> CountBothAsync(int region, CancellationToken requestAborted, CancellationToken? shutdown = null);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Assert.Equal("Depots.IDepots.g.cs", hint);
        Assert.Contains("under <c>Depots.IDepots.GetNameAsync:{id}</c>", text, System.StringComparison.Ordinal);
        Assert.Contains("under <c>Depots.IDepots.CountBothAsync:{region}</c>", text, System.StringComparison.Ordinal);
        Assert.Contains("GetNameAsyncLoader, ct.GetValueOrDefault());", text, System.StringComparison.Ordinal);
        Assert.Contains(".GetNameAsync(key.Item1, token);", text, System.StringComparison.Ordinal);
        Assert.Contains("GetNamesAsyncLoader, ct.GetValueOrDefault());", text, System.StringComparison.Ordinal);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(A_nullable_token_is_left_out_of_the_key_and_passed_to_the_inner_call)}#{hint}");
    }

    [Theory]
    [InlineData(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp10, false)]
    [InlineData(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp11, true)]
    [InlineData(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest, true)]
    public void Below_CSharp_11_nothing_is_generated_rather_than_code_that_does_not_compile(Microsoft.CodeAnalysis.CSharp.LanguageVersion version, bool generates)
    {
        var result = GeneratorHarness.RunWithLanguageVersion(version, """
            using System.Threading.Tasks;
            using CachedGen;

            namespace Shop;

            public sealed class Order { public long Id { get; set; } }

            public interface IOrders
            {
                [Cached("5m")]
                Task<Order?> FindAsync(long id);

                [Cached("5m", "order:{id}", nameof(SaveAsync), Tags = new[] { "tenant:{tenant}", "orders" })]
                Task<Order?> GetAsync(long id, int tenant);

                [Cached("5m", "order:{ids[]}")]
                Task<System.Collections.Generic.IReadOnlyDictionary<long, Order>> GetManyAsync(System.Collections.Generic.IReadOnlyCollection<long> ids);

                [InvalidatesTags("tenant:{tenant}", "orders")]
                Task SaveAsync(long id, int tenant);

                [CachePut(nameof(FindAsync))]
                Task<Order?> PutAsync(long id);
            }

            public interface IStore<T> where T : class
            {
                [Cached("5m", "store:{id}", Tags = new[] { "store" }, Sensitive = true)]
                Task<T?> LoadAsync(int id);
            }
            """);
        // No error in generated code (CG0021 is the analyzers'): every feature's code compiles from C# 11 on.
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Equal(generates, result.Sources.Count == 2);
        Assert.Equal(generates, result.Formatters is not null);
    }

    [Fact]
    public void An_explicit_implementation_in_the_class_is_keyed_by_the_interface_method_name()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using CachedGen;

            namespace Shop;

            public sealed record Order(long Id);

            public interface IOrders
            {
                Task<Order?> FindAsync(long id);
                Task<Order?> FindAsync(string code);
                Task<Order?> LatestAsync(int tenant);
            }

            public sealed class Orders : IOrders
            {
                [Cached("5m")]
                Task<Order?> IOrders.FindAsync(long id) => Task.FromResult<Order?>(new Order(id));

                public Task<Order?> FindAsync(string code) => Task.FromResult<Order?>(null);

                [Cached("5m")]
                Task<Order?> IOrders.LatestAsync(int tenant) => Task.FromResult<Order?>(null);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = Assert.Single(result.Sources).Value;
        Assert.Contains("Cached for 5m under <c>Shop.IOrders.LatestAsync:{tenant}</c>", text, System.StringComparison.Ordinal);
        Assert.Contains("builder.AppendLiteral(\"Shop.IOrders.LatestAsync:\");", text, System.StringComparison.Ordinal);
        Assert.Contains("Cached for 5m under <c>Shop.IOrders.FindAsync(long):{id}</c>", text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("IOrders.Shop.IOrders", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_of_another_interface_invalidate_through_its_own_decorator()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Threading;
            using System.Threading.Tasks;
            using CachedGen;
            using Forms.Commands;

            namespace Forms
            {
                public sealed record Schema(int Id, string Name);

                public interface IFormQueries
                {
                    [Cached("1h", "form:{formId}", $"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}", "Forms.Commands.IFormCommands.Delete", nameof(Touch))]
                    Task<Schema?> GetAsync(int formId, CancellationToken ct = default);

                    [Cached("1h", "forms:{tenantId}", "IFormCommands.UpdateAsync")]
                    Task<int> CountAsync(Guid tenantId);

                    Task Touch(int formId);
                }
            }

            namespace Forms.Commands
            {
                public interface IFormCommands
                {
                    Task UpdateAsync(int formId, Guid tenantId, string name, CancellationToken ct = default);

                    void Delete(int formId);

                    [Cached("5m", "audit:{formId}")]
                    Task<string> LastChangeAsync(int formId);
                }
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Equal(["Forms.Commands.IFormCommands.g.cs", "Forms.IFormQueries.g.cs"], result.Sources.Keys.OrderBy(k => k, System.StringComparer.Ordinal));
        var commands = result.Sources["Forms.Commands.IFormCommands.g.cs"];
        Assert.Contains("_runtime.InvalidateAsync<global::System.ValueTuple<int>, global::Forms.Schema?>(global::Forms.CachedFormQueries.GetAsyncDescriptor, new global::System.ValueTuple<int>(formId))", commands, System.StringComparison.Ordinal);
        Assert.Contains("(global::Forms.CachedFormQueries.CountAsyncDescriptor, new global::System.ValueTuple<global::System.Guid>(tenantId))", commands, System.StringComparison.Ordinal);
        Assert.Contains("LastChangeAsyncDescriptor", commands, System.StringComparison.Ordinal); // its own cached method is kept
        Snapshot.Verify(commands, $"{nameof(GeneratorSnapshotTests)}.{nameof(Writes_of_another_interface_invalidate_through_its_own_decorator)}#Forms.Commands.IFormCommands.g.cs");
    }

    [Fact]
    public void Tags_and_write_through()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Threading.Tasks;
            using CachedGen;

            namespace Shop;

            public sealed record Item(int Id, string Name);

            public interface IItemStore
            {
                [Cached("5m", "item:{tenantId}:{id}", Tags = ["tenant:{tenantId}:items", "items"])]
                Task<Item?> GetAsync(Guid tenantId, int id);

                [CachePut(nameof(GetAsync))]
                Task<Item> SaveAsync(Guid tenantId, int id, string name);

                [CachePut(nameof(GetAsync))]
                Item Save(Guid tenantId, int id);

                [InvalidatesTags("tenant:{tenantId}:items")]
                Task ImportAsync(Guid tenantId, string file);

                // Not a put: a string does not convert to Item (CG0012 says so), so it is only forwarded.
                [CachePut(nameof(GetAsync))]
                Task<string> NameAsync(Guid tenantId, int id);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        // The entry is marked before the write runs, then put with its ticket (a change meanwhile turns it into a removal).
        Assert.Contains("var put0 = await _getAsync.BeginPutAsync((tenantId, id)).ConfigureAwait(false);", text, System.StringComparison.Ordinal);
        Assert.Contains("await _getAsync.PutAsync(put0, result).ConfigureAwait(false);", text, System.StringComparison.Ordinal);
        Assert.Contains("var put0 = _getAsync.BeginPut((tenantId, id));", text, System.StringComparison.Ordinal);
        Assert.Contains("_getAsync.Put(put0, result);", text, System.StringComparison.Ordinal);
        Assert.True(text.IndexOf("BeginPutAsync", System.StringComparison.Ordinal) < text.IndexOf("_inner.SaveAsync", System.StringComparison.Ordinal));
        Assert.Contains("await _runtime.InvalidateTagAsync($\"tenant:{tenantId}:items\").ConfigureAwait(false);", text, System.StringComparison.Ordinal);
        Assert.Contains("=> new string[] { tags.Render($\"tenant:{key.Item1}:items\"), tags.Render($\"items\") };", text, System.StringComparison.Ordinal);
        Assert.Equal(2, text.Split(".Put(").Length - 1 + text.Split(".PutAsync(").Length - 1);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(Tags_and_write_through)}#{hint}");
    }

    [Fact]
    public void Uncacheable_shapes_are_forwarded_and_only_valid_methods_cached()
    {
        var result = GeneratorHarness.Run(MoreSources.Uncacheable);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        var descriptors = text.Split('\n').Where(l => l.Contains("CacheMethodDescriptor<", System.StringComparison.Ordinal)).ToList();
        var cached = Assert.Single(descriptors);
        Assert.Contains("FineDescriptor", cached, System.StringComparison.Ordinal);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(Uncacheable_shapes_are_forwarded_and_only_valid_methods_cached)}#{hint}");
    }

    [Fact]
    public void Keys_without_placeholders_and_past_seven_placeholders_compile_without_warnings()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace N;
            public interface IRepo
            {
                [Cached("5m", "settings", nameof(Reset))] Task<string> GetSettingsAsync();
                [Cached("5m", "wide:{a}:{b}:{c}:{d}:{e}:{f}:{g}:{h}:{i}", nameof(Reset))] string GetWide(int a, int b, int c, int d, int e, int f, int g, int h, int i);
                void Reset(int a, int b, int c, int d, int e, int f, int g, int h, int i);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = Assert.Single(result.Sources).Value;
        Assert.Contains("_getSettingsAsync.GetTaskAsync(default(global::System.ValueTuple), this, GetSettingsAsyncLoader, default);", text, System.StringComparison.Ordinal);
        Assert.Contains("static (self, key) => global::CachedGen.Runtime.DetachedScope.Inner(self._inner, self._origin).GetWide(key.Item1, key.Item2, key.Item3, key.Item4, key.Item5, key.Item6, key.Item7, key.Item8, key.Item9);", text, System.StringComparison.Ordinal);
        Assert.Contains("_getSettingsAsync.Invalidate(default(global::System.ValueTuple));", text, System.StringComparison.Ordinal);
        Assert.Contains("builder.AppendValue(key.Item9); // i", text, System.StringComparison.Ordinal);
        Assert.Contains("_getWide.Invalidate((a, b, c, d, e, f, g, h, i));", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_named_as_the_loader_parameters_do_not_collide()
    {
        // The loader's parameters (self or state, key, token) are renamed away from the method's own; a reference-type
        // argument comes back out of the key with '!' (its element is nullable), a value type without; a state tuple
        // element whose name C# reserves (Item1 in third place) takes its position's name.
        var result = GeneratorHarness.Run("""
            using System.Threading;
            using System.Threading.Tasks;
            using CachedGen;
            namespace N;
            public interface IRepo
            {
                [Cached("5m", "k:{key}:{inner}")] Task<string> GetAsync(string key, int inner, CancellationToken token);
                [Cached("5m", "s:{state}")] string Get(int state, [NotCacheKey] string key);
                [Cached("5m", "f:{id}")] string Find(int id, [NotCacheKey] int Item1);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = Assert.Single(result.Sources).Value;
        Assert.Contains("static (self, key_, token_) => global::CachedGen.Runtime.DetachedScope.Inner(self._inner, self._origin).GetAsync(key_.Item1!, key_.Item2, token_);", text, System.StringComparison.Ordinal);
        Assert.Contains("=> _getAsync.GetTaskAsync((key, inner), this, GetAsyncLoader, token);", text, System.StringComparison.Ordinal);
        Assert.Contains("global::System.Func<(CachedRepo Self, int state, string key), global::System.ValueTuple<int>, string> GetLoader =", text, System.StringComparison.Ordinal);
        Assert.Contains("static (state_, key_) => global::CachedGen.Runtime.DetachedScope.Inner(state_.Self._inner, state_.Self._origin).Get(state_.state, state_.key);", text, System.StringComparison.Ordinal);
        Assert.Contains("=> _get.Get(new global::System.ValueTuple<int>(state), (this, state, key), GetLoader);", text, System.StringComparison.Ordinal);
        Assert.Contains("static (state, key) => global::CachedGen.Runtime.DetachedScope.Inner(state.Self._inner, state.Self._origin).Find(state.id, state.Item3);", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_ttl_without_assembly_default_stays_uncached()
    {
        var result = GeneratorHarness.Run("""
            using CachedGen;
            namespace N;
            public interface IRepo { [Cached] int Get(int id); }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = Assert.Single(result.Sources).Value;
        Assert.DoesNotContain("CacheMethodDescriptor<", text, System.StringComparison.Ordinal);
        Assert.Contains("=> _inner.Get(id);", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Two_builds_emit_identical_text()
    {
        var first = GeneratorHarness.Run(Sources.FormRepository).Sources.Single().Value;
        var second = GeneratorHarness.Run(Sources.FormRepository).Sources.Single().Value;
        Assert.Equal(first, second);
    }

    [Fact]
    public void Changing_a_dto_member_changes_the_key_version()
    {
        static string Suffix(string source) => GeneratorHarness.Run(source).Sources.Single().Value
            .Split('\n').First(l => l.Contains("KeySuffix", System.StringComparison.Ordinal));
        var before = Suffix(Sources.FormRepository);
        var renamed = Suffix(Sources.FormRepository.Replace("int Revision", "long Revision", System.StringComparison.Ordinal));
        var bumped = Suffix(Sources.FormRepository.Replace("[Cached(\"1h\", \"form:{formId}:schema\", nameof(UpdateSchemaAsync), nameof(DeleteFormAsync))]", "[Cached(\"1h\", \"form:{formId}:schema\", nameof(UpdateSchemaAsync), nameof(DeleteFormAsync), Version = 2)]", System.StringComparison.Ordinal));
        Assert.NotEqual(before, renamed);
        Assert.Contains("#v2.", bumped, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_repository()
    {
        var result = GeneratorHarness.Run(GenericSources.Repository);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Assert.Equal("Shop.IRepository`1.g.cs", hint);
        // The fingerprint of a value built from TEntity is read by reflection: the class requires unreferenced code, and
        // closing it for a closed registration is dynamic code, so a trimmed or AOT application is told at build time.
        Assert.Contains("[global::System.Diagnostics.CodeAnalysis.RequiresUnreferencedCode(\"CachedRepository computes the shape fingerprint", text, System.StringComparison.Ordinal);
        Assert.Contains("public sealed partial class CachedRepository<TEntity> : global::Shop.IRepository<TEntity>", text, System.StringComparison.Ordinal);
        Assert.Contains("RegisterGeneric(typeof(global::Shop.IRepository<>), typeof(CachedRepository<>), Close);", text, System.StringComparison.Ordinal);
        Assert.Contains("[global::System.Diagnostics.CodeAnalysis.RequiresDynamicCode(\"AddCachedGen closes CachedRepository", text, System.StringComparison.Ordinal);
        Assert.Contains("    => typeof(CachedRepository<>).MakeGenericType(typeArguments);", text, System.StringComparison.Ordinal);
        Assert.DoesNotContain("DynamicallyAccessedMemberTypes.PublicProperties", text, System.StringComparison.Ordinal);
        Assert.Contains("    where TEntity : class, global::Shop.IEntity", text, System.StringComparison.Ordinal);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(Generic_repository)}#{hint}");
    }

    /// <summary>A disposable interface's decorator disposes its inner service only when built by hand: built by
    /// <c>AddCachedGen</c> (or by the container, for an open generic registration) the inner service is the container's,
    /// which disposes it, and disposing it again from the decorator would dispose it twice.</summary>
    [Fact]
    public void A_disposable_repository_passes_disposal_on_only_when_built_by_hand()
    {
        var result = GeneratorHarness.Run("""
            using System;
            using System.Threading.Tasks;
            using CachedGen;

            namespace Stock;

            public interface IStockRepository : IDisposable, IAsyncDisposable
            {
                [Cached("5m", "stock:{sku}")]
                Task<int> GetLevelAsync(string sku);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Assert.Equal("Stock.IStockRepository.g.cs", hint);
        Assert.Contains("_disposesInner = !global::CachedGen.Runtime.CachedGenDecorators.InnerOwnedByContainer;", text, System.StringComparison.Ordinal);
        Assert.Contains("    => _disposesInner ? _inner.DisposeAsync() : default;", text, System.StringComparison.Ordinal);
        Snapshot.Verify(text, $"{nameof(GeneratorSnapshotTests)}.{nameof(A_disposable_repository_passes_disposal_on_only_when_built_by_hand)}#{hint}");
    }

    /// <summary>In a build that trims or publishes with Native AOT the generic decorator is written but not registered
    /// (closing it is dynamic code, its fingerprint reflection: nothing calls them, so no IL2026/IL3050), and the
    /// interface that closes it is decorated and registered as in any build.</summary>
    [Theory]
    [InlineData("PublishAot")]
    [InlineData("PublishTrimmed")]
    [InlineData("IsAotCompatible")]
    [InlineData("IsTrimmable")]
    public void A_trimmed_or_AOT_build_does_not_register_the_generic_decorator(string property)
    {
        var ordinary = GeneratorHarness.RunWithBuildProperties([(property, "false")], GenericShapes.DerivedAndImplementations);
        var trimmed = GeneratorHarness.RunWithBuildProperties([(property, "true")], GenericShapes.DerivedAndImplementations);
        Assert.True(trimmed.Diagnostics.IsEmpty, trimmed.DiagnosticText);

        Assert.Contains("RegisterGeneric(typeof(global::Shop.IRepository<>), typeof(CachedRepository<>), Close);", ordinary.Sources["Shop.IRepository`1.g.cs"], System.StringComparison.Ordinal);
        var generic = trimmed.Sources["Shop.IRepository`1.g.cs"];
        Assert.Contains("public sealed partial class CachedRepository<TEntity> : global::Shop.IRepository<TEntity>", generic, System.StringComparison.Ordinal);
        Assert.DoesNotContain("RegisterGeneric", generic, System.StringComparison.Ordinal);
        Assert.DoesNotContain("MakeGenericType", generic, System.StringComparison.Ordinal);
        Assert.Contains("    => global::CachedGen.Runtime.CachedGenDecorators.RegisterUnusableGeneric(typeof(global::Shop.IRepository<>));", generic, System.StringComparison.Ordinal); // AddCachedGen logs a registration it leaves undecorated (1030)
        Assert.Contains("// Not registered for AddCachedGen: this build trims or publishes with Native AOT", generic, System.StringComparison.Ordinal);

        // The closed interface's decorator does not change.
        Assert.Equal(ordinary.Sources["Shop.IOrderRepository.g.cs"], trimmed.Sources["Shop.IOrderRepository.g.cs"]);
        Assert.Contains("CachedGenDecorators.Register<global::Shop.IOrderRepository>(", trimmed.Sources["Shop.IOrderRepository.g.cs"], System.StringComparison.Ordinal);
    }

    /// <summary>An interface that closes a generic base caches the base's methods with the closed type: the formatters
    /// of that type are written at compile time even when the interface declares no [Cached] method of its own (under
    /// Native AOT nothing else could write its values to Redis).</summary>
    [Fact]
    public void An_interface_closing_a_generic_base_gets_the_formatters_of_its_closed_values()
    {
        var result = GeneratorHarness.Run(GenericShapes.DerivedAndImplementations);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.NotNull(result.Formatters);
        Assert.Contains("Shop_OrderFormatter", result.Formatters, System.StringComparison.Ordinal);
    }

    /// <summary>A generic [Cached] interface closed where the compilation names it (a registration's type argument, a
    /// constructor parameter, a field) gets the formatters of the closed values, which the generic decorator finds at
    /// run time; a construction over a type parameter, or of an interface without [Cached], adds nothing.</summary>
    [Fact]
    public void A_generic_interface_closed_where_the_compilation_names_it_gets_the_formatters_of_its_closed_values()
    {
        var result = GeneratorHarness.Run(GenericSources.Repository, """
            using System.Collections.Generic;
            using CachedGen;
            using Microsoft.Extensions.DependencyInjection;

            namespace Shop;

            public sealed class Invoice : IEntity { public int Id { get; private set; } public string Number { get; private set; } = ""; }
            public sealed record Shipment(int Id, string Carrier) : IEntity;
            public sealed record Parcel(int Id) : IEntity;
            public sealed record Unused(int Id) : IEntity;
            public interface IPlain<T> { T Get(); }

            public sealed class Billing(IRepository<Invoice> invoices)
            {
                public IRepository<Invoice> Invoices { get; } = invoices;
                public IPlain<Unused>? Plain { get; set; }
            }

            public sealed class Passthrough<TEntity>(IRepository<TEntity> inner) where TEntity : class, IEntity
            {
                public IRepository<TEntity> Inner { get; } = inner;
            }

            public static class Registrations
            {
                public static void Add(IServiceCollection services)
                {
                    services.AddScoped<IRepository<Shipment>, EfRepository<Shipment>>();
                    services.AddSingleton(typeof(IRepository<Parcel>), typeof(EfRepository<Parcel>));
                }
            }

            public abstract class EfRepository<TEntity> : IRepository<TEntity> where TEntity : class, IEntity
            {
                public abstract System.Threading.Tasks.Task<TEntity?> GetAsync(int id, System.Threading.CancellationToken ct = default);
                public abstract System.Threading.Tasks.Task<TEntity?> FindAsync(string name);
                public abstract System.Threading.Tasks.Task<Page<TEntity>> PageAsync(int number);
                public abstract int Count();
                public abstract System.Threading.Tasks.Task SaveAsync(int id, TEntity entity);
            }
            """);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.NotNull(result.Formatters);
        Assert.Contains("Shop_InvoiceFormatter", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("Shop_ShipmentFormatter", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("Shop_ParcelFormatter", result.Formatters, System.StringComparison.Ordinal);
        Assert.Contains("global::Shop.Page<global::Shop.Shipment>", result.Formatters, System.StringComparison.Ordinal);
        Assert.DoesNotContain("Shop_UnusedFormatter", result.Formatters, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_repository_with_two_type_parameters_and_a_key_of_the_second()
    {
        var result = GeneratorHarness.Run(GenericShapes.TwoTypeParameters);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Assert.Equal("Shop.IRepository`2.g.cs", hint);
        Assert.Contains("public sealed partial class CachedRepository<", text, System.StringComparison.Ordinal);
        Assert.Contains("    where TEntity : class, global::Shop.IEntity<TKey>, new()", text, System.StringComparison.Ordinal);
        Assert.Contains("    where TKey : notnull", text, System.StringComparison.Ordinal);
        Assert.Contains("CacheTypeNames.Join(typeof(TEntity), typeof(TKey))", text, System.StringComparison.Ordinal);
        Assert.Contains("builder.AppendValueOf(key.Item1); // id", text, System.StringComparison.Ordinal);
        Assert.Contains("CacheKeyBuilder.EnsureEncodable(typeof(TKey), \"id\");", text, System.StringComparison.Ordinal);
        Assert.Contains("await _getAsync.InvalidateAsync(new global::System.ValueTuple<TKey>(id))", text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Closed_generic_bases_and_implementations_get_their_decorators()
    {
        var result = GeneratorHarness.Run(GenericShapes.DerivedAndImplementations);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Equal(
            ["Shop.IOrderRepository.g.cs", "Shop.IRepository`1.g.cs", "Shop.IStore(Shop.Customer).g.cs", "Shop.IStore`1.g.cs"],
            result.Sources.Keys.OrderBy(k => k, System.StringComparer.Ordinal));

        // The derived interface caches the base's method for its closed type argument, known at compile time, under
        // the method id of the base's decorators (which share its entries), so a remote eviction reaches them all.
        var derived = result.Sources["Shop.IOrderRepository.g.cs"];
        Assert.Contains("public sealed partial class CachedOrderRepository : global::Shop.IOrderRepository", derived, System.StringComparison.Ordinal);
        Assert.Contains("new(\"Shop.IRepository<Shop.Order>.GetAsync\", RenderGetAsyncKey)", derived, System.StringComparison.Ordinal);
        Assert.Matches("KeySuffix = \"#v1\\.[0-9a-f]{8}\\(\" \\+ \"Shop.Order\" \\+ \"\\)\"", derived);
        Assert.Contains("await _getAsync.InvalidateAsync(new global::System.ValueTuple<int>(id))", derived, System.StringComparison.Ordinal);
        Assert.Contains("global::Shop.IRepository<global::Shop.Order>.GetAsync(int id)", derived, System.StringComparison.Ordinal);

        // [Cached] on a generic class: a generic decorator of the interface, named after the class's type parameter.
        var open = result.Sources["Shop.IStore`1.g.cs"];
        Assert.Contains("public sealed partial class CachedStore<", open, System.StringComparison.Ordinal);
        Assert.Contains("\"Shop.IStore<\" + TypeArguments + \">.LoadAsync\"", open, System.StringComparison.Ordinal);
        Assert.Contains("public sealed partial class CachedStore<TItem> : global::Shop.IStore<TItem>", open, System.StringComparison.Ordinal);
        Assert.Contains("builder.AppendValue(global::CachedGen.Runtime.CacheTypeNames.Of(typeof(TItem))); // type argument", open, System.StringComparison.Ordinal);

        // [Cached] on a closed class: a closed decorator, registered for IStore<Customer> alone.
        var closed = result.Sources["Shop.IStore(Shop.Customer).g.cs"];
        Assert.Contains("public sealed partial class CachedStoreOfCustomer : global::Shop.IStore<global::Shop.Customer>", closed, System.StringComparison.Ordinal);
        Assert.Contains("new(\"Shop.IStore<Shop.Customer>.LoadAsync\", RenderLoadAsyncKey)", closed, System.StringComparison.Ordinal);
        Assert.Contains("CachedGenDecorators.Register<global::Shop.IStore<global::Shop.Customer>>", closed, System.StringComparison.Ordinal);
        Assert.Contains("builder.AppendLiteral(\"customer:\");", closed, System.StringComparison.Ordinal);
    }
}
