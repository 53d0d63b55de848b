// Batch methods ({ids[]}): the key of one element, the loader that calls the source with the missing elements, and the
// one runtime call, on the twin's cache when the batch shares its entries.
using System;
using System.Collections.Generic;
using System.Linq;
using CachedGen.SourceGenerator.Model;

namespace CachedGen.SourceGenerator.Emitting;

internal static partial class DecoratorEmitter
{
    /// <summary>Whether the method has a descriptor, field and key renderer of its own: every method but a batch method
    /// that shares its twin's.</summary>
    private static bool HasOwnCache(CachedMethodModel method) => method.Batch?.TwinFieldName is null;

    private static void WriteBatchMethod(SourceWriter w, DecoratorModel model, CachedMethodModel method, BatchModel batch)
    {
        var names = new HashSet<string>(method.Parameters.Select(p => p.Name.TrimStart('@')), StringComparer.Ordinal);
        var token = Unique("token", names);
        var missing = Unique("missing", names);
        var element = Unique("element", names);
        var isSync = method.Kind is not (ResultKind.TaskOfT or ResultKind.ValueTaskOfT);

        // The state: the decorator, with the arguments the key or the source call needs besides the collection.
        var carried = method.Parameters.Where(p => p.Name != batch.ParameterName && p.Name != method.CancellationTokenName).ToList();
        string state, self, stateType, stateExpression;
        if (carried.Count == 0)
        {
            state = self = Unique("self", names);
            stateType = model.DecoratorType;
            stateExpression = "this";
        }
        else
        {
            state = Unique("state", names);
            self = state + ".Self";
            stateType = "(" + model.DecoratorType + " Self, " + string.Join(", ", carried.Select(p => p.Type + " " + p.Name)) + ")";
            stateExpression = "(this, " + string.Join(", ", carried.Select(p => p.Name)) + ")";
        }

        var keyValues = method.KeyFields.Select((f, i) => i == batch.KeyElement ? element : state + "." + Code(f.Source)).ToList();
        var keyOf = method.KeyOfName;
        var pairs = $"global::System.Collections.Generic.IEnumerable<global::System.Collections.Generic.KeyValuePair<{batch.ElementType}, {method.ValueType}>>";
        w.Line($"private static readonly global::System.Func<{stateType}, {batch.ElementType}, {method.KeyType}> {keyOf} =");
        w.Line($"    static ({state}, {element}) => {KeyTuple.New(method.KeyType, keyValues)};");
        w.Line();

        var collection = batch.Conversion switch
        {
            "List" => $"new global::System.Collections.Generic.List<{batch.ElementType}>({missing})",
            "HashSet" => $"new global::System.Collections.Generic.HashSet<{batch.ElementType}>({missing})",
            _ => missing,
        };
        var arguments = string.Join(", ", method.Parameters.Select(p =>
            p.Name == batch.ParameterName ? collection
            : p.Name == method.CancellationTokenName ? (isSync ? "default" : token)
            : state + "." + p.Name));
        var call = $"{Receiver(SourceReceiver(self, model), method.Receiver)}.{method.Name}({arguments})";
        if (method.Obsolete is { } obsolete)
        {
            w.Line(Attribute(obsolete));
        }

        w.Line($"private static readonly global::System.Func<{stateType}, {batch.ElementType}[], global::System.Threading.CancellationToken, {ValueTask}<{pairs}?>> {method.LoaderName} =");
        w.Line(isSync
            ? $"    static ({state}, {missing}, {token}) => new {ValueTask}<{pairs}?>({call}!);"
            : $"    static async ({state}, {missing}, {token}) => (await {call}.ConfigureAwait(false))!;");
        w.Line();

        var cache = batch.TwinFieldName ?? method.FieldName;
        var shared = batch.TwinName is { } twin ? $", one entry per element, shared with {twin}" : ", one entry per element";
        w.Line($"/// <summary>Cached for {(Xml(method.TtlText.Length > 0 ? method.TtlText : TimeSpan.FromTicks(method.TtlTicks).ToString("c", System.Globalization.CultureInfo.InvariantCulture)))} under <c>{Xml(method.KeyTemplate)}</c>{shared}.</summary>");
        WriteAttributes(w, method.Attributes);
        w.Line($"{method.ReturnType} {method.DeclaringInterface}.{method.Name}({ParameterList(method.Parameters)})");
        var typeArguments = $"<{batch.ElementType}, {stateType}, {batch.ResultType}>";
        var ct = method.CancellationTokenArgument ?? method.CancellationTokenName ?? "default";
        w.Line(method.Kind switch
        {
            ResultKind.TaskOfT => $"    => {cache}.GetManyTaskAsync{typeArguments}({batch.ParameterName}, {stateExpression}, {keyOf}, {method.LoaderName}, {ct});",
            ResultKind.ValueTaskOfT => $"    => {cache}.GetManyAsync{typeArguments}({batch.ParameterName}, {stateExpression}, {keyOf}, {method.LoaderName}, {ct});",
            _ => $"    => {cache}.GetMany{typeArguments}({batch.ParameterName}, {stateExpression}, {keyOf}, {method.LoaderName});",
        });
    }
}
