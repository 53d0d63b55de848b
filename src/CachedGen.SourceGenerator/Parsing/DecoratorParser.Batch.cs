// Batch methods ({ids[]}): the collection parameter, the dictionary result, and the twin whose entries they share.
using System.Collections.Generic;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using static CachedGen.SourceGenerator.CacheRules;

namespace CachedGen.SourceGenerator.Parsing;

internal static partial class DecoratorParser
{
    /// <summary>The batch model of a method whose template has a batch placeholder, or <see langword="null"/> when the
    /// shared rules reject it (the analyzers report why: CG0016 to CG0018).</summary>
    private static BatchInfo? TryBuildBatch(IMethodSymbol method, KeyTemplate template, List<KeyFieldInfo> fields, ITypeSymbol result, CachedAttributeData data, TypeCache types)
    {
        var parts = BatchParts(template);
        if (parts.Count != 1 || FindParameter(method.Parameters, parts[0].Path![0]) is not { } parameter
            || BatchElementType(parameter.Type, out var conversion) is not { } element
            || BatchItemType(result, element) is not { } item)
        {
            return null;
        }

        var keyElement = fields.FindIndex(f => f.PathKey == parameter.Name + "[]");
        if (keyElement < 0)
        {
            return null;
        }

        // The twin's entries are shared only when they agree (CG0019 reports a twin that does not): then the batch
        // calls the twin's runtime cache, and its own value type and fingerprint are the twin's.
        var twin = FindBatchTwin(method, template, element, TemplateOf);
        if (twin is not null && (twin.GetAttributes().FirstOrDefault(IsCachedAttribute) is not { } twinAttribute
            || BatchTwinProblem(twin, data, CachedAttributeData.Read(twinAttribute), item) is not null))
        {
            twin = null;
        }

        var itemName = types.Name(item);
        return new BatchInfo(
            new BatchModel
            {
                ParameterName = Escape(parameter.Name),
                ElementType = types.Name(element),
                ResultType = types.Name(result),
                Conversion = conversion,
                KeyElement = keyElement,
            },
            twin,
            item,
            item.IsReferenceType && !itemName.EndsWith("?", System.StringComparison.Ordinal) ? itemName + "?" : itemName);
    }

    private static string? TemplateOf(IMethodSymbol method)
        => method.GetAttributes().FirstOrDefault(IsCachedAttribute) is { } attribute ? CachedAttributeData.Read(attribute).KeyTemplate : null;

    /// <summary>Points each batch method whose twin the decorator caches at the twin's field: both then use one runtime
    /// cache (L1, single flight, leases) over the same entries.</summary>
    private static void ShareBatchTwins(List<CachedMethodInfo> cached)
    {
        foreach (var info in cached)
        {
            if (info.Model.Batch is not { } batch || info.BatchTwin is not { } twin)
            {
                continue;
            }

            var shared = cached.FirstOrDefault(c => c.Model.Batch is null && SymbolEqualityComparer.Default.Equals(c.Method, twin));
            if (shared is not null && shared.Model.KeyType == info.Model.KeyType)
            {
                info.Model = info.Model with
                {
                    Batch = batch with { TwinFieldName = shared.Model.FieldName, TwinName = shared.Model.MemberName },
                    ValueType = shared.Model.ValueType,
                    Fingerprint = shared.Model.Fingerprint,
                };
            }
        }
    }

    /// <summary>A batch method's model, its twin (if any), and its entries' value type.</summary>
    private sealed record BatchInfo(BatchModel Model, IMethodSymbol? Twin, ITypeSymbol EntryType, string EntryTypeName);
}
