// Forwarded members: methods (with their invalidations, tags and puts), properties and events.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CachedGen.SourceGenerator.Model;

namespace CachedGen.SourceGenerator.Emitting;

internal static partial class DecoratorEmitter
{
    /// <summary><see cref="IDisposable.Dispose"/> or <see cref="IAsyncDisposable.DisposeAsync"/>: passed on to the inner
    /// service unless the DI container owns it.</summary>
    private static void WriteDisposal(SourceWriter w, DecoratorModel model, ForwardedMethodModel method, string signature, string call)
    {
        w.Line("/// <summary>Disposes the inner service when this decorator was built by hand; built by <c>AddCachedGen</c>, the inner");
        w.Line("/// service is the container's, which disposes it.</summary>");
        WriteAttributes(w, method.Attributes);
        if (method.Kind != ResultKind.Void)
        {
            w.Line($"{signature}");
            w.Line($"    => {model.DisposesInnerFieldName} ? {call} : default;");
            return;
        }

        w.Open(signature);
        w.Open($"if ({model.DisposesInnerFieldName})");
        w.Line($"{call};");
        w.Close();
        w.Close();
    }

    private static void WriteForwardedMethod(SourceWriter w, DecoratorModel model, ForwardedMethodModel method)
    {
        var arguments = string.Join(", ", method.Parameters.Select(p => Passed(p) + p.Name));
        var typeParameters = method.TypeParameters.Count == 0 ? "" : "<" + string.Join(", ", method.TypeParameters) + ">";
        var call = Receiver(model.InnerFieldName, method.Receiver) + "." + method.Name + typeParameters + "(" + arguments + ")";
        var signature = method.ReturnType + " " + method.DeclaringInterface + "." + method.Name + typeParameters + "(" + ParameterList(method.Parameters) + ")";
        if (method.IsDisposal && !method.IsUnreachable)
        {
            WriteDisposal(w, model, method, signature, call);
            return;
        }

        if (!method.Invalidates)
        {
            WriteAttributes(w, method.Attributes);
            w.Line($"{(method.IsUnsafe ? "unsafe " : "")}{Prefix(method.Returns)}{signature}");
            foreach (var constraint in method.Constraints)
            {
                w.Line($"    {Clause(constraint)}");
            }

            w.Line(method.IsUnreachable ? $"    => {ThrowUnreachable};" : $"    => {(method.Returns != RefReturn.None ? "ref " : "")}{call};");
            return;
        }

        var names = new HashSet<string>(method.Parameters.Select(p => p.Name.TrimStart('@')), StringComparer.Ordinal);
        var result = Unique("result", names);
        var isAsync = method.Kind is ResultKind.Task or ResultKind.ValueTask or ResultKind.TaskOfT or ResultKind.ValueTaskOfT;
        w.Line(method.Puts.Count > 0
            ? "/// <summary>Forwards, then on success puts the result in the entries this write updates, and removes those it invalidates.</summary>"
            : "/// <summary>Forwards, then on success removes the entries this write invalidates.</summary>");
        // An async method cannot take 'in' or ref struct parameters: the write is then called first, and an async
        // local function, given its task and the other parameters by value, awaits it and invalidates.
        var local = isAsync && method.Parameters.Any(p => p.Passing != Passing.Value || p.Scoped || p.IsRefLike);
        WriteAttributes(w, method.Attributes);
        w.Line($"{(isAsync && !local ? "async " : "")}{(method.IsUnsafe ? "unsafe " : "")}{signature}");
        foreach (var constraint in method.Constraints)
        {
            w.Line($"    {Clause(constraint)}");
        }

        w.Open();
        var awaited = call;
        if (local)
        {
            var carried = method.Parameters.Where(p => !p.IsRefLike).ToList();
            var complete = Unique("invalidateAfter", names);
            var pending = Unique("write", names);
            w.Line($"return {complete}({call}{string.Concat(carried.Select(p => ", " + p.Name))});");
            w.Line();
            w.Open($"async {method.ReturnType} {complete}({method.ReturnType} {pending}{string.Concat(carried.Select(p => ", " + p.Type + " " + p.Name))})");
            awaited = pending;
        }

        // A write-through marks its entries before the write runs: a change of one meanwhile (another write's invalidation
        // or put) turns the put into an invalidation, since this result may be older than that change. Not where the write
        // had to be called first (its 'in' or ref struct parameters): those puts cannot tell.
        var tickets = new List<string?>();
        var ticket = local ? null : Unique("put", names);
        for (var i = 0; i < method.Puts.Count; i++)
        {
            if (ticket is null)
            {
                tickets.Add(null);
                continue;
            }

            var put = method.Puts[i];
            var name = ticket + i.ToString(CultureInfo.InvariantCulture);
            var keyExpression = KeyTuple.New(put.KeyType, put.Arguments.Select(Code).ToList());
            w.Line(isAsync
                ? $"var {name} = await {put.FieldName}.BeginPutAsync({keyExpression}).ConfigureAwait(false); // {Comment(put.KeyTemplate)} (write-through)"
                : $"var {name} = {put.FieldName}.BeginPut({keyExpression}); // {Comment(put.KeyTemplate)} (write-through)");
            tickets.Add(name);
        }

        switch (method.Kind)
        {
            case ResultKind.Task:
            case ResultKind.ValueTask:
                w.Line($"await {awaited}.ConfigureAwait(false);");
                break;
            case ResultKind.TaskOfT:
            case ResultKind.ValueTaskOfT:
                w.Line($"var {result} = await {awaited}.ConfigureAwait(false);");
                break;
            case ResultKind.Void:
                w.Line($"{call};");
                break;
            default:
                w.Line($"var {result} = {call};");
                break;
        }

        // Each invalidation as (asynchronous expression, synchronous statement, comment).
        var invalidations = new List<(string Async, string Sync, string Comment)>();
        foreach (var invalidation in method.Invalidations)
        {
            if (invalidation.Decorator is { } decorator)
            {
                // Another interface's entry: through the runtime, with that decorator's descriptor.
                var externalKey = KeyTuple.New(invalidation.KeyType, invalidation.Arguments.Select(Code).ToList());
                var invalidate = model.RuntimeFieldName + ".InvalidateAsync<" + invalidation.KeyType + ", " + invalidation.ValueType + ">("
                    + decorator + "." + invalidation.MemberName + "Descriptor, " + externalKey + ")";
                invalidations.Add((invalidate, invalidate + ".AsTask().GetAwaiter().GetResult();", " // " + Comment(invalidation.KeyTemplate)));
                continue;
            }

            var keyExpression = KeyTuple.New(invalidation.KeyType, invalidation.Arguments.Select(Code).ToList());
            if (invalidation.EachOf is { } collection)
            {
                // A batch method's entries: one per element of the write's collection.
                var keys = $"global::System.Linq.Enumerable.Select({CacheRules.Escape(collection)}, {CacheRules.BatchElementName} => ({invalidation.KeyType}){keyExpression})";
                invalidations.Add((invalidation.FieldName + ".InvalidateEachAsync(" + keys + ")", invalidation.FieldName + ".InvalidateEach(" + keys + ");", " // " + Comment(invalidation.KeyTemplate)));
                continue;
            }

            invalidations.Add((invalidation.FieldName + ".InvalidateAsync(" + keyExpression + ")", invalidation.FieldName + ".Invalidate(" + keyExpression + ");", " // " + Comment(invalidation.KeyTemplate)));
        }

        foreach (var tag in method.TagInvalidations)
        {
            invalidations.Add((model.RuntimeFieldName + ".InvalidateTagAsync(" + Interpolated(tag) + ")", model.RuntimeFieldName + ".InvalidateTag(" + Interpolated(tag) + ");", ""));
        }

        if (!isAsync)
        {
            foreach (var invalidation in invalidations)
            {
                w.Line($"{invalidation.Sync}{invalidation.Comment}");
            }
        }
        else if (invalidations.Count == 1)
        {
            w.Line($"await {invalidations[0].Async}.ConfigureAwait(false);{invalidations[0].Comment}");
        }
        else if (invalidations.Count > 1)
        {
            // All at once (each is a Redis round trip): the write returns when the last is done.
            var pending = Unique("pending", names);
            for (var i = 0; i < invalidations.Count; i++)
            {
                w.Line($"var {pending}{i.ToString(CultureInfo.InvariantCulture)} = {invalidations[i].Async};{invalidations[i].Comment}");
            }

            for (var i = 0; i < invalidations.Count; i++)
            {
                w.Line($"await {pending}{i.ToString(CultureInfo.InvariantCulture)}.ConfigureAwait(false);");
            }
        }

        for (var i = 0; i < method.Puts.Count; i++)
        {
            var put = method.Puts[i];
            var target = tickets[i] ?? KeyTuple.New(put.KeyType, put.Arguments.Select(Code).ToList());
            if (isAsync)
            {
                w.Line($"await {put.FieldName}.PutAsync({target}, {result}).ConfigureAwait(false); // {Comment(put.KeyTemplate)} (write-through)");
            }
            else
            {
                w.Line($"{put.FieldName}.Put({target}, {result}); // {Comment(put.KeyTemplate)} (write-through)");
            }
        }

        if (method.Kind is ResultKind.TaskOfT or ResultKind.ValueTaskOfT or ResultKind.Value)
        {
            w.Line($"return {result};");
        }

        if (local)
        {
            w.Close();
        }

        w.Close();
    }

    private static void WriteProperty(SourceWriter w, DecoratorModel model, ForwardedPropertyModel property)
    {
        var isIndexer = property.Name == "this";
        var name = isIndexer ? "this[" + ParameterList(property.IndexerParameters) + "]" : property.Name;
        var target = Receiver(model.InnerFieldName, property.Receiver) + (isIndexer ? "[" + string.Join(", ", property.IndexerParameters.Select(p => p.Name)) + "]" : "." + property.Name);
        WriteAttributes(w, property.Attributes);
        w.Open($"{(property.IsUnsafe ? "unsafe " : "")}{Prefix(property.Returns)}{property.Type} {property.DeclaringInterface}.{name}");
        if (property.HasGetter)
        {
            w.Line(property.IsUnreachable ? $"get => {ThrowUnreachable};" : $"get => {(property.Returns != RefReturn.None ? "ref " : "")}{target};");
        }

        if (property.HasSetter)
        {
            if (property.IsUnreachable)
            {
                w.Line($"{(property.IsInitOnly ? "init" : "set")} => {ThrowUnreachable};");
            }
            else if (property.IsInitOnly && !isIndexer)
            {
                // C# calls an init accessor only from an object initializer: the inner one is reached through the
                // interface's property (a constant name on a typeof, which trimming keeps).
                w.Line($"init => typeof({property.DeclaringInterface}).GetProperty({Literal(property.Name.TrimStart('@'))})!.SetValue({model.InnerFieldName}, value);");
            }
            else if (property.IsInitOnly)
            {
                w.Line("init => throw new global::System.NotSupportedException(\"An init-only indexer cannot be forwarded.\");");
            }
            else
            {
                w.Line($"set => {target} = value;");
            }
        }

        w.Close();
    }
}
