using System;
using System.Collections.Generic;
using System.Linq;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>Every interface that compiles without CachedGen compiles with it: for each shape, the input alone has no
/// warning, the generator writes a decorator for it, and the output compilation (nullable enabled) has no warning or
/// error.</summary>
public class InterfaceShapeTests
{
    public static TheoryData<string> Shapes => new(InterfaceShapes.All.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decorator_compiles_without_warnings(string shape)
    {
        var source = InterfaceShapes.All[shape];
        var input = GeneratorHarness.Compile(source).GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(input.Count == 0, $"The '{shape}' source itself must compile cleanly:{Environment.NewLine}{string.Join(Environment.NewLine, input)}");

        var result = GeneratorHarness.Run(source);
        Assert.True(result.Sources.Count > 0, $"No decorator was generated for '{shape}'.");
        Assert.True(result.Diagnostics.IsEmpty, $"Shape '{shape}':{Environment.NewLine}{result.DiagnosticText}{Environment.NewLine}{string.Join(Environment.NewLine, result.Sources.Values)}");
    }

    /// <summary>A type the compiler cannot resolve (a missing <c>using</c>, a typo) in any member of the interface, cached
    /// or not, in a type argument or an array: the compiler's CS0246 in the user's file is the only error, with no
    /// decorator repeating it in generated files; fixed, the decorator is written.</summary>
    [Theory]
    [InlineData("Task<Bookz> GetOtherAsync(int id);", "Bookz")]
    [InlineData("Task<IReadOnlyList<Missing.Author>> AuthorsAsync(int id);", "Missing")]
    [InlineData("Task SaveAsync(Book book, Nope[] flags);", "Nope")]
    [InlineData("Unknown Current { get; }", "Unknown")]
    public void An_unresolved_type_in_the_interface_is_the_compilers_error_only(string member, string missing)
    {
        const string Template = """
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using CachedGen;

            namespace Shop;

            public sealed record Book(int Id, string Title);

            public interface IBooks
            {
                [Cached("5m", "book:{id}")]
                Task<Book> GetAsync(int id);

                MEMBER
            }
            """;
        var result = GeneratorHarness.Run(Template.Replace("MEMBER", member, StringComparison.Ordinal));
        var errors = result.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.NotEmpty(errors);
        Assert.All(errors, e => Assert.True(e.Id == "CS0246" && e.GetMessage().Contains($"'{missing}'", StringComparison.Ordinal) && !e.Location.SourceTree!.FilePath.EndsWith(".g.cs", StringComparison.Ordinal), e.ToString()));
        Assert.Empty(result.Sources);

        var fixedSource = Template.Replace("MEMBER", "Task<Book> GetOtherAsync(int id);", StringComparison.Ordinal);
        var fixedResult = GeneratorHarness.Run(fixedSource);
        Assert.True(fixedResult.Diagnostics.IsEmpty, fixedResult.DiagnosticText);
        Assert.Single(fixedResult.Sources);
    }

    /// <summary>A library that generates its documentation file (<c>GenerateDocumentationFile</c>) gets its
    /// documentation comments checked, the generated ones too: an ambiguous or unresolved <c>cref</c> is a warning.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Decorator_documentation_comments_are_valid(string shape)
    {
        var result = GeneratorHarness.RunDocumented(InterfaceShapes.All[shape]);
        Assert.True(result.Diagnostics.IsEmpty, $"Shape '{shape}':{Environment.NewLine}{result.DiagnosticText}");
    }

    [Fact]
    public void An_overloaded_cached_method_is_named_with_its_parameter_types_in_documentation_comments()
    {
        var result = GeneratorHarness.RunDocumented(InterfaceShapes.All["overloaded cached methods"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources.Values.Single();
        Assert.Contains("/// <summary>Compile-time facts about <c>Shapes.IOverloads.GetAsync(int)</c>.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Compile-time facts about <c>Shapes.IOverloads.GetAsync(string?, System.Collections.Generic.List&lt;int&gt;?)</c>.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Compile-time facts about <see cref=\"global::Shapes.IOverloads.FindAsync\"/>.</summary>", text, StringComparison.Ordinal);
    }

    /// <summary>A <c>cref</c> names type parameters only (<c>Page{ProductDto}</c> is CS1584 and CS1658): a formatter of a
    /// closed generic type names it as code, one of any other type links to it.</summary>
    [Fact]
    public void A_formatter_of_a_closed_generic_type_is_named_as_code_in_its_documentation_comment()
    {
        var result = GeneratorHarness.RunDocumented(InterfaceShapes.All["values of closed generic, nested, struct and tuple types"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Formatters!;
        Assert.Contains("/// <summary>Writes <c>Shapes.Page&lt;Shapes.ProductDto&gt;</c> as a map by member name.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Writes <c>Shapes.Envelope&lt;Shapes.ProductDto&gt;.Body</c> as a map by member name.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Writes <c>Shapes.Pair&lt;Shapes.Money?, Shapes.Page&lt;Shapes.Catalog.Entry&gt;[]&gt;</c> as a map by member name.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Writes <see cref=\"global::Shapes.ProductDto\"/> as a map by member name.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Writes <see cref=\"global::Shapes.Catalog.Entry\"/> as a map by member name.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/// <summary>Writes <see cref=\"global::Shapes.Money\"/> as a map by member name.</summary>", text, StringComparison.Ordinal);
    }

    /// <summary>A closing whose key type has no encoding forwards the closed method uncached (CG0004 says so) rather than
    /// throw when the decorator is first used; a strongly typed id is encoded by run-time type, in a closing and in a
    /// method that takes one.</summary>
    [Fact]
    public void A_closing_whose_key_type_has_no_encoding_forwards_the_method_uncached()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["a generic interface closed with key types with and without an encoding"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        foreach (var forwarded in new[] { "Shapes.ISegmentStore.g.cs", "Shapes.IByRecordStore.g.cs" })
        {
            Assert.DoesNotContain("EnsureEncodable", result.Sources[forwarded], StringComparison.Ordinal);
            Assert.Contains("=> _inner.LookupAsync(key);", result.Sources[forwarded], StringComparison.Ordinal);
        }

        Assert.True(result.Sources["Shapes.IByIdStore.g.cs"].Contains("builder.AppendValueOf(key.Item1); // key", StringComparison.Ordinal), result.Sources["Shapes.IByIdStore.g.cs"]);
        var orders = result.Sources["Shapes.IOrders.g.cs"];
        Assert.Contains("builder.AppendValueOf(", orders, StringComparison.Ordinal);
        Assert.DoesNotContain("=> _inner.ByIdAsync(id", orders, StringComparison.Ordinal);
    }

    /// <summary>An unqualified <c>invalidatedBy</c> names a write of the cached method's own interface (or its bases), as
    /// <c>nameof</c> resolves it: a write of the same name in another base of the decorated interface, or in another
    /// closing of the same generic base, invalidates nothing of it.</summary>
    [Fact]
    public void A_write_named_like_the_invalidating_one_in_another_base_does_not_invalidate()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["writes of one name in two bases and two closings"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var asset = result.Sources["Shapes.IAsset.g.cs"];
        var tracked = Body(asset, "global::Shapes.ITracked.TouchAsync(int id)");
        var located = Body(asset, "global::Shapes.ILocated.TouchAsync(int id)");
        Assert.Contains("_describeAsync.InvalidateAsync(", tracked, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidateAsync(", located, StringComparison.Ordinal);

        var multi = result.Sources["Shapes.IMultiRepo.g.cs"];
        var trips = Body(multi, "global::Shapes.IRepository<global::Shapes.Trip>.UpdateAsync(int id)");
        Assert.Equal(1, trips.Split(".InvalidateAsync(").Length - 1);
    }

    private static string Body(string source, string signature)
    {
        var start = source.IndexOf(signature, StringComparison.Ordinal);
        Assert.True(start >= 0, signature + " not found in:" + Environment.NewLine + source);
        var next = source.IndexOf("/// <summary>", start, StringComparison.Ordinal);
        return source[start..(next > 0 ? next : source.Length)];
    }

    [Fact]
    public void A_closed_generic_base_caches_a_key_typed_by_its_type_argument_as_the_generic_decorator_does()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["generic methods of a generic repository, closed by an interface and by a class"]);
        var shipments = result.Sources["Shapes.IShipmentRepository.g.cs"];

        // TKey closed as a strongly typed id: encoded by run-time type and checked once, as in CachedRepository<,>.
        Assert.Contains("EnsureEncodable(typeof(global::Shapes.OrderId), \"id\");", shipments, StringComparison.Ordinal);
        Assert.Contains("builder.AppendValueOf(key.Item1); // id", shipments, StringComparison.Ordinal);
        Assert.DoesNotContain("=> _inner.GetByIdAsync(id, ct);", shipments, StringComparison.Ordinal);
        Assert.Contains("builder.AppendValueOf(key.Item1); // id", result.Sources["Shapes.IInvoiceRepository.g.cs"], StringComparison.Ordinal);

        // A nullable TKey? (TKey : struct) is encoded by run-time type too, the null marker aside.
        var structKey = result.Sources["Shapes.IStructKeyRepository`2.g.cs"];
        Assert.Contains("builder.AppendValueOf(key.Item1.GetValueOrDefault());", structKey, StringComparison.Ordinal);
        Assert.Contains("EnsureEncodable(typeof(TKey), \"id\");", structKey, StringComparison.Ordinal);
    }

    [Fact]
    public void Nullable_type_parameters_restate_only_the_constraint_the_language_needs()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["generic methods: every constraint form"]);
        var text = result.Sources.Values.Single();
        Assert.Contains("FindAsync<T>(int id)\n            where T : class\n", text, StringComparison.Ordinal);
        Assert.Contains("FindAny<T>(int id)\n            where T : default\n", text, StringComparison.Ordinal);
        Assert.Contains("T? global::Shapes.IGenericMethods.FindStruct<T>(int id)\n            =>", text, StringComparison.Ordinal);
        Assert.Contains("Create<T>()\n            =>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("new()", text, StringComparison.Ordinal);
        Assert.DoesNotContain("notnull", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unmanaged", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Obsolete_members_are_marked_obsolete_in_the_decorator()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["obsolete members, types and interfaces"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Shapes.IObsoleteMembers.g.cs"];
        Assert.Contains("[global::System.Obsolete(\"Use GetAsync.\", true)]", text, StringComparison.Ordinal);
        Assert.Contains("[global::System.Obsolete]", text, StringComparison.Ordinal);
        Assert.Contains("GetOldAsyncDescriptor", text, StringComparison.Ordinal);

        // Its value type is an error; named in the descriptor, no [Obsolete] could excuse it there: forwarded.
        Assert.DoesNotContain("GetRemovedAsyncDescriptor", text, StringComparison.Ordinal);
        Assert.Contains("=> _inner.GetRemovedAsync(id);", text, StringComparison.Ordinal);
        Assert.Contains("[global::System.Obsolete(\"Use IObsoleteMembers.\", true)]\n    public sealed partial class CachedObsoleteRepository", result.Sources["Shapes.IObsoleteRepository.g.cs"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_cached_method_checks_a_NotNull_parameter_itself()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["nullability attributes on parameters, results and methods"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources.Values.Single();
        Assert.Contains("string global::Shapes.INullability.Lookup([global::System.Diagnostics.CodeAnalysis.NotNull] string? key)\n        {\n            global::System.ArgumentNullException.ThrowIfNull(key);", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_of_two_bases_with_one_name_are_called_through_their_own_interface()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["interface inheritance: generic bases, diamonds, new and re-abstracted members"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Shapes.IDiamond.g.cs"];
        Assert.Contains("((global::Shapes.ILeft)_inner).Touch(", text, StringComparison.Ordinal);
        Assert.Contains("((global::Shapes.IRight)_inner).Touch(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Decorator_names_take_containing_types_and_avoid_taken_names()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["nested, internal, global-namespace and file-scoped interfaces"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var decorators = DecoratorNames(result);
        Assert.Equal("CachedOuterStore", decorators["Shapes.Outer.IStore"]);
        Assert.Equal("CachedOuterMiddleStore", decorators["Shapes.Outer.Middle.IStore"]);
        Assert.Equal("CachedContainerStore", decorators["Shapes.IContainer.IStore"]);
        Assert.Equal("CachedContainer", decorators["Shapes.IContainer"]);
        Assert.Equal("CachedStore", decorators["Shapes.Store"]);
        Assert.Equal("CachedIStore", decorators["Shapes.IStore"]);
        Assert.Equal("CachedCachedStore", decorators["Shapes.ICachedStore"]);
        Assert.Equal("CachedInterface", decorators["Shapes.Interface"]);
        Assert.Equal("CachedIOrderStore", decorators["Shapes.IOrderStore"]);
        Assert.Equal("CachedInternal", decorators["Shapes.IInternal"]);
    }

    /// <summary>Each generated decorator's name, by the interface it decorates (its definition, for a generic one).</summary>
    private static Dictionary<string, string> DecoratorNames(GeneratorResult result)
        => result.Output.GetSymbolsWithName(n => n.StartsWith("Cached", StringComparison.Ordinal), SymbolFilter.Type)
            .OfType<INamedTypeSymbol>()
            .Where(t => t.AllInterfaces.Length > 0)
            .ToDictionary(t => t.Interfaces.Single(i => i.Name != "IScopedDecorator").OriginalDefinition.ToDisplayString(), t => t.Name, StringComparer.Ordinal);

    /// <summary>Two interfaces of one namespace whose decorators would get the same name (a nested one beside a top-level
    /// one, two nested ones): the less nested keeps it, the other keeps its <c>I</c> prefix; a generic interface and a
    /// non-generic one of the same name keep theirs (a class name and its arity).</summary>
    [Fact]
    public void Interfaces_whose_decorators_would_share_a_name_get_a_name_each()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["interfaces whose decorators would share a name"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var decorators = DecoratorNames(result);
        Assert.Equal("CachedOuterStore", decorators["Shapes.IOuterStore"]);
        Assert.Equal("CachedOuterIStore", decorators["Shapes.Outer.IStore"]);
        Assert.Equal("CachedABStore", decorators["Shapes.A.IBStore"]);
        Assert.Equal("CachedABIStore", decorators["Shapes.AB.IStore"]);
        Assert.Equal("CachedPaged", decorators["Shapes.IPaged<T>"]);
        Assert.Equal("CachedPaged", decorators["Shapes.IPaged"]);
    }

    /// <summary>Formatter class names are built from the type's full name with dots turned into underscores: types whose
    /// names then read the same get a number each.</summary>
    [Fact]
    public void Formatters_of_types_whose_names_read_alike_get_a_class_name_each()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["values whose full names differ only by a dot or an underscore"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Formatters!;
        Assert.Contains("if (type == typeof(global::Shapes.Odd.Ns.Item)) return new Shapes_Odd_Ns_ItemFormatter();", text, StringComparison.Ordinal);
        Assert.Contains("if (type == typeof(global::Shapes.Odd.Ns_Item)) return new Shapes_Odd_Ns_Item2Formatter();", text, StringComparison.Ordinal);
        Assert.Contains("if (type == typeof(global::Shapes.Odd_Ns.Item)) return new Shapes_Odd_Ns_Item3Formatter();", text, StringComparison.Ordinal);
    }

    /// <summary>Overloads are numbered from 2 in the decorator's member names, and the public invalidation helper with
    /// them (<c>InvalidateGetAsync2</c>).</summary>
    [Fact]
    public void Overloads_are_numbered_from_two()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["overloaded cached methods"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources.Values.Single();
        Assert.Contains("public static global::System.Threading.Tasks.ValueTask InvalidateGetAsync(", text, StringComparison.Ordinal);
        Assert.Contains("public static global::System.Threading.Tasks.ValueTask InvalidateGetAsync2(", text, StringComparison.Ordinal);
        Assert.DoesNotContain("GetAsync3", text, StringComparison.Ordinal);
    }

    /// <summary>Every member a cached method gets (descriptor, field, loader, renderers, invalidation helper) is kept
    /// apart from every other method's and from the interface's members: the later method, in declaration order, is
    /// numbered.</summary>
    [Fact]
    public void Generated_member_names_never_collide()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["generated member names that collide across methods"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Shapes.IDepotQueries.g.cs"];
        Assert.Contains(" InvalidateGetAsyncDescriptor(", text, StringComparison.Ordinal);
        Assert.Contains(" InvalidateGetAsync2Descriptor =", text, StringComparison.Ordinal);
        Assert.Contains(" InvalidateRoutes2Loader =", text, StringComparison.Ordinal);
        Assert.Contains(" _stop;", text, StringComparison.Ordinal);
        Assert.Contains(" _stop2;", text, StringComparison.Ordinal);
        Assert.Contains(" InvalidateFind2(", text, StringComparison.Ordinal);
        Assert.Contains(" InvalidateFind3(", text, StringComparison.Ordinal);
        Assert.Contains(" Find2Descriptor =", text, StringComparison.Ordinal);
        Assert.Contains(" InvalidateDepot2(", text, StringComparison.Ordinal);
        Assert.Contains(" Fleet2Descriptor =", text, StringComparison.Ordinal);
        Assert.Contains(" ZoneDescriptor =", text, StringComparison.Ordinal);
        var derived = result.Sources["Shapes.IDerivedDepotQueries.g.cs"];
        Assert.Contains(" Zone2Loader =", derived, StringComparison.Ordinal);
        Assert.Contains(" Vehicle2Descriptor =", derived, StringComparison.Ordinal);
    }

    /// <summary>A warning-obsolete member a key, tag or invalidation reads is excused like an obsolete type; an
    /// error-obsolete one (CS0619, which nothing suppresses) leaves its method uncached, as CG0004 reports.</summary>
    [Fact]
    public void Obsolete_members_in_key_paths_are_suppressed_or_leave_the_method_uncached()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["obsolete members in key, tag and invalidation paths"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Shapes.IRouteQueries.g.cs"];
        Assert.Contains("#pragma warning disable CS0612, CS0618", text, StringComparison.Ordinal);
        Assert.Contains("CountAsyncDescriptor", text, StringComparison.Ordinal);
        Assert.Contains("Count3AsyncDescriptor", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Count2AsyncDescriptor", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DepotNo", text, StringComparison.Ordinal);
    }

    /// <summary>The generated files disable the ids of the [Experimental] types and members they name, sorted, and
    /// none other.</summary>
    [Fact]
    public void Experimental_ids_are_suppressed_in_the_files_that_name_them()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["experimental types and members"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Contains("#pragma warning disable FLEET001, FLEET003, FLEET004, FLEET005\n", result.Sources["Shapes.IEta.g.cs"], StringComparison.Ordinal);
        Assert.Contains("#pragma warning disable FLEET006\n", result.Sources["Shapes.IPreviewEta.g.cs"], StringComparison.Ordinal);
        Assert.Contains("#pragma warning disable FLEET001, FLEET002 // and experimental ones", result.Formatters!, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_members_are_forwarded_and_a_cached_one_is_cached()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["default interface members"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Shapes.IWithDefaults.g.cs"];
        Assert.Contains("CountAsyncDescriptor", text, StringComparison.Ordinal);
        Assert.Contains("string global::Shapes.IWithDefaults.Describe(int id)\n            => _inner.Describe(id);", text, StringComparison.Ordinal);
        Assert.Contains("int global::Shapes.IWithDefaults.Version", text, StringComparison.Ordinal);
        Assert.Contains("void global::Shapes.IWithDefaults.Touch(int id)", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Sealed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Static", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Protected", text, StringComparison.Ordinal);

        // Abstract protected members must be implemented, but no class can call them on another object.
        var withProtected = result.Sources["Shapes.IWithProtected.g.cs"];
        Assert.Contains("GetAsyncDescriptor", withProtected, StringComparison.Ordinal);
        Assert.DoesNotContain("GetProtectedAsyncDescriptor", withProtected, StringComparison.Ordinal);
        Assert.Equal(7, withProtected.Split("throw new global::System.NotSupportedException(").Length - 1);
    }

    [Fact]
    public void An_async_write_with_in_or_span_parameters_awaits_in_a_local_function_then_invalidates()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["ref, out, in, ref readonly, params, scoped, ref returns, default values"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources.Values.Single();
        Assert.Contains(
            "global::Shapes.IParameters.SaveAsync(int id, in global::System.Guid tenant, global::System.Threading.CancellationToken ct)\n        {\n"
            + "            return invalidateAfter(_inner.SaveAsync(id, in tenant, ct), id, tenant, ct);\n\n"
            + "            async global::System.Threading.Tasks.Task invalidateAfter(global::System.Threading.Tasks.Task write, int id, global::System.Guid tenant, global::System.Threading.CancellationToken ct)\n"
            + "            {\n                await write.ConfigureAwait(false);\n"
            + "                await _getAsync.InvalidateAsync((id, tenant)).ConfigureAwait(false); // get:{id}:{tenant}\n",
            text,
            StringComparison.Ordinal);
        Assert.Contains("return invalidateAfter(_inner.SaveValueAsync(in id, tenant, payload), id, tenant);", text, StringComparison.Ordinal);
        Assert.Contains("_getAsync.Invalidate((id, tenant)); // get:{id}:{tenant}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parameter_named_await_is_escaped_in_the_async_body_of_a_write()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["contextual keywords as names: await in the async bodies of writes"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources.Values.Single();
        Assert.Contains("async global::System.Threading.Tasks.Task global::Shapes.IContextual.SaveAsync(int @await, string field, int value)\n        {\n            await _inner.SaveAsync(@await, field, value).ConfigureAwait(false);", text, StringComparison.Ordinal);
        Assert.Contains("_getAsync.InvalidateAsync(new global::System.ValueTuple<int>(@await))", text, StringComparison.Ordinal);
        Assert.Contains("public static global::System.Threading.Tasks.ValueTask Invalidateawait(", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Members_with_pointers_are_unsafe()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["pointers and function pointers"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources.Values.Single();
        Assert.Contains("unsafe int* global::Shapes.IUnsafe.Pin(int id)", text, StringComparison.Ordinal);
        Assert.Contains("unsafe ref int* global::Shapes.IUnsafe.Slot(int id)", text, StringComparison.Ordinal);
        Assert.Contains("unsafe delegate*<int, void> global::Shapes.IUnsafe.Callback", text, StringComparison.Ordinal);
        Assert.Contains("unsafe void global::Shapes.IUnsafe.Write(int id, byte* buffer, int length)\n        {\n            _inner.Write(id, buffer, length);\n            _getAsync.Invalidate(", text, StringComparison.Ordinal);

        // await cannot be written in the unsafe context the pointer needs: the async write is forwarded only.
        Assert.Contains("unsafe global::System.Threading.Tasks.Task global::Shapes.IUnsafe.WriteAsync(int id, byte* buffer)\n            => _inner.WriteAsync(id, buffer);", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_local_interface_gets_no_decorator()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["file-local interface beside a decorated one"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Equal(["Shapes.IVisible.g.cs"], result.Sources.Keys);
    }

    [Fact]
    public void Inheritance_snapshot()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.All["interface inheritance: generic bases, diamonds, new and re-abstracted members"]);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Snapshot.Verify(text, $"{nameof(InterfaceShapeTests)}.{nameof(Inheritance_snapshot)}#{hint}");
    }

    [Fact]
    public void Shapes_snapshot()
    {
        var result = GeneratorHarness.Run(InterfaceShapes.Representative);
        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var (hint, text) = Assert.Single(result.Sources);
        Snapshot.Verify(text, $"{nameof(InterfaceShapeTests)}.{nameof(Shapes_snapshot)}#{hint}");
    }
}

/// <summary>Interface shapes found in real repositories, by name.</summary>
internal static class InterfaceShapes
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Diagnostics.CodeAnalysis;
        using System.Threading;
        using System.Threading.Tasks;
        using CachedGen;

        """;

    public static readonly Dictionary<string, string> All = new(StringComparer.Ordinal)
    {
        ["generic methods: every constraint form"] = Usings + """
            namespace Shapes;

            public class Entity { }
            public interface IHasId { int Id { get; } }

            public interface IGenericMethods
            {
                [Cached("1m")]
                Task<int> CountAsync(int id);

                Task<T?> FindAsync<T>(int id) where T : class;
                Task<T?> FindMaybeAsync<T>(int id) where T : class?;
                T? FindStruct<T>(int id) where T : struct;
                T? FindAny<T>(int id);
                T? FindNotNull<T>(int id) where T : notnull;
                T FindUnmanaged<T>(int id) where T : unmanaged;
                T? FindUnmanagedNullable<T>(int id) where T : unmanaged;
                T Create<T>() where T : new();
                T? CreateClass<T>() where T : class, new();
                TOut Convert<TIn, TOut>(TIn value) where TOut : TIn;
                TOut? ConvertNullable<TIn, TOut>(TIn? value) where TIn : class where TOut : TIn;
                TOut? ConvertUnconstrained<TIn, TOut>(TIn? value) where TOut : TIn;
                T? WithInterface<T>(T? item) where T : IHasId;
                T? WithBase<T>(T? item) where T : Entity;
                T? WithNullableBase<T>(T? item) where T : Entity?;
                IReadOnlyList<T?> List<T>(IEnumerable<T?> items);
                T?[] Array<T>(T?[] items) where T : class;
                void Out<T>(out T? value);
                bool TryGet<T>(int id, [NotNullWhen(true)] out T? value);
                Task<TResult?> Map<TSource, TResult>(TSource source, Func<TSource, TResult?> map) where TSource : notnull;
                void Callback<T>() where T : Delegate;
                string Name<T>(T value) where T : struct, Enum;
                ValueTask<(T? First, TOther? Second)> Pair<T, TOther>() where T : class where TOther : struct;
                Task<int> SaveAsync<T>(T entity) where T : class;
            }
            """,

        ["generic methods beside cached methods that invalidate"] = Usings + """
            namespace Shapes;

            public sealed record Order(int Id, string Name);

            public interface IOrders
            {
                [Cached("1m", "order:{id}", nameof(Update), nameof(UpdateAsync))]
                Task<Order?> GetAsync(int id);

                [Cached("1m")]
                Order? Find(int id);

                Task<T?> FindAsync<T>(int id) where T : class;
                T? Get<T>(int id);
                void Update(int id);
                Task UpdateAsync(int id);
                Task<T?> UpdateAsync<T>(int id, T? value) where T : class;
            }
            """,

        ["generic methods of a generic repository, closed by an interface and by a class"] = Usings + """
            namespace Shapes;

            public interface IEntity<TKey> where TKey : IEquatable<TKey> { TKey Id { get; } }
            public readonly record struct OrderId(Guid Value);
            public sealed record Shipment(OrderId Id, string Carrier) : IEntity<OrderId>;
            public sealed record Invoice(int Id, decimal Amount) : IEntity<int>;

            public interface IRepository<TEntity, TKey>
                where TEntity : class, IEntity<TKey>
                where TKey : IEquatable<TKey>
            {
                [Cached("5m", "{TEntity}:{id}", nameof(UpdateAsync))]
                Task<TEntity?> GetByIdAsync(TKey id, CancellationToken ct = default);

                Task<TResult?> GetAsync<TResult>(TKey id) where TResult : class;
                TResult? Project<TResult>(TKey id);
                Task<TResult?> FindValueAsync<TResult>(TKey id) where TResult : struct;
                IReadOnlyList<TResult?> Map<TResult>(Func<TEntity, TResult?> map) where TResult : notnull;
                Task UpdateAsync(TEntity entity, CancellationToken ct = default);
            }

            public interface IShipmentRepository : IRepository<Shipment, OrderId> { }

            public interface IStructKeyRepository<TEntity, TKey>
                where TEntity : class
                where TKey : struct
            {
                [Cached("5m", "{TEntity}:{id}")]
                Task<TEntity?> FindAsync(TKey? id);

                [Cached("5m", "{TEntity}:many:{ids[]}")]
                Task<IReadOnlyDictionary<TKey, TEntity>> FindManyAsync(IReadOnlyList<TKey> ids);
            }

            public interface IInvoiceByNumber : IStructKeyRepository<Invoice, long> { }

            public interface IInvoiceRepository : IRepository<Invoice, int>
            {
                [Cached("1m", "invoices:total")]
                Task<decimal> TotalAsync();
            }

            public sealed class InvoiceStore : IRepository<Invoice, int>
            {
                [Cached("5m", "invoice:{id}")]
                public Task<Invoice?> GetByIdAsync(int id, CancellationToken ct = default) => Task.FromResult<Invoice?>(null);
                public Task<TResult?> GetAsync<TResult>(int id) where TResult : class => Task.FromResult<TResult?>(null);
                public TResult? Project<TResult>(int id) => default;
                public Task<TResult?> FindValueAsync<TResult>(int id) where TResult : struct => Task.FromResult<TResult?>(null);
                public IReadOnlyList<TResult?> Map<TResult>(Func<Invoice, TResult?> map) where TResult : notnull => [];
                public Task UpdateAsync(Invoice entity, CancellationToken ct = default) => Task.CompletedTask;
            }
            """,

        ["nullability attributes on parameters, results and methods"] = Usings + """
            namespace Shapes;

            public interface INullability
            {
                [Cached("1m")]
                Task<string?> GetAsync([DisallowNull] string? name);

                [Cached("1m")]
                string? Find([AllowNull] string name, int page);

                [Cached("1m", "user:{id}")]
                [return: MaybeNull]
                string Describe(int id, [DisallowNull] string? culture);

                bool TryGet(int id, [NotNullWhen(true)] out string? value);
                bool TryFind(int id, [MaybeNullWhen(false)] out string value);
                void Ensure([NotNull] string? value);
                void Assign([AllowNull] string value);
                void Require([DisallowNull] string? value);
                [return: NotNullIfNotNull(nameof(value))]
                string? Normalize(string? value);
                [return: MaybeNull]
                T Default<T>();
                [return: NotNull]
                T Required<T>(T? value);
                [DoesNotReturn]
                void Fail(string message);
                void FailIf([DoesNotReturnIf(true)] bool condition);
                [MaybeNull]
                string Current { get; }
                [AllowNull]
                string Name { get; set; }
                [DisallowNull]
                string? Title { get; set; }
                void Refill([NotNull] ref string? buffer);
                string? Loaded { get; }
                [MemberNotNull(nameof(Loaded))]
                void Load();
                [Cached("1m")]
                string Lookup([NotNull] string? key);
                [Cached("1m")]
                [return: NotNull]
                string? Label(int id);
            }
            """,

        ["obsolete members, types and interfaces"] = Usings + """
            #pragma warning disable CS0612, CS0618
            namespace Shapes;

            public sealed record Order(int Id, string Name);

            [Obsolete("Use Order.")]
            public sealed record LegacyOrder(int Id);

            [Obsolete]
            public sealed record OldOrder(int Id);

            [Obsolete("Gone.", error: true)]
            public sealed record RemovedOrder(int Id);

            public interface IObsoleteMembers
            {
                [Cached("1m")]
                Task<Order?> GetAsync(int id);

                [Obsolete("Use GetAsync.", error: true)]
                [Cached("1m")]
                Task<Order?> GetOldAsync(int id);

                [Obsolete]
                [Cached("1m")]
                Order? Find(int id);

                [Obsolete("Use GetAsync.", error: true)]
                Task<Order?> LoadAsync(int id);

                [Obsolete]
                void Touch(int id);

                [Obsolete("Old.", DiagnosticId = "SHAPE001", UrlFormat = "https://example.com/{0}")]
                void Legacy();

                LegacyOrder Convert(OldOrder order);

                [Obsolete("Gone.", error: true)]
                RemovedOrder Removed(RemovedOrder order);

                [Obsolete("Property.", true)]
                int Count { get; set; }

                int Size { [Obsolete("Getter.")] get; set; }

                [Obsolete]
                event EventHandler? Changed;

                [Obsolete("Indexer.", true)]
                string this[int index] { get; }

                [Cached("1m")]
                Task<LegacyOrder?> GetLegacyAsync(int id);

                [Obsolete("Gone.", error: true)]
                [Cached("1m", "removed:{id}")]
                Task<RemovedOrder?> GetRemovedAsync(int id);
            }

            [Obsolete("Use IObsoleteMembers.", error: true)]
            public interface IObsoleteRepository
            {
                [Cached("1m")]
                Task<Order?> GetAsync(int id);

                void Save(RemovedOrder order);
            }

            [Obsolete]
            public interface IOldRepository
            {
                [Cached("1m")]
                Task<Order?> GetAsync(int id);
            }
            """,

        // Params collections (params ReadOnlySpan<T>, C# 13) are beyond these tests' compiler (Roslyn 4.8, C# 12):
        // tests/CachedGen.PackageTests builds them with the SDK's compiler.
        ["ref, out, in, ref readonly, params, scoped, ref returns, default values"] = Usings + """
            namespace Shapes;

            public enum Status { Draft = 1, Published = 2 }

            [Flags]
            public enum Access { None = 0, Read = 1, Write = 2 }

            public interface IParameters
            {
                [Cached("1m", "get:{id}:{tenant}", nameof(SaveAsync), nameof(Save), nameof(SaveValueAsync))]
                Task<string> GetAsync(in int id, in Guid tenant);

                [Cached("1m")]
                int Count(in DateTime since, string? filter = "a\"b\\c\n\t\u00e9", Status status = Status.Published, decimal limit = 1.5m, double ratio = double.NaN, CancellationToken ct = default);

                [Cached("1m")]
                string Find(ref readonly int id);

                void Swap(ref int left, ref int right);
                bool TryParse(string text, out int value);
                int Sum(params int[] values);
                int SumSpan(scoped ReadOnlySpan<int> values);
                int Length(scoped ReadOnlySpan<char> text);
                void Fill(scoped Span<byte> buffer);
                int Read(scoped ref int value);
                int Peek(ref readonly int value);
                ref int Slot(int index);
                ref readonly int ReadOnlySlot(int index);
                void Defaults(int a = default, string? b = null, Status c = default, Access d = Access.Read | Access.Write, double e = double.PositiveInfinity,
                    float f = float.NaN, long g = long.MinValue, char h = '\'', DateTime i = default, Guid? j = null, decimal k = -0.0001m, string l = "\\\"{0}\"",
                    object? m = null, int? n = 5, uint o = 4294967295, byte p = 255, CancellationToken ct = default);
                Task SaveAsync(int id, in Guid tenant, CancellationToken ct = default);
                void Save(in int id, in Guid tenant);
                ValueTask<int> SaveValueAsync(in int id, Guid tenant, ReadOnlySpan<byte> payload);
            }
            """,

        ["pointers and function pointers"] = Usings + """
            namespace Shapes;

            public unsafe interface IUnsafe
            {
                [Cached("1m", "get:{id}", nameof(Write), nameof(WriteAsync))]
                Task<string> GetAsync(int id);

                int* Pin(int id);
                void Write(int id, byte* buffer, int length);
                Task WriteAsync(int id, byte* buffer);
                delegate*<int, void> Callback { get; }
                int Apply(delegate* unmanaged<int, int> function, int value);
                ref int* Slot(int id);
                int*[] Many();
            }
            """,

        ["default interface members"] = Usings + """
            namespace Shapes;

            public interface IWithDefaults
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);

                [Cached("1m")]
                Task<int> CountAsync(int tenant) => Task.FromResult(0);

                string Describe(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

                int Version => 1;

                sealed string Sealed() => "sealed";

                private string Hidden() => "hidden";

                static string Static() => "static";

                protected void Protected() { }

                void Touch(int id) { }
            }

            public interface IWithProtected
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);

                [Cached("1m")]
                protected Task<string> GetProtectedAsync(int id);

                protected void Abstract();

                protected int Count { get; set; }

                protected event EventHandler? Changed;

                private protected ref int Slot();
            }
            """,

        ["interface inheritance: generic bases, diamonds, new and re-abstracted members"] = Usings + """
            namespace Shapes;

            public sealed record Order(int Id, string Name);

            public interface IReadRepository<T>
            {
                Task<T?> GetByIdAsync(int id);
                IReadOnlyList<T> All();
                T? this[int id] { get; }
            }

            public interface IWriteRepository<T>
            {
                Task SaveAsync(T entity);
            }

            public interface IBase
            {
                string Name { get; }
                void Touch(int id);
                void Shadowed();
                int Counter { get; }
                event EventHandler? Changed;
                void Reabstracted();
                void Implemented() { }
            }

            public interface ILeft : IBase
            {
                new void Touch(int id);
                abstract void IBase.Reabstracted();
            }

            public interface IRight : IBase
            {
                new void Touch(int id);
                new string Name { get; }
                void IBase.Implemented() { }
            }

            public interface IDiamond : ILeft, IRight, IReadRepository<Order>, IWriteRepository<Order>
            {
                [Cached("1m", "order:{id}", nameof(SaveAsync))]
                Task<Order?> FindAsync(int id);

                new void Shadowed();
                new int Counter { get; }
                new event EventHandler? Changed;
                new Task<Order?> GetByIdAsync(int id);
                abstract void IBase.Implemented();
            }
            """,

        ["framework bases: IEnumerable<T>, IDisposable, IAsyncDisposable"] = Usings + """
            namespace Shapes;

            public sealed record Order(int Id, string Name);

            public interface IOrderSet : IEnumerable<Order>, IReadOnlyCollection<Order>, IDisposable, IAsyncDisposable, IEquatable<IOrderSet>
            {
                [Cached("1m")]
                Task<Order?> GetAsync(int id);
            }
            """,

        ["properties, indexers and events"] = Usings + """
            using System.Runtime.CompilerServices;

            namespace Shapes;

            public delegate void OrderChanged(object sender, int id);
            public delegate Task<bool> OrderValidating<T>(T order);

            public interface IMembers
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);

                int Count { get; }
                string? Name { get; set; }
                string Title { get; init; }
                int WriteOnly { set; }
                ref int Slot { get; }
                ref readonly int ReadOnlySlot { get; }
                int[]? Ids { get; }
                string this[int index] { get; set; }
                string? this[string key] { get; }
                int this[int row, int column] { get; }
                ref int this[long index] { get; }
                event EventHandler Plain;
                event EventHandler<int>? Generic;
                event OrderChanged? Changed;
                event OrderValidating<string> Validating;
                event Action? Simple;
            }

            public interface INamedIndexer
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);

                [IndexerName("Cell")]
                string this[int index] { get; }

                [IndexerName("Cell")]
                string this[string key] { get; }
            }
            """,

        ["nested, internal, global-namespace and file-scoped interfaces"] = Usings + """
            namespace Shapes;

            public class Outer
            {
                public interface IStore
                {
                    [Cached("1m")]
                    Task<string> GetAsync(int id);
                }

                public class Middle
                {
                    internal interface IStore
                    {
                        [Cached("1m")]
                        Task<string> GetAsync(int id);
                    }
                }
            }

            public interface IContainer
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);

                public interface IStore
                {
                    [Cached("1m")]
                    Task<string> GetAsync(int id);
                }
            }

            public interface IStore
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            internal interface IInternal
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            public interface Store
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            public interface ICachedStore
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            public interface Interface
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            public interface IOrderStore
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            // The user's own class already has the decorator's name.
            public sealed class CachedOrderStore
            {
            }
            """,

        ["file-local interface beside a decorated one"] = Usings + """
            namespace Shapes;

            file interface IFileLocal
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }

            public interface IVisible
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);
            }
            """,

        ["global namespace interface"] = """
            using System.Threading.Tasks;
            using CachedGen;

            public interface IGlobalStore
            {
                [Cached("1m")]
                Task<string> GetAsync(int id);

                void Save(int id);
            }

            internal interface IGlobalInternal
            {
                [Cached("1m")]
                string Get(int id);
            }
            """,

        ["names that collide with generated names"] = Usings + """
            namespace Shapes;

            public interface ICollisions
            {
                [Cached("1m", "get:{inner}:{runtime}", nameof(Write), nameof(WriteAsync))]
                Task<string> GetAsync(int inner, int runtime, CancellationToken token);

                [Cached("1m", "key:{key}:{self}:{state}", nameof(Write))]
                string Key(int key, int self, int state, CancellationToken ct);

                [Cached("1m", "x:{_inner}:{_runtime}", nameof(WriteAsync))]
                Task<string> Fields(int _inner, int _runtime, CancellationToken ct);

                [Cached("1m")]
                Task<int> Inner(int id);

                [Cached("1m")]
                Task<int> Runtime(int id);

                [Cached("1m")]
                Task<int> RegisterDecorator(int GetAsyncDescriptor, int _getAsync, int GetAsyncLoader);

                [Cached("1m")]
                Task<int> CachedCollisions(int CachedCollisions);

                [Cached("1m")]
                string @class(int @event, string @string);

                [Cached("1m", "v:{value}:{result}")]
                int Value(int value, int result);

                [InvalidatesTags("t:{tag}")]
                void Write(int key, int inner, int runtime, int tag, int _runtime, int result);

                [InvalidatesTags("t:{tag}")]
                Task<int> WriteAsync(int inner, int runtime, int _inner, int _runtime, int tag, int pending, int result, int x);

                void @event(int @class, int @params);

                int Descriptor { get; }
                int GetAsyncDescriptor { get; }
                event EventHandler? @checked;

                string ToString(string format);
                bool Equals(ICollisions? other);
                [Cached("1m")]
                int GetHashCode(int seed);
                Type GetType(string name);
                void Dispose();
                Task DisposeAsync();
            }
            """,

        ["generated member names that collide across methods"] = Usings + """
            namespace Shapes;

            public interface IDepotQueries
            {
                // One method's Invalidate{X} helper is another's {Y}Descriptor, {Y}Loader or {Y}KeyOf.
                [Cached("1m")] Task<int> GetAsyncDescriptor(int id);
                [Cached("1m")] Task<int> InvalidateGetAsync(int id);
                [Cached("1m")] Task<int> RoutesLoader(int id);
                [Cached("1m")] Task<int> InvalidateRoutes(int id);

                // Two methods whose names differ by the case of their first letter share the field _stop.
                [Cached("1m")] Task<int> Stop(int id);
                [Cached("1m")] Task<int> stop(long id);

                // Overloads, and a method named like the second overload's numbered name.
                [Cached("1m")] Task<int> Find(int id);
                [Cached("1m")] Task<int> Find(string code);
                [Cached("1m")] Task<int> Find2(long id);

                // Members of the interface named like generated members: a forwarded method like a helper, a property
                // like a descriptor, an inherited method like a loader.
                [Cached("1m")] Task<int> Depot(int id);
                Task InvalidateDepot(int id);
                [Cached("1m")] Task<int> Fleet(int id);
                int FleetDescriptor { get; }
                [Cached("1m")] Task<int> Zone(int id);
            }

            public interface IDepotBase
            {
                void ZoneLoader();
            }

            public interface IDerivedDepotQueries : IDepotBase
            {
                [Cached("1m")] Task<int> Zone(int id);
                [Cached("1m")] Task<int> Vehicle(int id);
            }

            public sealed partial class CachedDerivedDepotQueries
            {
                public static int VehicleDescriptor => 0;
            }
            """,

        ["obsolete members in key, tag and invalidation paths"] = Usings + """
            namespace Shapes;

            public sealed class RouteQuery
            {
                public Guid FleetId { get; init; }
                [Obsolete("Use FleetId")] public int LegacyFleetNo { get; init; }
                [Obsolete("Removed", error: true)] public int DepotNo { get; init; }
                public Depot Depot { get; init; } = new();
            }

            public sealed class Depot
            {
                public int Code { [Obsolete("Getter.")] get; init; }
            }

            public interface IRouteQueries
            {
                // The members are named only in strings: the interface itself uses nothing obsolete.
                [Cached("5m", "routes:{query.LegacyFleetNo}", nameof(Save))]
                Task<int> CountAsync(RouteQuery query);

                [Cached("5m", "routes2:{query.DepotNo}")]
                Task<int> Count2Async(RouteQuery query);

                [Cached("5m", "routes3:{query.Depot.Code}")]
                Task<int> Count3Async(RouteQuery query);

                void Save(RouteQuery query);

                [InvalidatesTags("fleet:{query.LegacyFleetNo}")]
                Task RetagAsync(RouteQuery query);
            }
            """,

        ["experimental types and members"] = Usings + """
            #pragma warning disable FLEET001, FLEET002, FLEET003, FLEET004, FLEET005, FLEET006
            namespace Shapes;

            [Experimental("FLEET001")]
            public sealed record EtaPrediction(int Minutes);

            public sealed class StopDto
            {
                public int Id { get; set; }
                [Experimental("FLEET002")] public int? PredictedDelayMinutes { get; set; }
            }

            public sealed class StopQuery
            {
                public int Id { get; init; }
                [Experimental("FLEET003")] public int Zone { get; init; }
            }

            public interface IEta
            {
                [Cached("1m", "eta:{stopId}")]
                Task<int> MinutesAsync(int stopId);

                EtaPrediction Refine(EtaPrediction p);

                [Cached("5m", "stop:{id}")]
                Task<StopDto?> GetAsync(int id);

                [Cached("1m")]
                Task<EtaPrediction?> PredictAsync(int stopId);

                [Cached("1m", "zone:{query.Zone}")]
                Task<int> ZoneAsync(StopQuery query);

                [Experimental("FLEET004")]
                [Cached("1m")]
                Task<int> PreviewAsync(int id);

                [Experimental("FLEET005")]
                int Preview { get; }
            }

            [Experimental("FLEET006")]
            public interface IPreviewEta
            {
                [Cached("1m")]
                Task<int> MinutesAsync(int stopId);
            }
            #pragma warning restore FLEET001, FLEET002, FLEET003, FLEET004, FLEET005, FLEET006
            """,

        ["contextual keywords as names: await in the async bodies of writes"] = Usings + """
            namespace Shapes;

            public interface IContextual
            {
                [Cached("1m", "get:{await}", nameof(SaveAsync), nameof(@await), nameof(SaveValueAsync))]
                Task<string> GetAsync(int await, CancellationToken ct = default);

                [Cached("1m", Tags = ["t:{async}"])]
                Task<string> TaggedAsync(int async, int var, int field, int yield, int nameof, int when, int value);

                [Cached("1m")]
                Task<int> @await(int x);

                Task SaveAsync(int await, string field, int value);

                ValueTask SaveValueAsync(in int await, ReadOnlySpan<char> field);

                [InvalidatesTags("t:{async}")]
                Task<int> TagAsync(int async, int await);

                Task<int> Forwarded(int await, int field);
            }
            """,

        ["overloaded cached methods"] = Usings + """
            namespace Shapes;

            public interface IOverloads
            {
                [Cached("1m", "id:{id}")]
                Task<string> GetAsync(int id);

                [Cached("1m", "name:{name}", Tags = ["t:{name}"])]
                Task<string> GetAsync(string? name, [NotCacheKey] List<int>? hints);

                Task<string> GetAsync(Guid id);

                [Cached("1m")]
                Task<string> FindAsync(int id);

                [Cached("1m")]
                string ToString(int id);

                string ToString();
            }
            """,

        ["interfaces whose decorators would share a name"] = Usings + """
            namespace Shapes
            {
                public static class Outer
                {
                    public interface IStore
                    {
                        [Cached("1m", "nested:{id}")]
                        Task<int> GetAsync(int id);
                    }
                }

                public interface IOuterStore
                {
                    [Cached("1m", "top:{id}")]
                    Task<int> GetAsync(int id);
                }

                public static class A
                {
                    public interface IBStore
                    {
                        [Cached("1m", "a:{id}")]
                        Task<int> GetAsync(int id);
                    }
                }

                public static class AB
                {
                    public interface IStore
                    {
                        [Cached("1m", "ab:{id}")]
                        Task<int> GetAsync(int id);
                    }
                }

                public interface IPaged<T>
                {
                    [Cached("1m", "paged:{id}")]
                    Task<int> GetAsync(int id);
                }

                public interface IPaged
                {
                    [Cached("1m", "plain:{id}")]
                    Task<int> GetAsync(int id);
                }
            }
            """,

        ["a generic repository closed with a type that cannot be cached"] = Usings + """
            namespace Shapes;

            public interface IRepository<TEntity> where TEntity : class
            {
                [Cached("10m", "repo:{TEntity}:{id}")]
                Task<TEntity?> FindAsync(int id);
            }

            public interface IDocumentRepository : IRepository<System.IO.Stream> { }
            public sealed class Product { public int Id { get; set; } }
            public interface IProductRepository : IRepository<Product> { }
            """,

        ["values whose full names differ only by a dot or an underscore"] = Usings + """
            namespace Shapes.Odd_Ns
            {
                public sealed record Item(int A);
            }

            namespace Shapes.Odd
            {
                public sealed record Ns_Item(string B);

                namespace Ns
                {
                    public sealed record Item(long C);
                }

                public interface IOddQueries
                {
                    [Cached("5m", "odd1:{id}")]
                    Task<global::Shapes.Odd_Ns.Item?> GetItemAsync(int id);

                    [Cached("5m", "odd2:{id}")]
                    Task<Ns_Item?> GetNsItemAsync(int id);

                    [Cached("5m", "odd3:{id}")]
                    Task<Ns.Item?> GetDeepItemAsync(int id);
                }
            }
            """,

        ["values of closed generic, nested, struct and tuple types"] = Usings + """
            namespace Shapes;

            public sealed record Page<T>(IReadOnlyList<T> Items, int Total);
            public sealed record ProductDto(int Id, string Name);
            public readonly record struct Money(decimal Amount, string Currency);
            public sealed record Pair<TLeft, TRight>(TLeft Left, TRight Right);

            public static class Catalog
            {
                public sealed record Entry(int Id, Money Price);
            }

            public sealed class Envelope<T>
            {
                public sealed record Body(T Value, string Kind);
            }

            public interface IShop
            {
                [Cached("5m")]
                Task<Page<ProductDto>> ListAsync(int page, CancellationToken ct = default);

                [Cached("5m")]
                Task<Pair<Money?, Page<Catalog.Entry>[]>> PairAsync(int id);

                [Cached("5m")]
                Task<Envelope<ProductDto>.Body> BodyAsync(int id);

                [Cached("5m")]
                Task<(Money Price, Pair<int, string> Tag)?> TupleAsync(int id);
            }
            """,

        ["a type nested in a generic interface, returned by a cached method"] = Usings + """
            namespace Shapes;

            public sealed record Stop(int Id, string Name);

            public interface IRouteRepository<TStop> where TStop : class
            {
                public sealed record Page(IReadOnlyList<TStop> Items, int Total);

                [Cached("1m", "routes:page:{page}")]
                Task<Page?> GetPageAsync(int page);
            }

            public interface IStopRoutes : IRouteRepository<Stop> { }
            """,

        ["a generic interface closed with key types with and without an encoding"] = Usings + """
            namespace Shapes;

            public readonly record struct SegmentId(Guid Value);
            public sealed record Segment(int From, int To);

            public interface ILookupStore<TKey, TValue> where TKey : notnull where TValue : class
            {
                [Cached("5m", "lk:{key}")]
                Task<TValue?> LookupAsync(TKey key);
            }

            public interface ISegmentStore : ILookupStore<(int From, int To), string> { }
            public interface IByRecordStore : ILookupStore<Segment, string> { }
            public interface IByIdStore : ILookupStore<SegmentId, string> { }

            public interface IOrders
            {
                [Cached("5m")]
                Task<string?> ByIdAsync(SegmentId id);

                [Cached("5m", "o:{id}")]
                Task<string?> ByNullableIdAsync(SegmentId? id);
            }
            """,

        ["writes of one name in two bases and two closings"] = Usings + """
            namespace Shapes;

            public interface ITracked
            {
                [Cached("1m", "tracked:{id}", nameof(TouchAsync))]
                Task<string> DescribeAsync(int id);

                Task TouchAsync(int id);
            }

            public interface ILocated
            {
                Task TouchAsync(int id);
            }

            public interface IAsset : ITracked, ILocated { }

            public sealed record Trip(int Id);
            public sealed record Trailer(int Id);

            public interface IRepository<T> where T : class
            {
                [Cached("1m", "{T}:{id}", nameof(UpdateAsync))]
                Task<T?> GetAsync(int id);

                Task UpdateAsync(int id);
            }

            public interface IMultiRepo : IRepository<Trip>, IRepository<Trailer> { }
            """,

        ["user types named System, CachedGen and Task"] = """
            using System.Threading.Tasks;

            namespace Shapes.System
            {
                public sealed class Task { }
                public sealed class ArgumentNullException { }
                public sealed class TimeSpan { }
                public sealed class ValueTuple { }
                public sealed class Func { }
                public sealed class Obsolete { }
                public sealed class CachedGen { }
            }

            namespace Shapes.System.Orders
            {
                public sealed class ValueTask { }
                public sealed class Runtime { }

                public interface IOrders
                {
                    [global::CachedGen.Cached("1m", "order:{id}", nameof(SaveAsync))]
                    global::System.Threading.Tasks.Task<string> GetAsync(int id, global::System.Threading.CancellationToken ct = default);

                    [global::CachedGen.Cached("1m", Tags = ["t:{id}"])]
                    global::System.Threading.Tasks.ValueTask<int> CountAsync(int id);

                    [global::CachedGen.InvalidatesTags("t:{id}")]
                    global::System.Threading.Tasks.Task SaveAsync(int id);

                    Task Local();
                    [global::System.Obsolete]
                    void Old();
                }
            }

            namespace CachedGen.Shapes
            {
                public sealed class CacheRuntime { }

                public interface IInsideCachedGen
                {
                    [Cached("1m")]
                    global::System.Threading.Tasks.Task<string> GetAsync(int id);
                }
            }
            """,
    };

    /// <summary>A representative interface for the snapshot: a generic method per constraint form that needs
    /// restating, nullability attributes, obsolete members and a diamond.</summary>
    public const string Representative = Usings + """
        namespace Shapes;

        public sealed record Order(int Id, string Name);

        public interface IReader { void Touch(int id); }
        public interface IWriter { void Touch(int id); }

        public interface IShapes : IReader, IWriter
        {
            [Cached("1m", "order:{id}", nameof(SaveAsync))]
            Task<Order?> GetAsync(in int id, [DisallowNull] string? culture);

            [Obsolete("Use GetAsync.", error: true)]
            [Cached("1m")]
            Order? Find(int id);

            Task<T?> FindAsync<T>(int id) where T : class;
            T? FindAny<T>(int id);
            T? FindValue<T>(int id) where T : struct;
            TOut Convert<TIn, TOut>(TIn value) where TOut : TIn, new();
            bool TryGet(int id, [NotNullWhen(true)] out Order? order);
            [return: NotNullIfNotNull(nameof(order))]
            Order? Normalize(Order? order);
            [Obsolete]
            Task SaveAsync(int id, params int[] lines);
            [AllowNull]
            string Name { get; set; }
        }
        """;
}
