using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator;

/// <summary>
/// What can be cached and how keys are resolved: shared by the generator (which leaves anything that fails these
/// rules uncached) and the analyzers (which report why), so both always agree.
/// </summary>
internal static class CacheRules
{
    public static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    internal static bool TryGetCacheableResult(IMethodSymbol method, out ResultKind kind, out ITypeSymbol valueType)
        => UncacheableReason(method, out kind, out valueType) is null;

    /// <summary>Why <paramref name="method"/> cannot be cached, or <see langword="null"/> when it can.</summary>
    internal static string? UncacheableReason(IMethodSymbol method, out ResultKind kind, out ITypeSymbol valueType)
    {
        kind = ResultKind.Value;
        valueType = method.ReturnType;
        if (method.ReturnsVoid)
        {
            return "it returns no value";
        }

        if (method.IsGenericMethod)
        {
            return "generic methods are not cached (the key could not name the type argument)";
        }

        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            return "it returns by reference";
        }

        foreach (var parameter in method.Parameters)
        {
            if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            {
                return $"parameter '{parameter.Name}' is passed by 'ref' or 'out'";
            }

            if (parameter.Type.IsRefLikeType || parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
            {
                return $"parameter '{parameter.Name}' is a ref struct or pointer";
            }
        }

        var resultKind = KindOf(method);
        switch (resultKind)
        {
            case ResultKind.Task:
            case ResultKind.ValueTask:
                return $"'{method.ReturnType.Name}' without a result has nothing to cache";
            case ResultKind.TaskOfT:
            case ResultKind.ValueTaskOfT:
                kind = resultKind;
                valueType = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
                break;
        }

        return UnstorableResultReason(valueType);
    }

    /// <summary>Results that cannot be shared between callers or stored: streams, lazy queries, disposables, delegates.</summary>
    internal static string? UnstorableResultReason(ITypeSymbol type)
    {
        if (type.IsRefLikeType || type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
        {
            return $"'{type.ToDisplayString()}' cannot be stored";
        }

        if (type.TypeKind is TypeKind.Delegate)
        {
            return $"'{type.ToDisplayString()}' is a delegate";
        }

        // A generic interface's type parameter (IRepository<TEntity>) is closed when the decorator is, so its values can
        // be serialized; a generic method's cannot (CG0007 reports generic methods).
        if (type is ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Type })
        {
            return null;
        }

        if (type.TypeKind is TypeKind.TypeParameter or TypeKind.Dynamic || type.SpecialType == SpecialType.System_Object)
        {
            return $"'{type.ToDisplayString()}' does not say what to serialize";
        }

        var definition = type.OriginalDefinition;
        if (definition.HasFullName("System.Collections.Generic.IAsyncEnumerable`1"))
        {
            return "an 'IAsyncEnumerable<T>' is a stream of results read once";
        }

        if (definition.HasFullName("System.Linq.IQueryable`1") || definition.HasFullName("System.Linq.IQueryable"))
        {
            return "an 'IQueryable' is a query, not its results";
        }

        // Names compared without being built: this runs for every cached method, over all of its result's interfaces.
        foreach (var implemented in type.AllInterfaces)
        {
            if (UnstorableInterfaceReason(type, implemented.OriginalDefinition) is { } reason)
            {
                return reason;
            }
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Interface } && UnstorableInterfaceReason(type, definition) is { } own)
        {
            return own;
        }

        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (current.HasFullName("System.IO.Stream"))
            {
                return "a 'Stream' is read once";
            }
        }

        return null;
    }

    private static string? UnstorableInterfaceReason(ITypeSymbol type, ITypeSymbol implemented)
    {
        if (implemented.HasFullName("System.Linq.IQueryable"))
        {
            return "an 'IQueryable' is a query, not its results";
        }

        return implemented.HasFullName("System.IDisposable") || implemented.HasFullName("System.IAsyncDisposable")
            ? $"'{type.ToDisplayString()}' is disposable: one caller would dispose what the others still use"
            : null;
    }

    internal static string? DefaultTemplate(IMethodSymbol method, INamedTypeSymbol contract)
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
            if (IsCancellationToken(parameter.Type) || parameter.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.NotCacheKeyAttribute)))
            {
                continue;
            }

            text.Append(":{").Append(parameter.Name).Append('}');
        }

        return text.ToString();
    }

    /// <summary>The distinct key values a template names (one per member path, in order of first use), or
    /// <see langword="null"/> when any placeholder does not resolve.</summary>
    internal static List<KeyFieldInfo>? ResolveKeyFields(IMethodSymbol method, KeyTemplate template)
    {
        var fields = new List<KeyFieldInfo>();
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder || IsTypeArgumentPlaceholder(method, part))
            {
                continue;
            }

            if (ResolvePlaceholder(method, part, out _) is not { } field)
            {
                return null;
            }

            if (!ContainsPath(fields, field.PathKey))
            {
                fields.Add(field);
            }
        }

        return fields;
    }

    /// <summary>Whether a placeholder names a type parameter of the method's type (<c>{TEntity}</c>), or, for a class
    /// method, of an interface whose member it implements (<c>{T}</c> on <c>OrderStore : IStore&lt;Order&gt;</c>),
    /// rather than a parameter: it renders the type argument's name (docs/keys.md) and is no value of the key. The
    /// generator and CG0004 both ask this.</summary>
    internal static bool IsTypeArgumentPlaceholder(IMethodSymbol method, KeyTemplatePart part)
        => !part.Hash && part.Path!.Count == 1 && FindParameter(method.Parameters, part.Path[0]) is null
           && (TypeParameterIndex(method.ContainingType, part.Path[0]) >= 0
               || (method.ContainingType.TypeKind != TypeKind.Interface && ImplementedContracts(method).Any(c => TypeParameterIndex(c, part.Path[0]) >= 0)));

    /// <summary>The position of the type parameter named <paramref name="name"/> (exactly) of
    /// <paramref name="type"/>'s definition, or of a type parameter it is constructed with (an implementing class's:
    /// <c>{T}</c> of <c>EfRepository&lt;T&gt; : IRepository&lt;T&gt;</c>), or -1.</summary>
    internal static int TypeParameterIndex(INamedTypeSymbol type, string name)
    {
        var parameters = type.OriginalDefinition.TypeParameters;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (parameters[i].Name == name || (type.TypeArguments[i] is ITypeParameterSymbol argument && argument.Name == name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The interfaces a method is, or implements a member of: those a decorator for it would wrap.</summary>
    internal static IEnumerable<INamedTypeSymbol> ImplementedContracts(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            return [type];
        }

        return type.AllInterfaces.Where(i => i.GetMembers().OfType<IMethodSymbol>().Any(m => SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(m), method)));
    }

    /// <summary>Resolves one placeholder of a key template against the method's parameters.</summary>
    internal static KeyFieldInfo? ResolvePlaceholder(IMethodSymbol method, KeyTemplatePart part, out string? error)
    {
        var path = part.Path!;
        var parameter = FindParameter(method.Parameters, path[0]);
        if (parameter is null)
        {
            error = $"'{path[0]}' is not a parameter of '{method.Name}'" + (method.ContainingType.IsGenericType ? $" nor a type parameter of '{method.ContainingType.Name}'" : "");
            return null;
        }

        if (IsCancellationToken(parameter.Type))
        {
            error = $"'{parameter.Name}' is a CancellationToken, which is never part of a key";
            return null;
        }

        var members = new List<string>(path.Count - 1);
        for (var i = 1; i < path.Count; i++)
        {
            members.Add(path[i]);
        }

        if (ResolvePath(parameter, members) is not { } resolved)
        {
            error = $"'{string.Join(".", path)}' does not name a public property or field of '{parameter.Type.ToDisplayString()}'";
            return null;
        }

        if (ClassifyKeyType(resolved.Type) is not { } cast)
        {
            error = $"'{string.Join(".", path)}' is a '{resolved.Type.ToDisplayString()}', which has no stable key encoding (use a member of it, or a string, number, enum, Guid or date)";
            return null;
        }

        if (part.Hash && !CanHash(resolved.Type))
        {
            error = $"':hash' applies to strings and formattable values, not '{resolved.Type.ToDisplayString()}'";
            return null;
        }

        error = null;
        return new KeyFieldInfo(path.Count == 1 ? path[0] : string.Join(".", path), path[0], members, resolved.Type, resolved.Expression, cast, resolved.Nullable);
    }

    /// <summary>Why a placeholder of a cached method's tag template cannot be rendered, or <see langword="null"/>: it
    /// must resolve as a key placeholder does, and be one of the key's own (<paramref name="keyPaths"/>, the key's
    /// placeholder paths as written): two calls with one key share one entry, which must carry one set of tags.</summary>
    internal static string? TagPlaceholderProblem(IMethodSymbol method, KeyTemplatePart part, IEnumerable<string> keyPaths)
    {
        if (IsTypeArgumentPlaceholder(method, part))
        {
            return $"'{{{part.Path![0]}}}' names a type parameter, which a tag does not render (the writes that invalidate tags know no type argument): write the type's name as text (\"orders:{{id}}\"), or tag with the key's parameters only";
        }

        if (ResolvePlaceholder(method, part, out var problem) is null)
        {
            return problem;
        }

        var path = string.Join(".", part.Path!);
        return keyPaths.Contains(path, StringComparer.Ordinal)
            ? null
            : $"'{{{path}}}' is not a placeholder of the key, and a tag may only use the key's placeholders (calls that share an entry must share its tags)";
    }

    internal static ResolvedPath? ResolvePath(IParameterSymbol parameter, IReadOnlyList<string> members)
    {
        var expression = Escape(parameter.Name);
        ITypeSymbol type = parameter.Type;
        var nullable = false;
        foreach (var memberName in members)
        {
            // Trust the annotation: a non-nullable parameter is dereferenced directly, a nullable one (reference or
            // value type) conditionally, and the key value is then nullable too.
            var conditional = type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
            {
                conditional = true;
                type = nullableValue.TypeArguments[0];
            }

            if (FindMember(type, memberName) is not { } member)
            {
                return null;
            }

            nullable |= conditional;
            expression += (conditional ? "?." : ".") + Escape(member.Name);
            type = MemberType(member);
        }

        return new ResolvedPath(type, expression, nullable);
    }

    /// <summary>The member a path segment names on <paramref name="type"/> (a <see cref="Nullable{T}"/> is looked
    /// through): a public instance property with a getter or field, declared on the type, a base type or an interface;
    /// the exact name, else the only match ignoring case. One rule for the generator and every analyzer.</summary>
    internal static ISymbol? FindMember(ITypeSymbol type, string name)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return FindByName(
            AllMembers(type).Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m is IPropertySymbol { IsIndexer: false, GetMethod: not null } or IFieldSymbol),
            name,
            m => m.Name);
    }

    /// <summary>The type of a property or field.</summary>
    internal static ITypeSymbol MemberType(ISymbol member) => member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;

    internal static IEnumerable<ISymbol> AllMembers(ITypeSymbol type)
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
    internal static string? ClassifyKeyType(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type.TypeKind == TypeKind.TypeParameter)
        {
            return ""; // a generic interface's TKey: encoded by its run-time type (CacheKeyBuilder.AppendValueOf)
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

        return type.HasFullName("System.Guid") || type.HasFullName("System.DateTimeOffset") || type.HasFullName("System.DateOnly")
            || type.HasFullName("System.TimeOnly") || type.HasFullName("System.TimeSpan")
            ? ""
            : null;
    }

    internal static bool CanHash(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return type.SpecialType == SpecialType.System_String
            || (type.SpecialType != SpecialType.System_Boolean && type.AllInterfaces.Any(i => i.HasFullName("System.ISpanFormattable")));
    }

    internal static bool IsCancellationToken(ITypeSymbol type) => type.HasFullName(KnownNames.CancellationToken);

    private static bool ContainsPath(List<KeyFieldInfo> fields, string pathKey)
    {
        foreach (var field in fields)
        {
            if (field.PathKey == pathKey)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><see cref="FindByName"/> over a method's parameters, without boxing their array's enumerator (this runs
    /// for every placeholder of every cached method).</summary>
    internal static IParameterSymbol? FindParameter(ImmutableArray<IParameterSymbol> parameters, string name)
    {
        var match = new NameMatch<IParameterSymbol>(name);
        foreach (var parameter in parameters)
        {
            if (match.IsExact(parameter, parameter.Name))
            {
                return parameter;
            }
        }

        return match.Loose;
    }

    internal static T? FindByName<T>(IEnumerable<T> candidates, string name, Func<T, string> nameOf)
        where T : class
    {
        var match = new NameMatch<T>(name);
        foreach (var candidate in candidates)
        {
            if (match.IsExact(candidate, nameOf(candidate)))
            {
                return candidate;
            }
        }

        return match.Loose;
    }

    /// <summary>How a placeholder's name picks a parameter or member: an exact match wins; otherwise a match ignoring
    /// case, when it is the only one.</summary>
    private struct NameMatch<T>(string name)
        where T : class
    {
        private T? _loose;
        private int _looseCount;

        /// <summary>Whether <paramref name="candidate"/> is the exact match; remembers it when it matches ignoring case.</summary>
        public bool IsExact(T candidate, string candidateName)
        {
            if (string.Equals(candidateName, name, StringComparison.Ordinal))
            {
                return true;
            }

            if (string.Equals(candidateName, name, StringComparison.OrdinalIgnoreCase))
            {
                _loose = candidate;
                _looseCount++;
            }

            return false;
        }

        /// <summary>The only match ignoring case, if there was exactly one.</summary>
        public readonly T? Loose => _looseCount == 1 ? _loose : null;
    }

    /// <summary>Why <paramref name="writer"/>'s result cannot be put in an entry of type <paramref name="cachedType"/>
    /// (<c>[CachePut]</c>), or <see langword="null"/> when it can.</summary>
    internal static string? PutProblem(IMethodSymbol writer, ITypeSymbol cachedType, Compilation compilation)
    {
        if (SkipRules.AfterWriteProblem(writer) is { } afterWrite)
        {
            return afterWrite;
        }

        if (UncacheableReason(writer, out _, out var result) is { } reason)
        {
            return "its result cannot be cached: " + reason;
        }

        if (!compilation.ClassifyCommonConversion(result, cachedType).IsImplicit)
        {
            return $"it returns '{result.ToDisplayString()}', which does not convert to the cached '{cachedType.ToDisplayString()}'";
        }

        if (result.IsReferenceType && result.NullableAnnotation == NullableAnnotation.Annotated
            && cachedType.IsReferenceType && cachedType.NullableAnnotation == NullableAnnotation.NotAnnotated)
        {
            return $"it may return null, and the cached '{cachedType.ToDisplayString()}' may not";
        }

        return null;
    }

    /// <summary>
    /// Resolves a type-qualified <c>invalidatedBy</c> name (<c>IFormCommands.UpdateAsync</c>, or
    /// <c>$"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}"</c>) to the write methods of that name. The type
    /// part is bound by the compiler as if written at the attribute (<see cref="FindType"/>).
    /// </summary>
    internal static QualifiedWrite ResolveQualifiedWrite(string name, Compilation compilation, SyntaxNode? attribute)
    {
        var dot = name.LastIndexOf('.');
        var typeName = name.Substring(0, dot);
        var methodName = name.Substring(dot + 1);
        var type = FindType(typeName, compilation, attribute);
        if (type is null)
        {
            return new QualifiedWrite(null, [], $"no interface named '{typeName}' is visible here");
        }

        if (type.TypeKind != TypeKind.Interface)
        {
            return new QualifiedWrite(type, [], $"'{typeName}' is not an interface (CachedGen decorates interfaces)");
        }

        if (type.IsGenericType)
        {
            return new QualifiedWrite(type, [], $"'{typeName}' is generic, and a write of a generic interface does not invalidate another interface's entries");
        }

        if (SkipRules.ContractProblem(type) is { } problem)
        {
            return new QualifiedWrite(type, [], problem);
        }

        var candidates = new[] { type }.Concat(type.AllInterfaces)
            .SelectMany(i => i.GetMembers(methodName).OfType<IMethodSymbol>())
            .Distinct<IMethodSymbol>(SymbolEqualityComparer.Default)
            .ToList();
        return candidates.Count == 0
            ? new QualifiedWrite(type, candidates, $"no method named '{methodName}' on '{type.Name}'")
            : new QualifiedWrite(type, candidates, null);
    }

    /// <summary>The type <paramref name="typeName"/> names where <paramref name="attribute"/> is written, found by the
    /// compiler's own lookup (speculative binding at the attribute): the enclosing types and namespaces, <c>using</c>
    /// directives and aliases of any file (<c>global using</c>), <c>using static</c>, full names. Without source (the
    /// attribute comes from metadata), a full metadata name.</summary>
    private static INamedTypeSymbol? FindType(string typeName, Compilation compilation, SyntaxNode? attribute)
    {
        if (attribute is null || !compilation.ContainsSyntaxTree(attribute.SyntaxTree))
        {
            return compilation.GetTypeByMetadataName(typeName.StartsWith("global::", StringComparison.Ordinal) ? typeName.Substring("global::".Length) : typeName);
        }

        var syntax = SyntaxFactory.ParseTypeName(typeName);
        if (syntax.ContainsDiagnostics || syntax.FullSpan.Length != typeName.Length)
        {
            return null;
        }

        var model = compilation.GetSemanticModel(attribute.SyntaxTree);
        var bound = model.GetSpeculativeTypeInfo(attribute.SpanStart, syntax, SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
        return bound is INamedTypeSymbol { TypeKind: not TypeKind.Error } named ? named : null;
    }

    /// <summary>Fills each key field of a cached method from a write method's parameters: the parameter of the same name
    /// (and the same member path), a parameter named after the path's last member, or the one parameter that has a
    /// member of that name. Types must match exactly; otherwise the write cannot invalidate the entry.</summary>
    internal static List<string>? MatchArguments(IMethodSymbol writer, IReadOnlyList<KeyFieldInfo> fields)
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

    internal static string? MatchOne(IMethodSymbol writer, KeyFieldInfo field)
    {
        var byRoot = FindParameter(writer.Parameters, field.Root);
        if (byRoot is not null && ResolvePath(byRoot, field.Members) is { } samePath && Fits(samePath, field))
        {
            return samePath.Expression;
        }

        var leafName = field.Members.Count > 0 ? field.Members[field.Members.Count - 1] : field.Root;
        if (field.Members.Count > 0 && FindParameter(writer.Parameters, leafName) is { } byLeaf
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

    internal static bool Fits(ResolvedPath candidate, KeyFieldInfo field)
    {
        if (!SymbolEqualityComparer.Default.Equals(Underlying(candidate.Type), Underlying(field.Type)))
        {
            return false;
        }

        var fieldAcceptsNull = field.Type.IsReferenceType || field.Nullable || IsNullableValue(field.Type);
        var candidateMayBeNull = candidate.Type.IsValueType && (candidate.Nullable || IsNullableValue(candidate.Type));
        return fieldAcceptsNull || !candidateMayBeNull;
    }

    internal static ITypeSymbol Underlying(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);

    internal static bool IsNullableValue(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };

    internal static ResultKind KindOf(IMethodSymbol method)
    {
        if (method.ReturnsVoid)
        {
            return ResultKind.Void;
        }

        // Names compared without being built (this runs for every method of every decorated interface).
        var type = method.ReturnType.OriginalDefinition;
        return type.HasFullName(KnownNames.TaskOfT) ? ResultKind.TaskOfT
            : type.HasFullName(KnownNames.ValueTaskOfT) ? ResultKind.ValueTaskOfT
            : type.HasFullName(KnownNames.Task) ? ResultKind.Task
            : type.HasFullName(KnownNames.ValueTask) ? ResultKind.ValueTask
            : ResultKind.Value;
    }

    internal static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None ? "@" + identifier : identifier;

}

internal sealed class KeyFieldInfo(string pathKey, string root, List<string> members, ITypeSymbol type, string source, string cast, bool nullable)
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
}

internal sealed record ResolvedPath(ITypeSymbol Type, string Expression, bool Nullable);

/// <summary>What a type-qualified <c>invalidatedBy</c> name resolves to: the write interface, the methods of that name
/// on it, or why it cannot work.</summary>
internal sealed class QualifiedWrite(INamedTypeSymbol? type, List<IMethodSymbol> methods, string? error)
{
    public INamedTypeSymbol? Type { get; } = type;

    public List<IMethodSymbol> Methods { get; } = methods;

    public string? Error { get; } = error;
}
