using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using CachedGen.SourceGenerator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace CachedGen.GeneratorBenchmarks;

/// <summary>
/// The CachedGen generator on the project eng/build-overhead.sh builds (50 interfaces x 10 <c>[Cached]</c> methods with
/// implementations), beside <see cref="AttributeBindingGenerator"/>, which finds the same methods and binds the
/// attributes of their interfaces' members and does nothing else: the part of the work Roslyn does for any generator
/// that reads these attributes. Ratios are against it.
/// </summary>
/// <remarks>
/// <c>Full</c>: a fresh driver on a fresh compilation, as in a command-line build. <c>AfterEdit</c>: a driver kept
/// across runs, as in an IDE; each operation changes one implementation's method body in one of the 50 files (a different file
/// each time) and runs the generator again. Roslyn re-runs the transform of <c>ForAttributeWithMetadataName</c> for
/// every attributed method on each new compilation; what the edit must not cause is a re-emitted decorator
/// (tests/CachedGen.SourceGenerator.Tests/IncrementalTests.cs asserts that).
/// </remarks>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GeneratorBenchmarks
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private CSharpCompilation _compilation = null!;
    private GeneratorDriver _cachedGenDriver = null!;
    private GeneratorDriver _bindingDriver = null!;
    private Compilation _cachedGenCurrent = null!;
    private Compilation _bindingCurrent = null!;
    private int _edit;
    private ImmutableArray<(string HintName, string Text)> _replayed;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = BenchProject.Compile();
        // One decorator per interface, plus the assembly's formatters file (CachedGen.Formatters.g.cs) for the Dto records.
        var generated = CreateDriver(new CachedGenerator()).RunGenerators(_compilation).GetRunResult().GeneratedTrees
            .Count(tree => !tree.FilePath.EndsWith("CachedGen.Formatters.g.cs", StringComparison.Ordinal));
        if (generated != BenchProject.Interfaces)
        {
            throw new InvalidOperationException($"Expected {BenchProject.Interfaces} decorators, the generator made {generated}.");
        }

        _replayed = CreateDriver(new CachedGenerator()).RunGenerators(_compilation).GetRunResult().Results[0].GeneratedSources
            .Select(source => (source.HintName, source.SourceText.ToString()))
            .ToImmutableArray();
        _cachedGenCurrent = _compilation;
        _bindingCurrent = _compilation;
        _cachedGenDriver = CreateDriver(new CachedGenerator()).RunGenerators(_compilation);
        _bindingDriver = CreateDriver(new AttributeBindingGenerator()).RunGenerators(_compilation);
    }

    [Benchmark(Baseline = true, Description = "Full run: attribute binding only")]
    [BenchmarkCategory("Full")]
    public GeneratorDriver BindingFull() => CreateDriver(new AttributeBindingGenerator()).RunGenerators(Fresh());

    [Benchmark(Description = "Full run: binding, then adding CachedGen's output as-is")]
    [BenchmarkCategory("Full")]
    public GeneratorDriver ReplayFull() => CreateDriver(new ReplayGenerator(_replayed)).RunGenerators(Fresh());

    [Benchmark(Description = "Full run: CachedGen")]
    [BenchmarkCategory("Full")]
    public GeneratorDriver CachedGenFull() => CreateDriver(new CachedGenerator()).RunGenerators(Fresh());

    [Benchmark(Baseline = true, Description = "After an edit: attribute binding only")]
    [BenchmarkCategory("AfterEdit")]
    public GeneratorDriver BindingAfterEdit()
    {
        _bindingCurrent = Edit(_bindingCurrent);
        return _bindingDriver = _bindingDriver.RunGenerators(_bindingCurrent);
    }

    [Benchmark(Description = "After an edit: CachedGen")]
    [BenchmarkCategory("AfterEdit")]
    public GeneratorDriver CachedGenAfterEdit()
    {
        _cachedGenCurrent = Edit(_cachedGenCurrent);
        return _cachedGenDriver = _cachedGenDriver.RunGenerators(_cachedGenCurrent);
    }

    private static GeneratorDriver CreateDriver(IIncrementalGenerator generator)
        => CSharpGeneratorDriver.Create([generator.AsSourceGenerator()], parseOptions: ParseOptions);

    private CSharpCompilation Fresh() => BenchProject.Fresh(_compilation);

    // Changes the body of one implementation method (a string in it), in the next file.
    private Compilation Edit(Compilation compilation)
    {
        var index = _edit++ % BenchProject.Interfaces;
        var tree = compilation.SyntaxTrees.First(t => t.FilePath == BenchProject.FileName(index));
        var text = tree.GetText();
        var at = text.ToString().IndexOf("(id, \"", StringComparison.Ordinal) + "(id, \"".Length;
        var edited = text.WithChanges(new TextChange(new TextSpan(at, 1), text[at] == 'n' ? "m" : "n"));
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(edited));
    }
}

/// <summary>Finds the <c>[Cached]</c> methods as CachedGen does and binds the attributes of every member of their
/// interfaces, which CachedGen reads too; produces nothing.</summary>
internal sealed class AttributeBindingGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
        => context.RegisterSourceOutput(BindCachedInterfaces(context).Collect(), static (_, _) => { });

    /// <summary>The pipeline both baselines share: each <c>[Cached]</c> method, with the attributes of its interface's
    /// members bound.</summary>
    internal static IncrementalValuesProvider<int> BindCachedInterfaces(IncrementalGeneratorInitializationContext context)
        => context.SyntaxProvider.ForAttributeWithMetadataName(
            "CachedGen.CachedAttribute",
            static (node, _) => node is MethodDeclarationSyntax,
            static (context, _) =>
            {
                var count = 0;
                foreach (var member in context.TargetSymbol.ContainingType.GetMembers())
                {
                    count += member.GetAttributes().Length;
                }

                return count;
            });
}

/// <summary><see cref="AttributeBindingGenerator"/>'s work, then CachedGen's decorators added as they are, without
/// building a model or writing text: what any generator emitting the same code pays. The driver parses an added text
/// only when the compilation first needs its tree, so neither this nor CachedGen's row includes parsing the decorators.
/// CachedGen's own work is the difference between the two.</summary>
internal sealed class ReplayGenerator(ImmutableArray<(string HintName, string Text)> sources) : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
        => context.RegisterSourceOutput(AttributeBindingGenerator.BindCachedInterfaces(context).Collect(), (output, _) =>
        {
            foreach (var (hintName, text) in sources)
            {
                output.AddSource(hintName, text);
            }
        });
}

/// <summary>The sources of eng/build-overhead.sh's "with" variant, compiled against the running framework and the
/// CachedGen runtime.</summary>
internal static class BenchProject
{
    public const int Interfaces = 50;
    public const int MethodsPerInterface = 10;

    public static string FileName(int index) => $"Repo{index + 1}.cs";

    /// <summary>A new compilation over the same syntax trees: no symbol or binding is shared with an earlier one.</summary>
    public static CSharpCompilation Fresh(CSharpCompilation compilation) => compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees);

    public static CSharpCompilation Compile()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = trusted.Append(typeof(CachedAttribute).Assembly.Location).Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
        var trees = Enumerable.Range(0, Interfaces).Select(i => CSharpSyntaxTree.ParseText(Source(i + 1), new CSharpParseOptions(LanguageVersion.Latest), FileName(i)));
        // As the .NET SDK compiles a project: CS1701 and CS1702 (a reference to an older version of a framework assembly,
        // such as MessagePack's to System.Memory 6.0, unified with the current one) are in its default NoWarn.
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable)
            .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]);
        return CSharpCompilation.Create("Bench", trees, references, options);
    }

    private static string Source(int i)
    {
        var text = new StringBuilder();
        text.AppendLine("using System; using System.Collections.Generic; using System.Threading; using System.Threading.Tasks;");
        text.AppendLine("using CachedGen;");
        text.AppendLine("namespace Bench;");
        text.AppendLine($"public sealed record Dto{i}(int Id, string Name, IReadOnlyList<string> Tags);");
        text.AppendLine($"public interface IRepo{i} {{");
        for (var m = 1; m <= MethodsPerInterface; m++)
        {
            text.AppendLine($"  [Cached(\"5m\", \"r{i}:m{m}:{{id}}:{{page}}\", nameof(Save))]");
            text.AppendLine($"  Task<Dto{i}?> Get{m}Async(int id, int page, CancellationToken ct = default);");
        }

        text.AppendLine("  Task Save(int id, int page, CancellationToken ct = default);");
        text.AppendLine("}");
        text.AppendLine($"public sealed class Repo{i} : IRepo{i} {{");
        for (var m = 1; m <= MethodsPerInterface; m++)
        {
            text.AppendLine($"  public Task<Dto{i}?> Get{m}Async(int id, int page, CancellationToken ct = default) => Task.FromResult<Dto{i}?>(new Dto{i}(id, \"n\", new[] {{ \"t\" }}));");
        }

        text.AppendLine("  public Task Save(int id, int page, CancellationToken ct = default) => Task.CompletedTask;");
        text.AppendLine("}");
        return text.ToString();
    }
}
