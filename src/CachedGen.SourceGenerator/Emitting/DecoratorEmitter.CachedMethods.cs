// Cached methods: their descriptors, their cache-aside bodies and the loaders that rebuild arguments from a key.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CachedGen.SourceGenerator.Model;

namespace CachedGen.SourceGenerator.Emitting;

internal static partial class DecoratorEmitter
{
    private static void WriteDescriptor(SourceWriter w, DecoratorModel model, CachedMethodModel method)
    {
        w.Line($"/// <summary>{(model.IsGeneric ? "Facts" : "Compile-time facts")} about {See(method)}.</summary>");
        // A method a generic decorator inherits takes its base's id and version segment: the base's type arguments
        // (none for a base that is not generic), named at run time, as the base's own decorator names them.
        var inheritedArguments = method.InheritedFrom is null || method.InheritedTypeArguments.Count == 0 ? null
            : $"{Runtime}.CacheTypeNames.Join({string.Join(", ", method.InheritedTypeArguments.Select(t => "typeof(" + t + ")"))})";
        var methodId = method.InheritedFrom is { } inherited
            ? inheritedArguments is null ? $"\"{method.MethodId}\"" : $"\"{inherited}<\" + {inheritedArguments} + \">.{method.Name}\""
            : model.IsGeneric
            ? $"\"{model.GenericContractName}<\" + {GenericTypeArgumentsField} + \">.{method.Name}\""
            : $"\"{method.MethodId}\"";
        w.Open($"public static readonly {Runtime}.CacheMethodDescriptor<{method.KeyType}, {method.ValueType}> {method.DescriptorName} = new({methodId}, {method.RenderKeyName})");
        w.Line($"Ttl = {TimeSpanLiteral(method.TtlTicks, method.TtlText)},");
        if (method.LocalTtlTicks is { } local)
        {
            w.Line($"LocalTtl = {TimeSpanLiteral(local, method.LocalTtlText!)},");
        }

        if (method.KeyPrefix.Length > 0)
        {
            w.Line($"KeyPrefix = {Literal(method.KeyPrefix)},");
        }

        var version = method.Version.ToString(CultureInfo.InvariantCulture);
        // The closed type's argument names that end the version segment: a generic decorator's static field, or a
        // literal for a method of a closed generic interface.
        var typeArguments = method.InheritedFrom is not null ? inheritedArguments
            : model.IsGeneric ? GenericTypeArgumentsField
            : method.ClosedTypeArgumentNames is { } names ? Literal(names)
            : null;
        if (method.RuntimeShapeType is { } shapeType)
        {
            var fingerprint = $"{Runtime}.ShapeFingerprints.Of(typeof({shapeType}))";
            w.Line($"KeySuffix = {Runtime}.ShapeFingerprints.VersionSegment({version}, {fingerprint}, {typeArguments}), // Version {version}, shape of {method.ValueType.Replace("global::", "")}, type arguments");
            w.Line($"ShapeFingerprint = {fingerprint},");
        }
        else
        {
            var segment = $"\"#v{version}.{method.Fingerprint.ToString("x8", CultureInfo.InvariantCulture)}" + (typeArguments is { } arguments ? $"(\" + {arguments} + \")\"" : "\"");
            w.Line($"KeySuffix = {segment}, // Version {version}, shape of {method.ValueType.Replace("global::", "")}{(typeArguments is null ? "" : ", type arguments")}");
            w.Line($"ShapeFingerprint = 0x{method.Fingerprint.ToString("x8", CultureInfo.InvariantCulture)}u,");
        }
        if (method.MaxLocalEntries > 0)
        {
            w.Line($"MaxLocalEntries = {method.MaxLocalEntries.ToString(CultureInfo.InvariantCulture)},");
        }

        if (method.MaxValueBytes > 0)
        {
            w.Line($"MaxValueBytes = {method.MaxValueBytes.ToString(CultureInfo.InvariantCulture)},");
        }

        if (method.Sensitive)
        {
            w.Line("Sensitive = true,");
        }

        if (method.HashesKey)
        {
            w.Line("HashesKey = true,");
        }

        if (!method.CacheNull)
        {
            w.Line("CacheNull = false,");
        }

        if (method.TagTemplates.Count > 0)
        {
            w.Line($"TagTemplates = new string[] {{ {string.Join(", ", method.TagTemplates.Select(Literal))} }},");
            w.Line($"RenderTags = {method.RenderTagsName},");
        }

        w.Close(";");
        w.Line();
    }

    private static void WriteCachedMethod(SourceWriter w, DecoratorModel model, CachedMethodModel method)
    {
        var names = new HashSet<string>(method.Parameters.Select(p => p.Name.TrimStart('@')), StringComparer.Ordinal);
        var token = Unique("token", names);
        var keyParameter = Unique("key", names);
        var key = KeyTuple.New(method.KeyType, method.KeyFields.Select(f => Code(f.Source)).ToList());
        var ct = method.CancellationTokenArgument ?? method.CancellationTokenName ?? "default";
        var isSync = method.Kind is not (ResultKind.TaskOfT or ResultKind.ValueTaskOfT);

        // The loader, a static delegate the runtime calls on a miss with the state and the key. When every argument is
        // in the key as it was passed, the state is the decorator and the arguments come back out of the key: a call
        // passes the key, the decorator and the loader, whatever the method's parameters. Otherwise (a member path, a
        // [NotCacheKey] parameter, a synchronous method's token) the state is a tuple of the decorator and the arguments.
        var fromKey = ArgumentsFromKey(method, isSync, keyParameter);
        string state, self, stateType, stateExpression;
        Func<ParameterModel, string> argument;
        if (fromKey is not null)
        {
            state = self = Unique("self", names);
            stateType = model.DecoratorType;
            stateExpression = "this";
            argument = p => fromKey[p.Name] + (p.DisallowsNull && !fromKey[p.Name].EndsWith("!", StringComparison.Ordinal) ? "!" : "");
        }
        else
        {
            state = Unique("state", names);
            self = state + ".Self";
            var carried = method.Parameters.Where(p => isSync || p.Name != method.CancellationTokenName)
                .Select((p, i) => (Parameter: p, Element: TupleElementName(p.Name, i + 2))).ToList();
            stateType = "(" + model.DecoratorType + " Self, " + string.Join(", ", carried.Select(c => c.Parameter.Type + " " + c.Element)) + ")";
            stateExpression = "(this, " + string.Join(", ", carried.Select(c => c.Parameter.Name)) + ")";
            var elements = carried.ToDictionary(c => c.Parameter.Name, c => c.Element, StringComparer.Ordinal);
            argument = p => state + "." + elements[p.Name] + (p.DisallowsNull ? "!" : "");
        }

        var callArguments = string.Join(", ", method.Parameters.Select(p => Passed(p) + (p.Name == method.CancellationTokenName && !isSync ? token : argument(p))));
        var loaderType = isSync
            ? "global::System.Func<" + stateType + ", " + method.KeyType + ", " + method.ValueType + ">"
            : "global::System.Func<" + stateType + ", " + method.KeyType + ", global::System.Threading.CancellationToken, " + method.ReturnType + ">";
        if (method.Obsolete is { } obsolete)
        {
            w.Line(Attribute(obsolete));
        }

        w.Line($"private static readonly {loaderType} {method.LoaderName} =");
        w.Line($"    static ({state}, {keyParameter}{(isSync ? "" : ", " + token)}) => {Receiver(SourceReceiver(self, model), method.Receiver)}.{method.Name}({callArguments});");
        w.Line();

        // One runtime call: its L1 lookup is inlined here; the loader runs only on a miss.
        w.Line($"/// <summary>Cached for {(Xml(method.TtlText.Length > 0 ? method.TtlText : TimeSpan.FromTicks(method.TtlTicks).ToString("c", CultureInfo.InvariantCulture)))} under <c>{Xml(method.KeyTemplate)}</c>.</summary>");
        WriteAttributes(w, method.Attributes);
        w.Line($"{method.ReturnType} {method.DeclaringInterface}.{method.Name}({ParameterList(method.Parameters)})");
        var (get, tokenArgument) = method.Kind switch
        {
            ResultKind.ValueTaskOfT => ("GetAsync", ", " + ct),
            ResultKind.TaskOfT => ("GetTaskAsync", ", " + ct),
            _ => ("Get", ""),
        };
        var lookup = $"{method.FieldName}.{get}({key}, {stateExpression}, {method.LoaderName}{tokenArgument})";
        if (method.Attributes.Any(a => a.OnReturn && a.Is(AttributeModel.NotNull)))
        {
            // [return: NotNull]: the inner implementation promised it; the cached value is what it returned.
            lookup += "!";
        }

        var checkedParameters = method.Parameters.Where(p => p.NotNullOnExit).ToList();
        if (checkedParameters.Count == 0)
        {
            w.Line($"    => {lookup};");
        }
        else
        {
            // [NotNull] promises the argument is not null when the call returns; a hit returns without the inner call.
            w.Open();
            foreach (var parameter in checkedParameters)
            {
                w.Line($"global::System.ArgumentNullException.ThrowIfNull({parameter.Name});");
            }

            w.Line($"return {lookup};");
            w.Close();
        }
    }

    /// <summary>A state tuple's element name for a parameter: its own, unless C# reserves it for tuples
    /// (<c>Item3</c> elsewhere than third, <c>Rest</c>, <c>ToString</c>...), then its position's <c>ItemN</c>.</summary>
    private static string TupleElementName(string parameter, int position)
    {
        var name = parameter.TrimStart('@');
        var reserved = name is "Rest" or "ToString" or "GetHashCode" or "Equals" or "CompareTo" or "GetType" or "Self"
            || (name.StartsWith("Item", StringComparison.Ordinal) && name.Length > 4 && name.Substring(4).All(char.IsDigit));
        return reserved ? "Item" + position.ToString(CultureInfo.InvariantCulture) : parameter;
    }

    /// <summary>For a method whose every argument (but an asynchronous method's token) is a whole placeholder of its key,
    /// the expression over the loader's key parameter (<paramref name="keyName"/>) that gives each argument back;
    /// <see langword="null"/> otherwise. A reference-type element is nullable in the key; the argument it came from was
    /// not null where the parameter says so, hence the <c>!</c>.</summary>
    private static Dictionary<string, string>? ArgumentsFromKey(CachedMethodModel method, bool isSync, string keyName)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in method.Parameters)
        {
            if (!isSync && parameter.Name == method.CancellationTokenName)
            {
                continue;
            }

            var index = -1;
            for (var i = 0; i < method.KeyFields.Count; i++)
            {
                if (Code(method.KeyFields[i].Source) == parameter.Name)
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                return null;
            }

            var element = KeyTuple.Element(index, keyName);
            var field = method.KeyFields[index];
            if (field.Type == parameter.Type)
            {
                result[parameter.Name] = element;
            }
            else if (field.Type == parameter.Type + "?" && !field.IsNullableValue)
            {
                result[parameter.Name] = element + "!";
            }
            else
            {
                return null;
            }
        }

        return result;
    }
}
