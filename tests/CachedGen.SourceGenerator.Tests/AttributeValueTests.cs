using System;
using System.Linq;
using CachedGen.SourceGenerator.Emitting;
using CachedGen.SourceGenerator.Model;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>Attribute values the analyzers reject or that are merely unusual: the generator neither throws on them nor
/// writes code that does not compile, and the other methods and interfaces are still decorated.</summary>
public class AttributeValueTests
{
    private const string Other = """
        using System.Threading.Tasks;
        using CachedGen;
        namespace Values;
        public interface IOther { [Cached("5m", "o:{id}")] Task<int> GetOtherAsync(int id); }
        """;

    [Theory]
    [InlineData("[InvalidatesTags(null!)] Task W2(int id);")]
    [InlineData("[CachePut(null!)] Task<int> W5(int id);")]
    [InlineData("[InvalidatesTags(null!)] Task W2(int id); [CachePut(null!)] Task<int> W5(int id);")]
    [InlineData("[InvalidatesTags(\"w:{id}\", null!)] Task W2(int id);")]
    [InlineData("[CachePut(nameof(GetAsync), null!)] Task<int> W5(int id);")]
    public void A_null_attribute_array_is_skipped_and_every_decorator_is_still_generated(string writes)
    {
        var result = GeneratorHarness.Run(
            $$"""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            public interface IW
            {
                [Cached("5m", "w:{id}")] Task<int> GetAsync(int id);
                {{writes}}
            }
            """,
            Other);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Contains("GetAsyncDescriptor =", result.Sources["Values.IW.g.cs"], StringComparison.Ordinal);
        Assert.Contains("GetOtherAsyncDescriptor =", result.Sources["Values.IOther.g.cs"], StringComparison.Ordinal);
    }

    /// <summary>A verbatim identifier in a template names the parameter or member as C# does: <c>{@class}</c> is the
    /// parameter <c>@class</c>, and the decorator is the one <c>{class}</c> gives (the same key, in keys and tags).</summary>
    [Fact]
    public void A_verbatim_placeholder_names_the_same_parameter_as_its_plain_name()
    {
        const string Source = """
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            public sealed record Query(int @event);
            public interface IW
            {
                [Cached("5m", "w:{@class}:{query.@event}", Tags = ["t:{@class}"])] Task<int> GetAsync(int @class, Query query);
                [InvalidatesTags("t:{@class}")] Task WriteAsync(int @class);
            }
            """;
        var verbatim = GeneratorHarness.Run(Source);
        var plain = GeneratorHarness.Run(Source.Replace("{@class}", "{class}", StringComparison.Ordinal).Replace("{query.@event}", "{query.event}", StringComparison.Ordinal));

        Assert.True(verbatim.Diagnostics.IsEmpty, verbatim.DiagnosticText);
        Assert.True(plain.Diagnostics.IsEmpty, plain.DiagnosticText);
        var generated = verbatim.Sources["Values.IW.g.cs"];
        Assert.Contains("GetAsyncDescriptor =", generated, StringComparison.Ordinal);
        // The code is the same; only the template as written differs, where the decorator quotes it (its summaries and the
        // descriptor's TagTemplates). The interpolations name the parameter @class in both.
        Assert.Contains("$\"t:{@class}\"", generated, StringComparison.Ordinal);
        var quoted = string.Join('\n', generated.Split('\n').Select(line => line.Contains("<c>", StringComparison.Ordinal) || line.Contains("TagTemplates =", StringComparison.Ordinal)
            ? line.Replace("{@class}", "{class}", StringComparison.Ordinal).Replace("{query.@event}", "{query.event}", StringComparison.Ordinal)
            : line));
        Assert.Equal(plain.Sources["Values.IW.g.cs"], quoted);
    }

    /// <summary>A tag placeholder naming a key parameter in another case (resolved as in the key) reads that key field.</summary>
    [Fact]
    public void A_tag_placeholder_in_another_case_reads_the_key_field_it_resolves_to()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            public interface IW
            {
                [Cached("5m", "w:{tenant}:{id}", Tags = ["t:{ID}", "u:{Tenant}"])] Task<int> GetAsync(int id, string tenant);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Contains("tags.Render($\"t:{key.Item2}\"), tags.Render($\"u:{key.Item1}\")", result.Sources["Values.IW.g.cs"], StringComparison.Ordinal);
    }

    /// <summary>The put and the tag named next to a null are still honoured.</summary>
    [Fact]
    public void The_strings_next_to_a_null_element_are_honoured()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            public interface IW
            {
                [Cached("5m", "w:{id}", Tags = ["t:{id}"])] Task<int> GetAsync(int id);
                [InvalidatesTags("t:{id}", null!)] Task W2(int id);
                [CachePut(nameof(GetAsync), null!)] Task<int> W5(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Values.IW.g.cs"];
        Assert.Contains("InvalidateTagAsync($\"t:{id}\")", text, StringComparison.Ordinal);
        Assert.Contains("(write-through)", text, StringComparison.Ordinal);
    }

    /// <summary>A template holding a line terminator or another control character is rejected (CG0004): that method is
    /// left uncached, the others are decorated, and what is written compiles.</summary>
    [Theory]
    [InlineData("\\n")]
    [InlineData("\\r\\n")]
    [InlineData("\\r")]
    [InlineData("\\u2028")]
    [InlineData("\\u2029")]
    [InlineData("\\u0085")]
    [InlineData("\\t")]
    [InlineData("\\0")]
    public void A_template_with_a_control_character_leaves_only_its_method_uncached(string escape)
    {
        var result = GeneratorHarness.RunDocumented($$"""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            /// <summary>Reads and writes.</summary>
            public interface IW
            {
                /// <summary>Plain.</summary>
                [Cached("5m", "w:{id}", nameof(SaveAsync), Tags = ["t:{id}"])] Task<int> GetAsync(int id);
                /// <summary>Odd key.</summary>
                [Cached("5m", "line1{{escape}}line2:{id}")] Task<int> NewlineAsync(int id);
                /// <summary>Odd tag.</summary>
                [Cached("5m", "x:{id}", Tags = ["x:{{escape}}{id}"])] Task<int> TagAsync(int id);
                /// <summary>Odd invalidated tag.</summary>
                [InvalidatesTags("t:{id}", "t:{{escape}}{id}")] Task SaveAsync(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Values.IW.g.cs"];
        Assert.Contains("GetAsyncDescriptor =", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NewlineAsyncDescriptor =", text, StringComparison.Ordinal);
        Assert.DoesNotContain("TagAsyncDescriptor =", text, StringComparison.Ordinal);
        Assert.Contains("InvalidateTagAsync($\"t:{id}\")", text, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidateTagAsync($\"t:\\", text, StringComparison.Ordinal);
    }

    /// <summary>A TTL may end in a line break (it is trimmed to parse): its text in the comments is escaped.</summary>
    [Fact]
    public void A_ttl_with_a_line_break_is_escaped_in_comments()
    {
        var result = GeneratorHarness.RunDocumented("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            /// <summary>Reads.</summary>
            public interface IW
            {
                /// <summary>Read.</summary>
                [Cached("5m\r\n", "w:{id}", LocalTtl = "\u20281m")] Task<int> GetAsync(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Values.IW.g.cs"];
        Assert.Contains("/// <summary>Cached for 5m\\r\\n under <c>w:{id}</c>.</summary>", text, StringComparison.Ordinal);
        Assert.Contains("/* \\u20281m */", text, StringComparison.Ordinal);
    }

    /// <summary>Printable characters that mean something in a comment, in XML or in a string (<c>*/</c>, <c>//</c>,
    /// quotes, backslashes, <c>&lt;&gt;&amp;</c>) are allowed in templates, and the decorator compiles with its
    /// documentation checked.</summary>
    [Fact]
    public void A_template_with_comment_xml_and_string_delimiters_compiles()
    {
        var result = GeneratorHarness.RunDocumented("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            /// <summary>Reads and writes.</summary>
            public interface IW
            {
                /// <summary>Read.</summary>
                [Cached("5m", "a*/b//c\"d\\e<f>&g /*ü:{id}", nameof(DeleteAsync), Tags = ["t*/<&>\"\\//:{id}"])] Task<int> GetAsync(int id);
                /// <summary>Write-through.</summary>
                [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id);
                /// <summary>Invalidation.</summary>
                [InvalidatesTags("t*/<&>\"\\//:{id}")] Task DeleteAsync(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        var text = result.Sources["Values.IW.g.cs"];
        Assert.Contains("GetAsyncDescriptor =", text, StringComparison.Ordinal);
        Assert.Contains("// a*/b//c\"d\\e<f>&g /*ü:{id} (write-through)", text, StringComparison.Ordinal);
        Assert.Contains("<c>a*/b//c\"d\\e&lt;f&gt;&amp;g /*ü:{id}</c>", text, StringComparison.Ordinal);
        Assert.Contains("InvalidateTagAsync($\"t*/<&>\\\"\\\\//:{id}\")", text, StringComparison.Ordinal);
    }

    /// <summary>A string the decorator copies from the interface (an <c>[Obsolete]</c> message) is written as a literal
    /// in which U+2028 and U+2029, line terminators to C#, are escapes.</summary>
    [Fact]
    public void A_copied_attribute_string_with_a_line_separator_compiles()
    {
        var result = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using CachedGen;
            namespace Values;
            public interface IW
            {
                [Cached("5m", "w:{id}")] Task<int> GetAsync(int id);
                [System.Obsolete("gone\u2028use GetAsync\u2029")] Task<int> OldAsync(int id);
            }
            """);

        Assert.True(result.Diagnostics.IsEmpty, result.DiagnosticText);
        Assert.Contains("[global::System.Obsolete(\"gone\\u2028use GetAsync\\u2029\")]", result.Sources["Values.IW.g.cs"], StringComparison.Ordinal);
    }

    /// <summary>The emitter escapes line terminators and control characters wherever it writes a template or a TTL into
    /// a comment, so no model can end a comment early: the text has exactly the lines of the plain model's.</summary>
    [Fact]
    public void The_emitter_writes_no_line_terminator_of_a_template_into_a_comment()
    {
        const string odd = "s:\n{id}\r\u2028\u2029\u0085\u0001\t";
        var plain = EmitterSnapshotTests.Store();
        var get = plain.CachedMethods[0];
        var put = plain.ForwardedMethods[0];
        var model = plain with
        {
            CachedMethods = new EquatableArray<CachedMethodModel>([get with { KeyTemplate = odd, TtlText = "30s\n", LocalTtlText = "\u20285s", TagTemplates = new EquatableArray<string>([odd, "all"]) }]),
            ForwardedMethods = new EquatableArray<ForwardedMethodModel>([
                put with
                {
                    Invalidations = new EquatableArray<InvalidationModel>([put.Invalidations[0] with { KeyTemplate = odd }]),
                    Puts = new EquatableArray<InvalidationModel>([put.Invalidations[0] with { KeyTemplate = odd }]),
                },
                .. plain.ForwardedMethods.Skip(1),
            ]),
        };
        var reference = plain with
        {
            ForwardedMethods = new EquatableArray<ForwardedMethodModel>([
                put with { Puts = new EquatableArray<InvalidationModel>([put.Invalidations[0]]) },
                .. plain.ForwardedMethods.Skip(1),
            ]),
        };

        var text = DecoratorEmitter.Emit(model);

        foreach (var terminator in new[] { '\r', '\u0085', '\u2028', '\u2029', '\u0001', '\t' })
        {
            Assert.DoesNotContain(terminator.ToString(), text, StringComparison.Ordinal);
        }

        Assert.Equal(DecoratorEmitter.Emit(reference).Split('\n').Length, text.Split('\n').Length);
        const string escaped = "s:\\n{id}\\r\\u2028\\u2029\\u0085\\u0001\\t";
        Assert.Contains($"/// <summary>Cached for 30s\\n under <c>{escaped}</c>.</summary>", text, StringComparison.Ordinal);
        Assert.Contains($"// {escaped} (write-through)", text, StringComparison.Ordinal);
        Assert.Contains($"; // {escaped}\n", text, StringComparison.Ordinal);
        Assert.Contains("/* \\u20285s */", text, StringComparison.Ordinal);
    }
}
