// Cached methods: finding their [Cached], building their model and resolving their key fields.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static CachedGen.SourceGenerator.CacheRules;

namespace CachedGen.SourceGenerator.Parsing;

internal static partial class DecoratorParser
{
    /// <summary>The first method of <paramref name="contract"/> (or its implementation in
    /// <paramref name="implementation"/>) that carries [Cached]: the one whose transform builds the model.</summary>
    private static IMethodSymbol? FirstCachedMember(INamedTypeSymbol contract, INamedTypeSymbol? implementation)
    {
        foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
        {
            if (member.GetAttributes().Any(IsCachedAttribute))
            {
                return implementation is null ? member : ImplementationOf(implementation, member);
            }

            if (implementation is not null && ImplementationOf(implementation, member) is { } implemented && implemented.GetAttributes().Any(IsCachedAttribute))
            {
                return implemented;
            }
        }

        return null;
    }

    /// <summary>The [Cached] of the interface method, or of its implementation in <paramref name="implementation"/>;
    /// <paramref name="attributed"/> is the method carrying it, whose parameter names its key template uses. The
    /// interface's wins; a [Cached] on the class method as well is reported (SkipRules.ShadowedByInterfaceProblem).</summary>
    private static AttributeData? FindCachedAttribute(IMethodSymbol method, INamedTypeSymbol? implementation, out IMethodSymbol attributed)
    {
        attributed = method;
        var own = method.GetAttributes().FirstOrDefault(IsCachedAttribute);
        if (own is not null || implementation is null)
        {
            return own;
        }

        if (ImplementationOf(implementation, method) is not { } implemented)
        {
            return null;
        }

        attributed = implemented;
        return implemented.GetAttributes().FirstOrDefault(IsCachedAttribute);
    }

    /// <summary>A key value resolved against the implementing class's method (whose parameter names the template
    /// uses), read in the decorator through the interface method's parameter at the same position.</summary>
    private static KeyFieldInfo Rebase(KeyFieldInfo field, IMethodSymbol attributed, IMethodSymbol method)
    {
        var parameter = FindParameter(attributed.Parameters, field.Root)!;
        var source = field.Source.WithRoot(method.Parameters[parameter.Ordinal].Name);
        return new KeyFieldInfo(field.PathKey, field.Root, field.Members, field.Type, source, field.EnumAs, field.Nullable) { ByRunTimeType = field.ByRunTimeType };
    }

    private static bool IsCachedAttribute(AttributeData attribute)
        => attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute);

    private static CachedMethodInfo? TryBuildCached(IMethodSymbol method, IMethodSymbol attributed, INamedTypeSymbol contract, string contractName, bool isGeneric, CachedAttributeData data, TypeCache types, CancellationToken cancellationToken)
    {
        if (!TryGetCacheableResult(method, out var kind, out var valueType))
        {
            return null;
        }

        long ttlTicks = 0;
        if (data.Ttl is not null)
        {
            if (SkipRules.TtlProblem(data.Ttl, allowZero: false, out var ttl) is not null)
            {
                return null;
            }

            ttlTicks = ttl.Ticks;
        }

        long? localTtlTicks = null;
        if (data.LocalTtl is not null)
        {
            if (SkipRules.TtlProblem(data.LocalTtl, allowZero: true, out var localTtl) is not null)
            {
                return null;
            }

            localTtlTicks = localTtl.Ticks;
        }

        // The token that stops a caller's wait: a CancellationToken, or a CancellationToken? (its value, none for null).
        // The inner call gets the load's own token in its place, as for a CancellationToken: a caller that gives up does
        // not cancel a load other callers wait for.
        var tokenParameter = method.Parameters.FirstOrDefault(p => IsCancellationToken(p.Type));
        var cancellationTokenName = tokenParameter?.Name;
        var cancellationTokenArgument = tokenParameter is null ? null
            : tokenParameter.Type.HasFullName(KnownNames.CancellationToken) ? Escape(tokenParameter.Name)
            : Escape(tokenParameter.Name) + ".GetValueOrDefault()";
        // The template names the parameters of the method that carries [Cached] (the class's, when it is there), as the
        // analyzers read it.
        var templateText = data.KeyTemplate ?? DefaultTemplate(attributed, DefaultKeyContract(attributed));
        if (templateText is null)
        {
            return null;
        }

        var template = KeyTemplate.Parse(templateText, out _);
        if (template is null)
        {
            return null;
        }

        if (ResolveKeyFields(attributed, template) is not { } fields)
        {
            return null;
        }

        if (!SymbolEqualityComparer.Default.Equals(attributed, method))
        {
            fields = fields.Select(f => Rebase(f, attributed, method)).ToList();
        }

        var segments = template.Parts
            .Select(part => !part.IsPlaceholder ? new KeySegmentModel(part.Literal, null, false)
                : IsTypeArgumentPlaceholder(method, part) ? new KeySegmentModel(null, null, false, TypeArgument(method.ContainingType.TypeArguments[TypeParameterIndex(method.ContainingType, part.Path![0])]))
                : new KeySegmentModel(null, string.Join(".", part.Path!) + (part.IsBatch ? "[]" : ""), part.Hash))
            .ToList();

        NameFields(fields);
        foreach (var field in fields)
        {
            for (var s = 0; s < segments.Count; s++)
            {
                if (segments[s].FieldName == field.PathKey)
                {
                    segments[s] = segments[s] with { FieldName = field.Name };
                }
            }
        }

        if (CachedTags(attributed, data.Tags, fields) is not { } tags)
        {
            return null;
        }

        // A batch method ({ids[]}): its entries are per element, keyed and typed as its single-item twin's.
        BatchInfo? batch = null;
        if (BatchParts(template).Count > 0)
        {
            if (TryBuildBatch(method, template, fields, valueType, data, types) is not { } built)
            {
                return null;
            }

            batch = built;
            valueType = built.EntryType;
        }

        // Entries of different type arguments never share a key: a generic interface's methods carry the closed type's
        // arguments in their version segment, and a value type that mentions a type parameter is fingerprinted at run
        // time, once per closed type (docs/keys.md).
        var closedTypeArguments = isGeneric ? null
            : contract.IsGenericType ? string.Join(",", contract.TypeArguments.Select(TypeKeyName.Of))
            : method.ContainingType.IsGenericType ? string.Join(",", method.ContainingType.TypeArguments.Select(TypeKeyName.Of))
            : null;
        var runtimeShape = isGeneric && valueType.ContainsTypeParameter() ? valueType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
        // A method inherited from a base interface (IOrderRepository : IRepository<Order>, or a non-generic base) shares
        // its entries with that base's decorators (CachedRepository<Order>, CachedRepositoryOfOrder): it has their
        // default key (DefaultKeyContract) and their method id, so a remote L1 eviction by one reaches the others.
        // Overloads are told apart by their parameter types (Shop.IOrders.FindAsync(System.Int64)): one id is one
        // CachedMethod in the runtime, with one L1, and their keys differ.
        var overloadSignature = method.ContainingType.GetMembers(method.Name).Length > 1
            ? "(" + string.Join(",", method.Parameters.Select(p => TypeKeyName.Of(p.Type))) + ")"
            : "";
        var inheritedByGeneric = isGeneric && !SymbolEqualityComparer.Default.Equals(method.ContainingType, contract);
        var methodId = ((!isGeneric || !method.ContainingType.IsGenericType) && !SymbolEqualityComparer.Default.Equals(method.ContainingType, contract)
            && !method.ContainingType.TypeArguments.Any(SymbolExtensions.ContainsTypeParameter)
            ? TypeKeyName.Of(method.ContainingType) + "." + method.Name
            : contractName + "." + method.Name) + overloadSignature;
        var model = new CachedMethodModel
        {
            DeclaringInterface = types.Name(method.ContainingType),
            Name = Escape(method.Name),
            MethodId = methodId,
            Kind = kind,
            ReturnType = types.Name(method.ReturnType),
            ValueType = batch?.EntryTypeName ?? ValueTypeName(method, kind, valueType, types),
            Parameters = method.Parameters.Select(p => ToParameter(p, types)).ToEquatableArray(),
            CancellationTokenName = cancellationTokenName is null ? null : Escape(cancellationTokenName),
            CancellationTokenArgument = cancellationTokenArgument,
            MemberName = method.Name,
            Overloaded = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Skip(1).Any(),
            KeyTemplate = templateText,
            KeyFields = fields.Select(f => ToModel(f, types)).ToEquatableArray(),
            KeySegments = segments.ToEquatableArray(),
            TtlTicks = ttlTicks,
            TtlText = data.Ttl ?? "",
            LocalTtlTicks = localTtlTicks,
            LocalTtlText = data.LocalTtl,
            KeyPrefix = "",
            Version = data.Version,
            Fingerprint = types.Fingerprint(valueType, cancellationToken),
            MaxLocalEntries = data.MaxLocalEntries,
            MaxValueBytes = data.MaxValueBytes,
            Sensitive = data.Sensitive,
            TagTemplates = data.Tags.ToEquatableArray(),
            Tags = tags.ToEquatableArray(),
            ClosedTypeArgumentNames = closedTypeArguments,
            // A generic decorator's inherited method takes the base's method id and version segment (written with the
            // base's type arguments at run time), as a closed decorator's does (above).
            InheritedFrom = inheritedByGeneric ? method.ContainingType.OriginalDefinition.ToDisplayString(OpenNameFormat) : null,
            InheritedTypeArguments = inheritedByGeneric ? method.ContainingType.TypeArguments.Select(types.Name).ToEquatableArray() : EquatableArray<string>.Empty,
            RuntimeShapeType = runtimeShape,
            Batch = batch?.Model,
            CacheNull = data.CacheNull,
        };
        return new CachedMethodInfo(model, method, data, fields) { BatchTwin = batch?.Twin };
    }

    /// <summary>The cached value's type; nullable when a synchronous result is <c>[return: MaybeNull]</c> (the
    /// inner implementation may return null, which is cached like any value).</summary>
    private static string ValueTypeName(IMethodSymbol method, ResultKind kind, ITypeSymbol valueType, TypeCache types)
    {
        var name = types.Name(valueType);
        return kind == ResultKind.Value && !valueType.IsValueType && !name.EndsWith("?", StringComparison.Ordinal) && MemberShape.ReturnsMaybeNull(method)
            ? name + "?"
            : name;
    }

    private static KeyFieldModel ToModel(KeyFieldInfo field, TypeCache types)
    {
        var isNullableValue = CacheRules.IsNullableValue(field.Type) || (field.Nullable && field.Type.IsValueType);
        var display = types.Name(field.Type);
        if (field.Type.IsValueType && !CacheRules.IsNullableValue(field.Type) && field.Nullable)
        {
            display += "?";
        }
        else if (field.Type.IsReferenceType && !display.EndsWith("?", StringComparison.Ordinal))
        {
            display += "?";
        }

        return new KeyFieldModel
        {
            Name = field.Name,
            Type = display,
            Source = field.Source,
            EnumAs = field.EnumAs,
            IsNullableValue = isNullableValue,
            IsTypeParameter = field.ByRunTimeType,
        };
    }

    private sealed class CachedMethodInfo(CachedMethodModel model, IMethodSymbol method, CachedAttributeData data, List<KeyFieldInfo> fields)
    {
        public SyntaxNode? Syntax { get; set; }

        public HashSet<IMethodSymbol> QualifiedSelfWrites { get; } = new(SymbolEqualityComparer.Default);

        public CachedMethodModel Model { get; set; } = model;

        public IMethodSymbol Method { get; } = method;

        public CachedAttributeData Data { get; } = data;

        public List<KeyFieldInfo> Fields { get; } = fields;

        /// <summary>A batch method's single-item twin, whose runtime cache it shares once the twin is cached too.</summary>
        public IMethodSymbol? BatchTwin { get; set; }
    }
}
