using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>
/// Turns the interface behind a <c>[Cached]</c> method into a <see cref="DecoratorModel"/>. Anything the generator
/// cannot cache correctly (bad TTL or template, unsupported key type, uncacheable shape) is forwarded uncached;
/// the analyzers report why.
/// </summary>
internal static class DecoratorParser
{
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly HashSet<string> ReservedKeyMemberNames = new(StringComparer.Ordinal)
    {
        "Render", "Equals", "GetHashCode", "ToString", "EqualityContract", "Deconstruct", "PrintMembers", "GetType", "MemberwiseClone",
    };

    /// <summary>The decorators the attributed method takes part in: its interface, or each interface its class
    /// implements with it.</summary>
    public static EquatableArray<DecoratorModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        var results = new List<DecoratorModel>();
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            AddIfBuilt(results, type, null, cancellationToken);
        }
        else if (type.TypeKind is TypeKind.Class or TypeKind.Struct)
        {
            foreach (var candidate in type.AllInterfaces)
            {
                foreach (var member in candidate.GetMembers().OfType<IMethodSymbol>())
                {
                    if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                    {
                        AddIfBuilt(results, candidate, type, cancellationToken);
                        break;
                    }
                }
            }
        }

        return results.ToEquatableArray();
    }

    /// <summary>The assembly's <c>[assembly: CachedDefaults]</c>, if any.</summary>
    public static DefaultsModel ParseDefaults(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        foreach (var attribute in context.Attributes)
        {
            string? ttl = null;
            string? prefix = null;
            foreach (var named in attribute.NamedArguments)
            {
                if (named.Key == "Ttl")
                {
                    ttl = named.Value.Value as string;
                }
                else if (named.Key == "KeyPrefix")
                {
                    prefix = named.Value.Value as string;
                }
            }

            return new DefaultsModel(ttl, prefix ?? "");
        }

        return DefaultsModel.None;
    }

    private static void AddIfBuilt(List<DecoratorModel> results, INamedTypeSymbol contract, INamedTypeSymbol? implementation, CancellationToken cancellationToken)
    {
        if (Build(contract, implementation, cancellationToken) is { } model)
        {
            results.Add(model);
        }
    }

    private static DecoratorModel? Build(INamedTypeSymbol contract, INamedTypeSymbol? implementation, CancellationToken cancellationToken)
    {
        if (contract.IsGenericType || !IsReachable(contract))
        {
            return null;
        }

        var members = contract.GetMembers().Concat(contract.AllInterfaces.SelectMany(i => i.GetMembers())).ToList();
        if (members.Any(m => m.IsStatic && (m.IsAbstract || m.IsVirtual)))
        {
            return null;
        }

        var interfaceType = contract.ToDisplayString(TypeFormat);
        var contractName = contract.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Substring("global::".Length);
        var cached = new List<CachedMethodInfo>();
        var writers = new List<IMethodSymbol>();
        var properties = new List<ForwardedPropertyModel>();
        var events = new List<ForwardedEventModel>();

        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.IsStatic || !(member.IsAbstract || member.IsVirtual))
            {
                continue;
            }

            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                    var attribute = FindCachedAttribute(method, implementation);
                    if (attribute is not null && TryBuildCached(method, contract, contractName, CachedAttributeData.Read(attribute), cancellationToken) is { } info)
                    {
                        cached.Add(info);
                    }
                    else
                    {
                        writers.Add(method);
                    }

                    break;
                case IPropertySymbol property:
                    properties.Add(new ForwardedPropertyModel(
                        property.ContainingType.ToDisplayString(TypeFormat),
                        property.IsIndexer ? "this" : Escape(property.Name),
                        property.Type.ToDisplayString(TypeFormat),
                        property.ReturnsByRefReadonly ? "ref readonly " : property.ReturnsByRef ? "ref " : "",
                        property.Parameters.Select(ToParameter).ToEquatableArray(),
                        property.GetMethod is not null,
                        property.SetMethod is not null,
                        property.SetMethod?.IsInitOnly == true));
                    break;
                case IEventSymbol @event:
                    events.Add(new ForwardedEventModel(
                        @event.ContainingType.ToDisplayString(TypeFormat),
                        Escape(@event.Name),
                        @event.Type.ToDisplayString(TypeFormat)));
                    break;
            }
        }

        AssignMemberNames(cached);
        var forwarded = writers.Select(w => ToForwarded(w, cached)).ToEquatableArray();
        var decoratorName = "Cached" + (contract.Name.Length > 1 && contract.Name[0] == 'I' && char.IsUpper(contract.Name[1]) ? contract.Name.Substring(1) : contract.Name);
        var parameterNames = new HashSet<string>(members.OfType<IMethodSymbol>().SelectMany(m => m.Parameters).Select(p => p.Name), StringComparer.Ordinal);
        var innerField = "_inner";
        while (parameterNames.Contains(innerField))
        {
            innerField = "_" + innerField;
        }

        return new DecoratorModel(
            contract.ContainingNamespace.IsGlobalNamespace ? "" : contract.ContainingNamespace.ToDisplayString(),
            contract.Name,
            interfaceType,
            decoratorName,
            IsPublic(contract),
            contractName + ".g.cs",
            innerField,
            cached.Select(c => c.Model).ToEquatableArray(),
            forwarded,
            properties.ToEquatableArray(),
            events.ToEquatableArray());
    }

    private static AttributeData? FindCachedAttribute(IMethodSymbol method, INamedTypeSymbol? implementation)
    {
        var own = method.GetAttributes().FirstOrDefault(IsCachedAttribute);
        if (own is not null || implementation is null)
        {
            return own;
        }

        return (implementation.FindImplementationForInterfaceMember(method) as IMethodSymbol)?.GetAttributes().FirstOrDefault(IsCachedAttribute);
    }

    private static bool IsCachedAttribute(AttributeData attribute)
        => attribute.AttributeClass?.ToDisplayString() == KnownNames.CachedAttribute;

    private static CachedMethodInfo? TryBuildCached(IMethodSymbol method, INamedTypeSymbol contract, string contractName, CachedAttributeData data, CancellationToken cancellationToken)
    {
        if (!TryGetCacheableResult(method, out var kind, out var valueType))
        {
            return null;
        }

        long ttlTicks = 0;
        if (data.Ttl is not null)
        {
            if (!TtlParser.TryParse(data.Ttl, out var ttl) || ttl <= TimeSpan.Zero)
            {
                return null;
            }

            ttlTicks = ttl.Ticks;
        }

        long? localTtlTicks = null;
        if (data.LocalTtl is not null)
        {
            if (!TtlParser.TryParse(data.LocalTtl, out var localTtl) || localTtl < TimeSpan.Zero)
            {
                return null;
            }

            localTtlTicks = localTtl.Ticks;
        }

        var cancellationTokenName = method.Parameters.FirstOrDefault(p => IsCancellationToken(p.Type))?.Name;
        var templateText = data.KeyTemplate ?? DefaultTemplate(method, contract);
        if (templateText is null)
        {
            return null;
        }

        var template = KeyTemplate.Parse(templateText, out _);
        if (template is null)
        {
            return null;
        }

        var fields = new List<KeyFieldInfo>();
        var segments = new List<KeySegmentModel>();
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder)
            {
                segments.Add(new KeySegmentModel(part.Literal, null, false));
                continue;
            }

            var path = part.Path!;
            var parameter = FindByName(method.Parameters, path[0], p => p.Name);
            if (parameter is null || IsCancellationToken(parameter.Type))
            {
                return null;
            }

            var pathKey = string.Join(".", path);
            var field = fields.FirstOrDefault(f => f.PathKey == pathKey);
            if (field is null)
            {
                if (ResolvePath(parameter, path.Skip(1).ToList()) is not { } resolved || ClassifyKeyType(resolved.Type) is not { } cast)
                {
                    return null;
                }

                field = new KeyFieldInfo(pathKey, path[0], path.Skip(1).ToList(), resolved.Type, resolved.Expression, cast, resolved.Nullable);
                fields.Add(field);
            }

            if (part.Hash && !CanHash(field.Type))
            {
                return null;
            }

            segments.Add(new KeySegmentModel(null, pathKey, part.Hash));
        }

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

        var model = new CachedMethodModel(
            method.ContainingType.ToDisplayString(TypeFormat),
            Escape(method.Name),
            contractName + "." + method.Name,
            kind,
            method.ReturnType.ToDisplayString(TypeFormat),
            valueType.ToDisplayString(TypeFormat),
            method.Parameters.Select(ToParameter).ToEquatableArray(),
            cancellationTokenName is null ? null : Escape(cancellationTokenName),
            method.Name,
            templateText,
            fields.Select(f => f.ToModel()).ToEquatableArray(),
            segments.ToEquatableArray(),
            ttlTicks,
            data.Ttl ?? "",
            localTtlTicks,
            data.LocalTtl,
            "",
            data.Version,
            ShapeFingerprint.Compute(valueType, cancellationToken),
            data.MaxLocalEntries,
            data.MaxValueBytes,
            data.Sensitive);
        return new CachedMethodInfo(model, method, data, fields);
    }

    private static bool TryGetCacheableResult(IMethodSymbol method, out ResultKind kind, out ITypeSymbol valueType)
    {
        kind = ResultKind.Value;
        valueType = method.ReturnType;
        if (method.ReturnsVoid || method.IsGenericMethod || method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return false;
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind is RefKind.Ref or RefKind.Out || parameter.Type.IsRefLikeType || parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
            {
                return false;
            }
        }

        var definition = method.ReturnType.OriginalDefinition.MetadataFullName();
        switch (definition)
        {
            case KnownNames.Task:
            case KnownNames.ValueTask:
                return false;
            case KnownNames.TaskOfT:
                kind = ResultKind.TaskOfT;
                valueType = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
                break;
            case KnownNames.ValueTaskOfT:
                kind = ResultKind.ValueTaskOfT;
                valueType = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
                break;
        }

        return IsSerializableResult(valueType);
    }

    /// <summary>Results that cannot be shared between callers or stored: streams, lazy queries, disposables, delegates.</summary>
    private static bool IsSerializableResult(ITypeSymbol type)
    {
        if (type.IsRefLikeType || type.TypeKind is TypeKind.Delegate or TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.TypeParameter or TypeKind.Dynamic)
        {
            return false;
        }

        var name = type.OriginalDefinition.MetadataFullName();
        if (name is "System.Collections.Generic.IAsyncEnumerable`1" or "System.Linq.IQueryable`1" or "System.Linq.IQueryable" or "System.IO.Stream" or "System.Threading.Tasks.Task" or "System.Threading.Tasks.ValueTask" or "System.Object")
        {
            return false;
        }

        foreach (var implemented in type.AllInterfaces.Concat(type is INamedTypeSymbol { TypeKind: TypeKind.Interface } self ? [self] : []))
        {
            var interfaceName = implemented.OriginalDefinition.MetadataFullName();
            if (interfaceName is "System.IDisposable" or "System.IAsyncDisposable" or "System.Linq.IQueryable")
            {
                return false;
            }
        }

        for (var baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (baseType.MetadataFullName() == "System.IO.Stream")
            {
                return false;
            }
        }

        return true;
    }

    private static string? DefaultTemplate(IMethodSymbol method, INamedTypeSymbol contract)
    {
        var text = new System.Text.StringBuilder();
        text.Append(contract.Name).Append('.').Append(method.Name);
        var overloaded = contract.GetMembers(method.Name).Length > 1;
        if (overloaded)
        {
            text.Append('(').Append(string.Join(",", method.Parameters.Select(p => p.Type.Name))).Append(')');
        }

        foreach (var parameter in method.Parameters)
        {
            if (IsCancellationToken(parameter.Type) || parameter.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.NotCacheKeyAttribute))
            {
                continue;
            }

            text.Append(":{").Append(parameter.Name).Append('}');
        }

        return text.ToString();
    }

    private static ResolvedPath? ResolvePath(IParameterSymbol parameter, IReadOnlyList<string> members)
    {
        var expression = Escape(parameter.Name);
        ITypeSymbol type = parameter.Type;
        var nullable = false;
        foreach (var memberName in members)
        {
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T })
            {
                return null;
            }

            var member = FindByName(
                AllMembers(type).Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m is IPropertySymbol { IsIndexer: false, GetMethod: not null } or IFieldSymbol).ToList(),
                memberName,
                m => m.Name);
            if (member is null)
            {
                return null;
            }

            // Trust the annotation: a non-nullable parameter is dereferenced directly, a nullable one conditionally
            // (and the key value is then nullable too).
            var conditional = type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated;
            nullable |= conditional;
            expression += (conditional ? "?." : ".") + Escape(member.Name);
            type = member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;
        }

        return new ResolvedPath(type, expression, nullable);
    }

    private static IEnumerable<ISymbol> AllMembers(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                yield return member;
            }
        }

        foreach (var implemented in type.AllInterfaces)
        {
            foreach (var member in implemented.GetMembers())
            {
                yield return member;
            }
        }
    }

    /// <summary>Returns the cast to apply before rendering (empty when none), or <see langword="null"/> for types that
    /// have no stable key encoding.</summary>
    private static string? ClassifyKeyType(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
            case SpecialType.System_DateTime:
                return "";
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            return underlying.SpecialType is SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64
                ? "(ulong)"
                : "(long)";
        }

        return type.MetadataFullName() is "System.Guid" or "System.DateTimeOffset" or "System.DateOnly" or "System.TimeOnly" or "System.TimeSpan"
            ? ""
            : null;
    }

    private static bool CanHash(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.SpecialType == SpecialType.System_String
            || (type.SpecialType != SpecialType.System_Boolean && type.AllInterfaces.Any(i => i.MetadataFullName() == "System.ISpanFormattable"));
    }

    private static bool IsCancellationToken(ITypeSymbol type) => type.MetadataFullName() == KnownNames.CancellationToken;

    private static T? FindByName<T>(IEnumerable<T> candidates, string name, Func<T, string> nameOf)
        where T : class
    {
        var list = candidates.ToList();
        var exact = list.FirstOrDefault(c => string.Equals(nameOf(c), name, StringComparison.Ordinal));
        if (exact is not null)
        {
            return exact;
        }

        var loose = list.Where(c => string.Equals(nameOf(c), name, StringComparison.OrdinalIgnoreCase)).ToList();
        return loose.Count == 1 ? loose[0] : null;
    }

    private static void NameFields(List<KeyFieldInfo> fields)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = string.Concat(new[] { field.Root }.Concat(field.Members).Select(Pascal));
            if (ReservedKeyMemberNames.Contains(name))
            {
                name += "Value";
            }

            var unique = name;
            for (var i = 2; !used.Add(unique); i++)
            {
                unique = name + i.ToString(CultureInfo.InvariantCulture);
            }

            field.Name = unique;
        }
    }

    private static void AssignMemberNames(List<CachedMethodInfo> cached)
    {
        foreach (var group in cached.GroupBy(c => c.Model.Name))
        {
            var index = 1;
            foreach (var info in group)
            {
                if (index > 1)
                {
                    info.Model = info.Model with { MemberName = info.Method.Name + index.ToString(CultureInfo.InvariantCulture) };
                }

                index++;
            }
        }
    }

    private static ForwardedMethodModel ToForwarded(IMethodSymbol method, List<CachedMethodInfo> cached)
    {
        var kind = KindOf(method);
        var invalidations = new List<InvalidationModel>();
        var canAwait = kind is not (ResultKind.Task or ResultKind.ValueTask or ResultKind.TaskOfT or ResultKind.ValueTaskOfT)
            || method.Parameters.All(p => p.RefKind is RefKind.None or RefKind.In);
        if (canAwait && !method.ReturnsByRef && !method.ReturnsByRefReadonly)
        {
            foreach (var target in cached)
            {
                if (!target.Data.InvalidatedBy.Contains(method.Name, StringComparer.Ordinal))
                {
                    continue;
                }

                if (MatchArguments(method, target.Fields) is { } arguments)
                {
                    invalidations.Add(new InvalidationModel(target.Model.MemberName, target.Model.KeyTemplate, arguments.ToEquatableArray()));
                }
            }
        }

        return new ForwardedMethodModel(
            method.ContainingType.ToDisplayString(TypeFormat),
            Escape(method.Name),
            method.ReturnType.ToDisplayString(TypeFormat),
            method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : "",
            kind,
            method.IsGenericMethod ? "<" + string.Join(", ", method.TypeParameters.Select(t => Escape(t.Name))) + ">" : "",
            method.Parameters.Select(ToParameter).ToEquatableArray(),
            invalidations.ToEquatableArray());
    }

    /// <summary>Fills each key field of a cached method from a write method's parameters: the parameter of the same name
    /// (and the same member path), a parameter named after the path's last member, or the one parameter that has a
    /// member of that name. Types must match exactly; otherwise the write cannot invalidate the entry.</summary>
    private static List<string>? MatchArguments(IMethodSymbol writer, IReadOnlyList<KeyFieldInfo> fields)
    {
        var arguments = new List<string>();
        foreach (var field in fields)
        {
            var expression = MatchOne(writer, field);
            if (expression is null)
            {
                return null;
            }

            arguments.Add(expression);
        }

        return arguments;
    }

    private static string? MatchOne(IMethodSymbol writer, KeyFieldInfo field)
    {
        var byRoot = FindByName(writer.Parameters, field.Root, p => p.Name);
        if (byRoot is not null && ResolvePath(byRoot, field.Members) is { } samePath && Fits(samePath, field))
        {
            return samePath.Expression;
        }

        var leafName = field.Members.Count > 0 ? field.Members[field.Members.Count - 1] : field.Root;
        if (field.Members.Count > 0 && FindByName(writer.Parameters, leafName, p => p.Name) is { } byLeaf
            && ResolvePath(byLeaf, []) is { } leaf && Fits(leaf, field))
        {
            return leaf.Expression;
        }

        var viaMember = writer.Parameters
            .Where(p => !IsCancellationToken(p.Type))
            .Select(p => ResolvePath(p, [leafName]))
            .Where(r => r is not null && Fits(r, field))
            .ToList();
        return viaMember.Count == 1 ? viaMember[0]!.Expression : null;
    }

    private static bool Fits(ResolvedPath candidate, KeyFieldInfo field)
    {
        if (!SymbolEqualityComparer.Default.Equals(Underlying(candidate.Type), Underlying(field.Type)))
        {
            return false;
        }

        var fieldAcceptsNull = field.Type.IsReferenceType || field.Nullable || IsNullableValue(field.Type);
        var candidateMayBeNull = candidate.Type.IsValueType && (candidate.Nullable || IsNullableValue(candidate.Type));
        return fieldAcceptsNull || !candidateMayBeNull;
    }

    private static ITypeSymbol Underlying(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);

    private static bool IsNullableValue(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };

    private static ResultKind KindOf(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return ResultKind.Void;
        }

        return method.ReturnType.OriginalDefinition.MetadataFullName() switch
        {
            KnownNames.Task => ResultKind.Task,
            KnownNames.ValueTask => ResultKind.ValueTask,
            KnownNames.TaskOfT => ResultKind.TaskOfT,
            KnownNames.ValueTaskOfT => ResultKind.ValueTaskOfT,
            _ => ResultKind.Value,
        };
    }

    private static ParameterModel ToParameter(IParameterSymbol parameter)
    {
        var modifier = parameter.RefKind switch
        {
            RefKind.Ref => "ref ",
            RefKind.Out => "out ",
            RefKind.In => "in ",
            _ => parameter.RefKind.ToString() == "RefReadOnlyParameter" ? "ref readonly " : "",
        };
        if (parameter.ScopedKind != ScopedKind.None && parameter.RefKind != RefKind.Out)
        {
            modifier = "scoped " + modifier;
        }

        return new ParameterModel(Escape(parameter.Name), parameter.Type.ToDisplayString(TypeFormat), modifier);
    }

    private static bool IsReachable(INamedTypeSymbol type)
    {
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = named.ContainingType)
        {
            if (named.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPublic(INamedTypeSymbol type)
    {
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = named.ContainingType)
        {
            if (named.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    internal static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    private sealed class CachedMethodInfo(CachedMethodModel model, IMethodSymbol method, CachedAttributeData data, List<KeyFieldInfo> fields)
    {
        public CachedMethodModel Model { get; set; } = model;

        public IMethodSymbol Method { get; } = method;

        public CachedAttributeData Data { get; } = data;

        public List<KeyFieldInfo> Fields { get; } = fields;
    }

    private sealed class KeyFieldInfo(string pathKey, string root, List<string> members, ITypeSymbol type, string source, string cast, bool nullable)
    {
        public string PathKey { get; } = pathKey;

        public string Root { get; } = root;

        public List<string> Members { get; } = members;

        public ITypeSymbol Type { get; } = type;

        public string Source { get; } = source;

        public string Cast { get; } = cast;

        /// <summary>Whether a null-conditional access can make the value null.</summary>
        public bool Nullable { get; } = nullable;

        public string Name { get; set; } = "";

        public KeyFieldModel ToModel()
        {
            var isNullableValue = IsNullableValue(Type) || (Nullable && Type.IsValueType);
            var display = Type.ToDisplayString(TypeFormat);
            if (Type.IsValueType && !IsNullableValue(Type) && Nullable)
            {
                display += "?";
            }
            else if (Type.IsReferenceType && !display.EndsWith("?", StringComparison.Ordinal))
            {
                display += "?";
            }

            return new KeyFieldModel(Name, display, Source, Cast, isNullableValue);
        }
    }

    private sealed record ResolvedPath(ITypeSymbol Type, string Expression, bool Nullable);
}

/// <summary>The assembly's <c>[assembly: CachedDefaults]</c>.</summary>
internal sealed record DefaultsModel(string? Ttl, string KeyPrefix)
{
    public static readonly DefaultsModel None = new(null, "");
}
