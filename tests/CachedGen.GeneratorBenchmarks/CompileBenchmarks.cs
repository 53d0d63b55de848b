using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using BenchmarkDotNet.Attributes;
using CachedGen.SourceGenerator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.GeneratorBenchmarks;

/// <summary>
/// What the compiler spends on the 500-method project of eng/build-overhead.sh, in-process, in three variants:
/// <list type="bullet">
/// <item>no caching (the baseline);</item>
/// <item>hand-written cache-aside decorators over FusionCache, as the script's "hand-written" variant writes them;</item>
/// <item>CachedGen: the generator, and the generated decorators compiled.</item>
/// </list>
/// Each operation compiles a new compilation over the same syntax trees (nothing bound is shared with an earlier one)
/// and emits it to memory. <c>dotnet build</c> adds MSBuild, the compiler server and the SDK's own analyzers on top,
/// the same in every variant; this measures the compiler's part alone, with less noise than whole builds. CachedGen's
/// analyzers are left out: run outside the compiler's own analyzer driver (<c>CompilationWithAnalyzers</c>), they bind
/// every method body again and cost several times what <c>-p:ReportAnalyzer=true</c> reports for them in a build.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 10, iterationCount: 15)]
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private CSharpCompilation _project = null!;
    private ImmutableArray<SyntaxTree> _handWritten;

    [GlobalSetup]
    public void Setup()
    {
        var fusionCache = typeof(ZiggyCreatures.Caching.Fusion.IFusionCache).Assembly.Location;
        var cachingAbstractions = typeof(Microsoft.Extensions.Caching.Distributed.IDistributedCache).Assembly.Location;
        _project = BenchProject.Compile().AddReferences(MetadataReference.CreateFromFile(fusionCache), MetadataReference.CreateFromFile(cachingAbstractions));
        _handWritten = Enumerable.Range(1, BenchProject.Interfaces)
            .Select(i => CSharpSyntaxTree.ParseText(HandWritten(i), new CSharpParseOptions(LanguageVersion.Latest), $"CachedRepo{i}.cs"))
            .ToImmutableArray();

        // Every variant must compile without a warning, or it measures an error path.
        Check(NoCaching(), "no caching");
        Check(HandWrittenDecorators(), "hand-written");
        Check(CachedGen(), "CachedGen");
    }

    [Benchmark(Baseline = true, Description = "No caching")]
    public EmitResult NoCaching() => Emit(BenchProject.Fresh(_project));

    [Benchmark(Description = "Hand-written FusionCache decorators")]
    public EmitResult HandWrittenDecorators() => Emit(BenchProject.Fresh(_project).AddSyntaxTrees(_handWritten));

    [Benchmark(Description = "CachedGen (generator and generated code)")]
    public EmitResult CachedGen()
    {
        CSharpGeneratorDriver.Create([new CachedGenerator().AsSourceGenerator()], parseOptions: new CSharpParseOptions(LanguageVersion.Latest))
            .RunGeneratorsAndUpdateCompilation(BenchProject.Fresh(_project), out var output, out _);
        return Emit(output);
    }

    private static EmitResult Emit(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        return new EmitResult(result.Success, stream.Length, result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray());
    }

    private static void Check(EmitResult result, string variant)
    {
        if (!result.Success || !result.Diagnostics.IsEmpty)
        {
            throw new InvalidOperationException($"The {variant} variant does not compile cleanly:{Environment.NewLine}{string.Join(Environment.NewLine, result.Diagnostics.Take(5))}");
        }
    }

    // The same decorators as eng/build-overhead.sh's "hand-written" variant: one GetOrSetAsync per read, one RemoveAsync
    // per invalidated entry.
    private static string HandWritten(int i)
    {
        var text = new StringBuilder();
        text.AppendLine("using System; using System.Collections.Generic; using System.Threading; using System.Threading.Tasks;");
        text.AppendLine("using ZiggyCreatures.Caching.Fusion;");
        text.AppendLine("namespace Bench;");
        text.AppendLine($"public sealed class CachedRepo{i}(IRepo{i} inner, ZiggyCreatures.Caching.Fusion.IFusionCache cache) : IRepo{i} {{");
        for (var m = 1; m <= BenchProject.MethodsPerInterface; m++)
        {
            text.AppendLine($"  public Task<Dto{i}?> Get{m}Async(int id, int page, CancellationToken ct = default)");
            text.AppendLine($"    => cache.GetOrSetAsync<Dto{i}?>($\"r{i}:m{m}:{{id}}:{{page}}\", (_, t) => inner.Get{m}Async(id, page, t), TimeSpan.FromMinutes(5), token: ct).AsTask();");
        }

        text.AppendLine("  public async Task Save(int id, int page, CancellationToken ct = default) {");
        text.AppendLine("    await inner.Save(id, page, ct);");
        for (var m = 1; m <= BenchProject.MethodsPerInterface; m++)
        {
            text.AppendLine($"    await cache.RemoveAsync($\"r{i}:m{m}:{{id}}:{{page}}\", token: ct);");
        }

        text.AppendLine("  }");
        text.AppendLine("}");
        return text.ToString();
    }

    /// <summary>Whether the assembly was written, its size, and the warnings and errors (compiler and analyzers).</summary>
    public sealed record EmitResult(bool Success, long Bytes, ImmutableArray<Diagnostic> Diagnostics);
}
