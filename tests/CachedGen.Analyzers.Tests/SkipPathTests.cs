using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.Analyzers.Rules;
using CachedGen.SourceGenerator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace CachedGen.Analyzers.Tests;

/// <summary>
/// Runs the generator and the analyzers on the same sources. Every way the generator leaves a <c>[Cached]</c>, an
/// <c>invalidatedBy</c> entry, an <c>[InvalidatesTags]</c> or a <c>[CachePut]</c> out of its decorator is a case here:
/// the generated code lacks what the attribute asks for (its marker), and the analyzers report the expected error.
/// The forms the generator honours instead have their cases too, with the marker present and no CachedGen error.
/// </summary>
public class SkipPathTests
{
    /// <summary>Case name → (sources, text the generated code would hold if the attribute were honoured, expected id).</summary>
    public static TheoryData<string> Skipped() => Names(SkipCases.Keys);

    public static TheoryData<string> Honoured() => Names(HonouredCases.Keys);

    private static readonly ImmutableDictionary<string, (string[] Sources, string Marker, string Id)> SkipCases = new (string Name, string[] Sources, string Marker, string Id)[]
    {
        // [Cached] methods
        ("static abstract member", ["public interface IRepo { static abstract IRepo Create(); [Cached(\"5m\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("inherited static abstract member", ["public interface IMake { static abstract int Make(); } public interface IRepo : IMake { [Cached(\"5m\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("static abstract member, [Cached] on the class", ["public interface IRepo { static abstract IRepo Create(); Task<int> GetAsync(int id); } public sealed class Repo : IRepo { public static IRepo Create() => new Repo(); [Cached(\"5m\")] public Task<int> GetAsync(int id) => Task.FromResult(id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("derived interface with a static abstract member, [Cached] only on its base", ["public interface IReadRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); } public interface IOrderRepo : IReadRepo { static abstract IOrderRepo Create(); }"], "class CachedOrderRepo", "CG0007"),
        ("[Cached] on the methods of two classes implementing one interface", ["public interface IRepo { Task<int> GetAsync(int id); Task<int> CountAsync(); } public sealed class SqlRepo : IRepo { [Cached(\"5m\")] public Task<int> GetAsync(int id) => Task.FromResult(id); public Task<int> CountAsync() => Task.FromResult(0); } public sealed class MemoryRepo : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); [Cached(\"5m\")] public Task<int> CountAsync() => Task.FromResult(0); }"], "CountAsyncDescriptor =", "CG0007"),
        ("private nested interface", ["public class Outer { private interface IRepo { [Cached(\"5m\")] Task<int> GetAsync(int id); } }"], "GetAsyncDescriptor =", "CG0007"),
        ("file-local interface", ["file interface IRepo { [Cached(\"5m\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("[Cached] on a local function", ["public static class Host { public static Task<int> Run() { return GetAsync(1); [Cached(\"5m\")] static Task<int> GetAsync(int id) => Task.FromResult(id); } }"], "GetAsyncDescriptor =", "CG0007"),
        ("[Cached] on a lambda", ["public static class Host { public static Func<int, Task<int>> Get = [Cached(\"5m\")] (int id) => Task.FromResult(id); }"], "Descriptor =", "CG0007"),
        ("tags on a local function", ["public static class Host { public static Task Run() { return SaveAsync(1); [InvalidatesTags(\"t:{id}\")] static Task SaveAsync(int id) => Task.CompletedTask; } }"], "InvalidateTag", "CG0006"),
        ("put on a lambda", ["public static class Host { public static Func<int, Task<int>> Save = [CachePut(\"GetAsync\")] (int id) => Task.FromResult(id); }"], "(write-through)", "CG0012"),
        ("[Cached] on a property getter", ["public interface IRepo { Task<int> Count { [Cached(\"5m\")] get; } Task<int> OtherAsync(int id); }"], "Descriptor =", "CG0007"),
        ("[Cached] on a property getter of a class", ["public interface IRepo { Task<int> Count { get; } } public sealed class Repo : IRepo { public Task<int> Count { [Cached(\"5m\")] get => Task.FromResult(1); } }"], "Descriptor =", "CG0007"),
        ("tags on a property setter", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t\"])] Task<int> GetAsync(int id); int Current { get; [InvalidatesTags(\"t\")] set; } }"], "InvalidateTag", "CG0006"),
        ("tags on an init accessor", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t\"])] Task<int> GetAsync(int id); int Current { get; [InvalidatesTags(\"t\")] init; } }"], "InvalidateTag", "CG0006"),
        ("put on an event accessor", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); } public sealed class Repo : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); public event EventHandler? Changed { [CachePut(nameof(GetAsync))] add { } remove { } } }"], "(write-through)", "CG0012"),
        ("[Cached] on both the interface method and the class method implementing it", ["public interface IRepo { [Cached(\"5m\", \"i:{id}\")] Task<int> GetAsync(int id); } public sealed class Repo : IRepo { [Cached(\"1h\", \"c:{id}\")] public Task<int> GetAsync(int id) => Task.FromResult(id); }"], "\"c:\"", "CG0007"),
        ("static interface method", ["public interface IRepo { [Cached(\"5m\")] static int Get(int id) => id; Task<int> OtherAsync(int id); }"], "GetDescriptor =", "CG0007"),
        ("sealed interface method", ["public interface IRepo { [Cached(\"5m\")] sealed int Get(int id) => id; Task<int> OtherAsync(int id); }"], "GetDescriptor =", "CG0007"),
        ("no result", ["public interface IRepo { [Cached(\"5m\")] Task SaveAsync(int id); }"], "SaveAsyncDescriptor =", "CG0007"),
        ("generic method", ["public interface IRepo { [Cached(\"5m\")] Task<T> GetAsync<T>(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("unparsable TTL", ["public interface IRepo { [Cached(\"5 minutes\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0003"),
        ("zero TTL", ["public interface IRepo { [Cached(\"0s\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0003"),
        ("unparsable LocalTtl", ["public interface IRepo { [Cached(\"5m\", LocalTtl = \"soon\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0003"),
        ("no TTL and no default", ["public interface IRepo { [Cached] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0002"),
        ("no TTL and an invalid default", ["[assembly: CachedDefaults(Ttl = \"soon\")] public interface IRepo { [Cached] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0002"),
        ("malformed key template", ["public interface IRepo { [Cached(\"5m\", \"k:{id\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("unknown placeholder", ["public interface IRepo { [Cached(\"5m\", \"k:{nope}\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("placeholder without an encoding", ["public sealed class Query { public int Id { get; set; } } public interface IRepo { [Cached(\"5m\", \"k:{query}\")] Task<int> GetAsync(Query query); }"], "GetAsyncDescriptor =", "CG0004"),
        ("default key without an encoding", ["public sealed class Query { public int Id { get; set; } } public interface IRepo { [Cached(\"5m\")] Task<int> GetAsync(Query query); }"], "GetAsyncDescriptor =", "CG0004"),
        ("tag hashing a value that cannot be hashed", ["public interface IRepo { [Cached(\"5m\", \"k:{active}\", Tags = [\"t:{active:hash}\"])] Task<int> GetAsync(bool active); }"], "GetAsyncDescriptor =", "CG0004"),
        ("key template with a line break", ["public interface IRepo { [Cached(\"5m\", \"k:\\n{id}\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("key template with a line separator", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\\u2028\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("tag template with a carriage return", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:\\r\\n{id}\"])] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("tag outside the key", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{page}\"])] Task<int> GetAsync(int id, [NotCacheKey] int page); }"], "GetAsyncDescriptor =", "CG0004"),

        // invalidatedBy
        ("invalidatedBy: no such method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", \"Nope\")] Task<int> GetAsync(int id); Task SaveAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: key not filled", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); Task SaveAsync(string name); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: a cached method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(OtherAsync))] Task<int> GetAsync(int id); [Cached(\"5m\", \"o:{id}\")] Task<int> OtherAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: ref return", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Touch))] Task<int> GetAsync(int id); ref int Touch(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: an async stream (its writes run as it is enumerated)", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Import))] Task<int> GetAsync(int id); IAsyncEnumerable<int> Import(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: a sequence (possibly an iterator)", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Import))] Task<int> GetAsync(int id); IEnumerable<int> Import(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: an awaitable that is not a task", ["public readonly struct Later { public System.Runtime.CompilerServices.TaskAwaiter GetAwaiter() => Task.CompletedTask.GetAwaiter(); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Save))] Task<int> GetAsync(int id); Later Save(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: a delegate", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Save))] Task<int> GetAsync(int id); Func<Task> Save(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: a Lazy<T>", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Save))] Task<int> GetAsync(int id); Lazy<int> Save(int id); }"], "// k:{id}", "CG0006"),
        ("tags: an async stream", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] IAsyncEnumerable<int> Import(int id); }"], "InvalidateTag", "CG0006"),
        ("invalidatedBy: async write with a ref parameter", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); Task SaveAsync(int id, ref int version); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: async write with an out parameter", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); ValueTask<int> SaveAsync(int id, out int version); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: static interface method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Close))] Task<int> GetAsync(int id); static Task Close(int id) => Task.CompletedTask; }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: sealed interface method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(Archive))] Task<int> GetAsync(int id); sealed Task Archive(int id) => Task.CompletedTask; }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, static interface method", ["public interface ICommands { static Task Close(int id) => Task.CompletedTask; Task OtherAsync(int id); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.Close)}\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, no such type", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", \"INope.SaveAsync\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, not an interface", ["public sealed class Commands { public Task SaveAsync(int id) => Task.CompletedTask; } public interface IRepo { [Cached(\"5m\", \"k:{id}\", \"Commands.SaveAsync\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, static abstract member", ["public interface ICommands { static abstract ICommands Create(); Task SaveAsync(int id); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, private interface", ["public class Outer { private interface ICommands { Task SaveAsync(int id); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); } }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, async write with a ref parameter", ["public interface ICommands { Task SaveAsync(int id, ref int version); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, ref return", ["public interface ICommands { ref int Touch(int id); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.Touch)}\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, key not filled", ["public interface ICommands { Task SaveAsync(string name); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),

        // [InvalidatesTags]
        ("tags: malformed", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id\")] Task SaveAsync(int id); }"], "InvalidateTag", "CG0004"),
        ("tags: a line break", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:\\n{id}\")] Task SaveAsync(int id); }"], "InvalidateTag", "CG0004"),
        ("tags: null array", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(null!)] Task SaveAsync(int id); }"], "InvalidateTag", "CG0004"),
        ("tags: null element", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags((string)null!)] Task SaveAsync(int id); }"], "InvalidateTag", "CG0004"),
        ("tags: an empty tag", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"\")] Task SaveAsync(int id); }"], "InvalidateTag", "CG0004"),
        ("tags: a blank tag on a cached method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"  \"])] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("tags: placeholder not filled", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] Task SaveAsync(string name); }"], "InvalidateTag", "CG0006"),
        ("tags: ref return", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] ref int Touch(int id); }"], "InvalidateTag", "CG0006"),
        ("tags: async write with an out parameter", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] Task SaveAsync(int id, out int version); }"], "InvalidateTag", "CG0006"),

        ("tags: class method implementing no interface method", ["public sealed class Commands { [InvalidatesTags(\"t:{id}\")] public Task SaveAsync(int id) => Task.CompletedTask; }"], "InvalidateTag", "CG0006"),
        ("tags: static interface method", ["public interface ICommands { [InvalidatesTags(\"t:{id}\")] static Task SaveAsync(int id) => Task.CompletedTask; Task OtherAsync(int id); }"], "InvalidateTag", "CG0006"),
        ("tags: interface with a static abstract member", ["public interface ICommands { static abstract ICommands Create(); [InvalidatesTags(\"t:{id}\")] Task SaveAsync(int id); }"], "InvalidateTag", "CG0006"),

        // [CachePut]
        ("put: no such method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(\"Nope\")] Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("put: null array", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(null!)] Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("put: null element", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut((string)null!)] Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("put: not cached", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); Task<int> PeekAsync(int id); [CachePut(nameof(PeekAsync))] Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("put: result does not convert", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] Task<string> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("put: key not filled", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(string name); }"], "(write-through)", "CG0012"),
        ("put: ambiguous", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [Cached(\"5m\", \"n:{name}\")] Task<int> GetAsync(string name); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("put: async write with a ref parameter", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id, ref int version); }"], "(write-through)", "CG0012"),
        ("put: static interface method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] static Task<int> SaveAsync(int id) => Task.FromResult(id); }"], "(write-through)", "CG0012"),
        ("put: class method implementing no interface method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); } public sealed class Repo : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); [CachePut(nameof(GetAsync))] public Task<int> SaveAsync(int id) => Task.FromResult(id); }"], "(write-through)", "CG0012"),
        ("put: on a cached method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [Cached(\"5m\", \"c:{id}\")] [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("tags: on a cached method", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [Cached(\"5m\", \"c:{id}\")] [InvalidatesTags(\"t:{id}\")] Task<int> SaveAsync(int id); }"], "InvalidateTag", "CG0006"),
        ("[Cached] on a class method implementing a put", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id); } public sealed class Repo : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); [Cached(\"5m\", \"c:{id}\")] public Task<int> SaveAsync(int id) => Task.FromResult(id); }"], "SaveAsyncDescriptor =", "CG0007"),
        ("put: ref return", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] ref int Save(int id); }"], "(write-through)", "CG0012"),
        ("[Cached] naming an [Obsolete(error: true)] type", ["[Obsolete(\"gone\", true)] public sealed class Old { } public interface IRepo { [Obsolete(\"uses Old\")] [Cached(\"5m\")] Task<Old> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("[Cached] on a protected abstract interface member", ["public interface IRepo { [Cached(\"5m\")] protected Task<int> GetAsync(int id); Task<int> OtherAsync(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("[Cached] on a private protected abstract interface member", ["public interface IRepo { [Cached(\"5m\")] private protected Task<int> GetAsync(int id); Task<int> OtherAsync(int id); }"], "GetAsyncDescriptor =", "CG0007"),
        ("invalidatedBy: async write with a pointer parameter", ["public unsafe interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); Task SaveAsync(int id, byte* data); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: protected abstract write", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); protected Task SaveAsync(int id); }"], "// k:{id}", "CG0006"),
        ("tags: async write with a pointer parameter", ["public unsafe interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] Task SaveAsync(int id, byte* data); }"], "InvalidateTag", "CG0006"),
        ("tags: protected abstract write", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] protected Task SaveAsync(int id); }"], "InvalidateTag", "CG0006"),
        ("put: async write with a pointer parameter", ["public unsafe interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id, byte* data); }"], "(write-through)", "CG0012"),
        ("put: protected abstract write", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] protected Task<int> SaveAsync(int id); }"], "(write-through)", "CG0012"),
        ("tags: a placeholder naming a type parameter", ["public interface IRepo<TEntity> { [Cached(\"5m\", \"{TEntity}:{id}\", Tags = [\"t:{TEntity}\"])] Task<TEntity?> GetAsync(int id); }"], "GetAsyncDescriptor =", "CG0004"),
        ("invalidatedBy: qualified, from a generic interface", ["public interface ICommands { Task SaveAsync(int id); } public interface IRepo<T> { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<T?> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("invalidatedBy: qualified, to a generic interface", ["public interface ICommands<T> { Task SaveAsync(int id); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands<int>)}.{nameof(ICommands<int>.SaveAsync)}\")] Task<int> GetAsync(int id); }"], "// k:{id}", "CG0006"),
        ("[Cached] on a class whose interface is partly closed", ["public interface IRepository<T, TKey> { Task<T?> GetAsync(TKey id); } public sealed class Repo<T> : IRepository<T, int> { [Cached(\"5m\")] public Task<T?> GetAsync(int id) => Task.FromResult(default(T)); }"], "GetAsyncDescriptor =", "CG0007"),
        ("interface nested in a generic type", ["public class Outer<T> { public interface IRepo { [Cached(\"5m\")] Task<int> GetAsync(int id); } }"], "GetAsyncDescriptor =", "CG0007"),
        ("generic interface nested in a generic type", ["public class Outer<T> { public interface IRepo<TEntity> { [Cached(\"5m\")] Task<TEntity?> GetAsync(int id); } }"], "GetAsyncDescriptor =", "CG0007"),
        // batch methods ({ids[]}, docs/batch.md)
        ("batch placeholder on a single value", ["public interface IRepo { [Cached(\"5m\", \"k:{id[]}\")] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int id); }"], "GetManyAsyncDescriptor =", "CG0016"),
        ("batch result not a dictionary", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}\")] Task<IReadOnlyList<string>> GetManyAsync(int[] ids); }"], "GetManyAsyncDescriptor =", "CG0017"),
        ("batch result keyed by another type", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}\")] Task<IReadOnlyDictionary<string, string>> GetManyAsync(int[] ids); }"], "GetManyAsyncDescriptor =", "CG0017"),
        ("two batch placeholders", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}:{names[]}\")] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids, string[] names); }"], "GetManyAsyncDescriptor =", "CG0018"),
        ("batch elements without an encoding", ["public sealed class Query { public int Id { get; set; } } public interface IRepo { [Cached(\"5m\", \"k:{queries[]}\")] Task<IReadOnlyDictionary<Query, string>> GetManyAsync(List<Query> queries); }"], "GetManyAsyncDescriptor =", "CG0004"),
        ("batch write without the collection or its element", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}\", nameof(SaveAsync))] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids); Task SaveAsync(int key); }"], "InvalidateAsync(new global::System.ValueTuple<int>", "CG0006"),
    }.ToImmutableDictionary(c => c.Name, c => (c.Sources, c.Marker, c.Id));

    private static readonly ImmutableDictionary<string, (string[] Sources, string Marker)> HonouredCases = new (string Name, string[] Sources, string Marker)[]
    {
        ("static virtual member with a body", ["public interface IRepo { static virtual int Version => 1; [Cached(\"5m\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor ="),
        ("zero LocalTtl (no L1)", ["public interface IRepo { [Cached(\"5m\", LocalTtl = \"0s\")] Task<int> GetAsync(int id); }"], "GetAsyncDescriptor ="),
        ("tags on an interface without [Cached]", ["public interface ICommands { [InvalidatesTags(\"t:{id}\")] Task SaveAsync(int id); }"], "InvalidateTagAsync($\"t:{id}\")"),
        ("tags on a class method of an interface without [Cached]", ["public interface ICommands { Task SaveAsync(int id); } public sealed class Commands : ICommands { [InvalidatesTags(\"t:{id}\")] public Task SaveAsync(int id) => Task.CompletedTask; }"], "InvalidateTagAsync($\"t:{id}\")"),
        ("tags on a class method, [Cached] on the interface", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); Task SaveAsync(int id); } public sealed class Repo : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); [InvalidatesTags(\"t:{id}\")] public Task SaveAsync(int id) => Task.CompletedTask; }"], "InvalidateTagAsync($\"t:{id}\")"),
        ("put on a class method, [Cached] on the interface", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); Task<int> SaveAsync(int id); } public sealed class Repo : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); [CachePut(nameof(GetAsync))] public Task<int> SaveAsync(int id) => Task.FromResult(id); }"], "(write-through)"),
        ("[Cached] on a class method whose parameters are named differently", ["public interface IRepo { Task<int> GetAsync(int id, string name); } public sealed class Repo : IRepo { [Cached(\"5m\", \"k:{formId}:{title:hash}\", Tags = [\"t:{formId}\"])] public Task<int> GetAsync(int formId, string title) => Task.FromResult(formId); }"], "GetTaskAsync((id, name),"),
        ("[Cached] on a class method, default key, parameters named differently", ["public interface IRepo { Task<int> GetAsync(int id); } public sealed class Repo : IRepo { [Cached(\"5m\")] public Task<int> GetAsync(int formId) => Task.FromResult(formId); }"], "new global::System.ValueTuple<int>(id)"),
        ("put: one cached method among overloads", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); Task<int> GetAsync(string name); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(int id); }"], "(write-through)"),
        ("generic write of another interface", ["public interface ICommands { Task SaveAsync<T>(int id, T value); } public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); }"], "// k:{id}"),
        ("qualified name through a global using in another file", ["global using Other.Commands;", "namespace Other.Commands { public interface ICommands { Task SaveAsync(int id); } }", "namespace Reads { public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); } }"], "// k:{id}"),
        ("qualified name through an alias", ["namespace Other.Commands { public interface ICommands { Task SaveAsync(int id); } }", "using Cmd = Other.Commands.ICommands; namespace Reads { public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(Cmd)}.{nameof(Cmd.SaveAsync)}\")] Task<int> GetAsync(int id); } }"], "// k:{id}"),
        ("qualified name through using static", ["namespace Other { public static class Api { public interface ICommands { Task SaveAsync(int id); } } }", "using static Other.Api; namespace Reads { public interface IRepo { [Cached(\"5m\", \"k:{id}\", $\"{nameof(ICommands)}.{nameof(ICommands.SaveAsync)}\")] Task<int> GetAsync(int id); } }"], "// k:{id}"),
        ("invalidatedBy: a string naming the write (advice only, CG0015)", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", \"SaveAsync\")] Task<int> GetAsync(int id); Task SaveAsync(int id); }"], "// k:{id}"),
        ("[Cached] on a closed class method naming the interface's type parameter", ["public interface IStore<T> { Task<T> GetAsync(string name); } public sealed record Order(int Id); public sealed class OrderStore : IStore<Order> { [Cached(\"1m\", \"{T}:{name}\")] public Task<Order> GetAsync(string name) => Task.FromResult(new Order(1)); }"], "GetAsyncDescriptor ="),
        ("qualified name by its full name", ["namespace Other.Commands { public interface ICommands { Task SaveAsync(int id); } }", "namespace Reads { public interface IRepo { [Cached(\"5m\", \"k:{id}\", \"Other.Commands.ICommands.SaveAsync\")] Task<int> GetAsync(int id); } }"], "// k:{id}"),
        ("invalidatedBy: async write with an 'in' parameter (awaited in a local function)", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); Task SaveAsync(in int id); }"], "// k:{id}"),
        ("put: async write with an 'in' parameter (awaited in a local function)", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); [CachePut(nameof(GetAsync))] Task<int> SaveAsync(in int id); }"], "(write-through)"),
        ("tags: async write with an 'in' parameter (awaited in a local function)", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); [InvalidatesTags(\"t:{id}\")] Task SaveAsync(in int id); }"], "InvalidateTag"),
        ("invalidatedBy: async write with a 'ref readonly' and a span parameter", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); Task SaveAsync(ref readonly int id, ReadOnlySpan<byte> payload); }"], "// k:{id}"),
        ("generic base reached through a non-generic intermediate interface", ["public interface IRepository<T> { [Cached(\"5m\")] Task<T?> GetAsync(int id); } public sealed record Order(int Id); public interface IMid : IRepository<Order> { } public interface IOrderRepository : IMid { }"], "class CachedOrderRepository"),
        ("[Cached] inherited by a derived interface that declares none", ["public interface IReadRepo { [Cached(\"5m\", \"k:{id}\")] Task<int> GetAsync(int id); } public interface IOrderRepo : IReadRepo { Task SaveAsync(int id); }"], "class CachedOrderRepo"),
        ("[Cached] on a class method, the class implementing a derived interface", ["public interface IReadRepo { Task<int> GetAsync(int id); } public interface IOrderRepo : IReadRepo { Task SaveAsync(int id); } public sealed class Repo : IOrderRepo { [Cached(\"5m\")] public Task<int> GetAsync(int id) => Task.FromResult(id); public Task SaveAsync(int id) => Task.CompletedTask; }"], "class CachedOrderRepo"),
        ("tags inherited by a derived interface that declares none", ["public interface IWrites { [InvalidatesTags(\"t:{id}\")] Task SaveAsync(int id); } public interface IRepo : IWrites { Task<int> CountAsync(); }"], "class CachedRepo"),
        ("[Cached] inherited by a generic derived interface", ["public interface IReadRepository<T> { [Cached(\"5m\")] Task<T?> GetAsync(int id); } public interface IRepository<T> : IReadRepository<T> { Task SaveAsync(T entity); }"], "class CachedRepository<T>"),
        ("[Cached] on an override in a class deriving from the implementation", ["public interface IRepo { Task<int> GetAsync(int id); } public class RepoBase : IRepo { public virtual Task<int> GetAsync(int id) => Task.FromResult(id); } public sealed class Repo : RepoBase { [Cached(\"5m\")] public override Task<int> GetAsync(int id) => Task.FromResult(id + 1); }"], "GetAsyncDescriptor ="),
        ("[Cached] on an override of a generic base class's method", ["public sealed record Order(int Id); public interface IOrders { Task<Order?> GetAsync(int id); } public abstract class EfRepository<T> where T : class { public virtual Task<T?> GetAsync(int id) => Task.FromResult<T?>(null); } public class OrderRepository : EfRepository<Order>, IOrders { [Cached(\"5m\")] public override Task<Order?> GetAsync(int id) => base.GetAsync(id); }"], "GetAsyncDescriptor ="),
        ("tags on an override in a class deriving from the implementation", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", Tags = [\"t:{id}\"])] Task<int> GetAsync(int id); Task SaveAsync(int id); } public class RepoBase : IRepo { public Task<int> GetAsync(int id) => Task.FromResult(id); public virtual Task SaveAsync(int id) => Task.CompletedTask; } public sealed class Repo : RepoBase { [InvalidatesTags(\"t:{id}\")] public override Task SaveAsync(int id) => Task.CompletedTask; }"], "InvalidateTagAsync($\"t:{id}\")"),
        ("batch method sharing its twin's cache", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\")] Task<string?> GetAsync(int id); [Cached(\"5m\", \"k:{ids[]}\")] Task<IReadOnlyDictionary<int, string>> GetManyAsync(IReadOnlyCollection<int> ids); }"], "_getAsync.GetManyTaskAsync<int, "),
        ("batch method of its own", ["public interface IRepo { [Cached(\"5m\", \"t:{tenant}:k:{ids[]}\")] ValueTask<Dictionary<int, int>> GetManyAsync(string tenant, HashSet<int> ids); }"], "_getManyAsync.GetManyAsync<int, "),
        ("batch write with the collection", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}\", nameof(SaveAsync))] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids); Task SaveAsync(IEnumerable<int> ids); }"], "_getManyAsync.InvalidateEachAsync("),
        ("nullable token, default key", ["public interface IRepo { [Cached(\"5m\")] Task<int> GetAsync(int id, System.Threading.CancellationToken? ct = null); }"], "under <c>IRepo.GetAsync:{id}</c>"),
        ("nullable token, batch", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}\")] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids, System.Threading.CancellationToken? ct = null); }"], "_getManyAsync.GetManyTaskAsync<int, "),
        ("write with a nullable token", ["public interface IRepo { [Cached(\"5m\", \"k:{id}\", nameof(SaveAsync))] Task<int> GetAsync(int id); Task SaveAsync(int id, System.Threading.CancellationToken? ct = null); }"], "// k:{id}"),
        ("Int128 and UInt128 keys", ["public interface IRepo { [Cached(\"5m\")] Task<int> GetAsync(Int128 account, UInt128? serial); [Cached(\"5m\", \"k:{account:hash}\", nameof(SaveAsync))] Task<int> FindAsync(Int128 account); Task SaveAsync(Int128 account); }"], "builder.AppendValue(key.Item1); // account"),
        ("batch write with one element", ["public interface IRepo { [Cached(\"5m\", \"k:{ids[]}\", nameof(Save))] Task<IReadOnlyDictionary<int, string>> GetManyAsync(int[] ids); void Save(int id); }"], "_getManyAsync.Invalidate(new global::System.ValueTuple<int>(id));"),
    }.ToImmutableDictionary(c => c.Name, c => (c.Sources, c.Marker));

    [Theory]
    [MemberData(nameof(Skipped))]
    public async Task Generator_skips_and_an_analyzer_reports_an_error(string name)
    {
        var (sources, marker, id) = SkipCases[name];
        var run = await GeneratorAndAnalyzers.RunAsync(sources);
        Assert.DoesNotContain(run.Generated, text => text.Contains(marker, StringComparison.Ordinal));
        var reported = run.Reported.Where(d => d.Id == id).ToList();
        Assert.True(reported.Count > 0, $"expected {id}; reported: {string.Join("; ", run.Reported)}");
        Assert.All(reported, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        Assert.Empty(run.OutputErrors);
    }

    [Theory]
    [MemberData(nameof(Honoured))]
    public async Task Generator_honours_and_no_error_is_reported(string name)
    {
        var (sources, marker) = HonouredCases[name];
        var run = await GeneratorAndAnalyzers.RunAsync(sources);
        Assert.True(run.Generated.Any(text => text.Contains(marker, StringComparison.Ordinal)), $"'{marker}' is not in the generated code:\n" + string.Join("\n", run.Generated));
        Assert.DoesNotContain(run.Reported, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(run.OutputErrors);
    }

    /// <summary>A pointer or span parameter keeps the method uncached: CG0007 alone is reported, not also CG0004 for the
    /// key it would be in.</summary>
    [Theory]
    [InlineData("public unsafe interface IRepo { [Cached(\"1m\")] Task<int> GetAsync(int* p); }")]
    [InlineData("public unsafe interface IRepo { [Cached(\"1m\", \"k:{p}\")] Task<int> GetAsync(delegate*<int, int> p); }")]
    [InlineData("public interface IRepo { [Cached(\"1m\")] int Get(Span<byte> data); }")]
    public async Task A_pointer_or_span_parameter_is_reported_by_CG0007_only(string source)
    {
        var run = await GeneratorAndAnalyzers.RunAsync([source]);
        Assert.Equal(["CG0007"], run.Reported.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToArray());
        Assert.Empty(run.OutputErrors);
    }

    [Fact]
    public void Every_id_the_cases_expect_is_an_error_by_default()
    {
        var errors = GeneratorAndAnalyzers.Analyzers.SelectMany(a => a.SupportedDiagnostics).Where(d => d.DefaultSeverity == DiagnosticSeverity.Error).Select(d => d.Id).ToHashSet();
        Assert.All(SkipCases.Values, c => Assert.Contains(c.Id, errors));
    }

    private static TheoryData<string> Names(System.Collections.Generic.IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var name in names.OrderBy(n => n, StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }
}
