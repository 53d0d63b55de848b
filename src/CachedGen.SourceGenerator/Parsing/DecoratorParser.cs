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

/// <summary>
/// Turns the interface behind a <c>[Cached]</c> method into a <see cref="DecoratorModel"/>. Anything the generator
/// cannot cache correctly (bad TTL or template, unsupported key type, uncacheable shape) is forwarded uncached;
/// the analyzers report why.
/// </summary>
internal static class DecoratorParser
{
    /// <summary>The decorators the attributed method takes part in: its interface, or each interface its class
    /// implements with it.</summary>
    public static EquatableArray<DecoratorModel> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        // Every [Cached] method of an interface leads to the same model; only the first one (in declaration order)
        // builds it, so an interface with n cached methods costs one model, not n.
        var results = new List<DecoratorModel>();
        var compilation = context.SemanticModel.Compilation;
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            if (SymbolEqualityComparer.Default.Equals(FirstCachedMember(type, null), method))
            {
                AddIfBuilt(results, type, null, compilation, cancellationToken);
            }
        }
        else if (type.TypeKind is TypeKind.Class or TypeKind.Struct)
        {
            foreach (var candidate in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(FirstCachedMember(candidate, type), method))
                {
                    AddIfBuilt(results, candidate, type, compilation, cancellationToken);
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

    /// <summary>Adds the model of <paramref name="contract"/>, and one per other interface whose writes invalidate its
    /// entries (type-qualified <c>invalidatedBy</c>), carrying those invalidations. When that interface has cached
    /// methods of its own, or other readers, its models are merged by <see cref="CachedGenerator.Complete"/>.</summary>
    private static void AddIfBuilt(List<DecoratorModel> results, INamedTypeSymbol contract, INamedTypeSymbol? implementation, Compilation compilation, CancellationToken cancellationToken)
    {
        var externals = new List<ExternalInvalidation>();
        if (Build(contract, implementation, compilation, externals, cancellationToken) is not { } model)
        {
            return;
        }

        results.Add(model);
        foreach (var group in externals.GroupBy(e => e.Contract, SymbolEqualityComparer.Default))
        {
            if (Build((INamedTypeSymbol)group.Key!, null, compilation, null, cancellationToken) is not { } writer)
            {
                continue;
            }

            var forwarded = writer.ForwardedMethods.Select(f =>
            {
                var added = group.Where(e => e.Signature == SignatureOf(f) && CanInvalidateAfter(f)).Select(e => e.Invalidation).ToList();
                return added.Count == 0 ? f : f with { Invalidations = f.Invalidations.Concat(added).ToEquatableArray() };
            }).ToEquatableArray();
            results.Add(writer with { ForwardedMethods = forwarded });
        }
    }

    /// <summary>A write of another interface that invalidates an entry of the one being built.</summary>
    private sealed record ExternalInvalidation(INamedTypeSymbol Contract, string Signature, InvalidationModel Invalidation);

    private static string SignatureOf(ForwardedMethodModel method)
        => method.DeclaringInterface + "." + method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Modifier + p.Type)) + ")";

    private static string SignatureOf(IMethodSymbol method)
        => SignatureOf(new ForwardedMethodModel(method.ContainingType.ToDisplayString(TypeFormat), Escape(method.Name), "", "", ResultKind.Void, "",
            method.Parameters.Select(ToParameter).ToEquatableArray(), EquatableArray<InvalidationModel>.Empty, EquatableArray<string>.Empty));

    /// <summary>Whether the decorator can run code after the write (as <see cref="ToForwarded"/> decides).</summary>
    private static bool CanInvalidateAfter(ForwardedMethodModel method)
        => method.RefPrefix.Length == 0 && method.TypeParameters.Length == 0
           && (method.Kind is not (ResultKind.Task or ResultKind.ValueTask or ResultKind.TaskOfT or ResultKind.ValueTaskOfT)
               || method.Parameters.All(p => !p.Modifier.Contains("ref ") && !p.Modifier.Contains("out ")));

    private static DecoratorModel? Build(INamedTypeSymbol contract, INamedTypeSymbol? implementation, Compilation compilation, List<ExternalInvalidation>? externals, CancellationToken cancellationToken)
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
        var types = new TypeCache();
        var properties = new List<ForwardedPropertyModel>();
        var events = new List<ForwardedEventModel>();
        string? classObsolete = null;
        for (var container = contract; container is not null && classObsolete is null; container = container.ContainingType)
        {
            classObsolete = MemberShape.Obsolete(container);
        }

        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.IsStatic || !(member.IsAbstract || member.IsVirtual) || IsInheritedOnly(member))
            {
                continue;
            }

            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                    var attribute = FindCachedAttribute(method, implementation);
                    if (attribute is not null && !IsUnreachable(method) && (classObsolete is not null || !MemberShape.NamesErrorObsoleteType(method))
                        && TryBuildCached(method, contract, contractName, CachedAttributeData.Read(attribute), types, cancellationToken) is { } info)
                    {
                        info.Syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
                        cached.Add(info);
                    }
                    else
                    {
                        writers.Add(method);
                    }

                    break;
                case IPropertySymbol { ExplicitInterfaceImplementations.Length: 0 } property:
                    properties.Add(new ForwardedPropertyModel(
                        types.Name(property.ContainingType),
                        property.IsIndexer ? "this" : Escape(property.Name),
                        types.Name(property.Type),
                        property.ReturnsByRefReadonly ? "ref readonly " : property.ReturnsByRef ? "ref " : "",
                        property.Parameters.Select(p => ToParameter(p, types)).ToEquatableArray(),
                        property.GetMethod is not null,
                        property.SetMethod is not null,
                        property.SetMethod?.IsInitOnly == true,
                        MemberShape.Attributes(property),
                        Receiver(property, contract, members, types),
                        IsUnreachable(property),
                        MemberShape.IsUnsafe(property)));
                    break;
                case IEventSymbol { ExplicitInterfaceImplementations.Length: 0 } @event:
                    events.Add(new ForwardedEventModel(
                        types.Name(@event.ContainingType),
                        Escape(@event.Name),
                        types.Name(@event.Type),
                        MemberShape.Attributes(@event),
                        Receiver(@event, contract, members, types),
                        IsUnreachable(@event)));
                    break;
            }
        }

        var parameterNames = new HashSet<string>(
            members.OfType<IMethodSymbol>().SelectMany(m => m.Parameters).Concat(members.OfType<IPropertySymbol>().SelectMany(p => p.Parameters)).Select(p => p.Name),
            StringComparer.Ordinal);
        AssignMemberNames(cached, parameterNames);
        foreach (var info in cached)
        {
            info.Model = info.Model with
            {
                Attributes = MemberShape.Attributes(info.Method),
                Obsolete = MemberShape.Obsolete(info.Method),
                Receiver = Receiver(info.Method, contract, members, types),
            };
        }

        var decoratorName = DecoratorName(contract);
        var @namespace = contract.ContainingNamespace.IsGlobalNamespace ? "" : contract.ContainingNamespace.ToDisplayString();
        ResolveQualifiedWrites(cached, contract, compilation, "global::" + (@namespace.Length > 0 ? @namespace + "." : "") + decoratorName, externals);
        var forwarded = writers.Select(w => ToForwarded(w, cached, implementation, compilation, types, contract, members)).ToEquatableArray();

        // The decorator's fields must not be hidden by a parameter of the method that uses them, nor be named like a
        // cached method's field (a method named Inner has the field _inner).
        var taken = new HashSet<string>(parameterNames, StringComparer.Ordinal);
        taken.UnionWith(cached.Select(c => c.Model.FieldName));
        var innerField = "_inner";
        while (taken.Contains(innerField))
        {
            innerField = "_" + innerField;
        }

        taken.Add(innerField);
        var runtimeField = "_runtime";
        while (taken.Contains(runtimeField))
        {
            runtimeField = "_" + runtimeField;
        }

        var usesObsolete = classObsolete is null
            && (cached.Any(c => MemberShape.UsesObsolete(c.Method)) || writers.Any(MemberShape.UsesObsolete)
                || members.Any(m => m is IPropertySymbol or IEventSymbol && MemberShape.UsesObsolete(m)));

        return new DecoratorModel(
            @namespace,
            contract.Name,
            interfaceType,
            decoratorName,
            IsPublic(contract),
            contractName + ".g.cs",
            innerField,
            cached.Select(c => c.Model).ToEquatableArray(),
            forwarded,
            properties.ToEquatableArray(),
            events.ToEquatableArray(),
            runtimeField,
            (classObsolete is null ? [] : new[] { classObsolete }).ToEquatableArray(),
            usesObsolete);
    }

    /// <summary>Members the decorator leaves to the interface: a default implementation it could not call through
    /// <c>_inner</c> (protected), which needs no implementation.</summary>
    private static bool IsInheritedOnly(ISymbol member)
        => !member.IsAbstract && IsProtected(member);

    /// <summary>An abstract protected member: the decorator must implement it, but cannot call it on the inner
    /// implementation (only a derived interface can); it throws.</summary>
    private static bool IsUnreachable(ISymbol member) => member.IsAbstract && IsProtected(member);

    private static bool IsProtected(ISymbol member) => member.DeclaredAccessibility is Accessibility.Protected or Accessibility.ProtectedAndInternal;

    /// <summary>The interface to call a base member through, when looking its name up on the contract would find
    /// another member too (repeated by a second base, or hidden with <c>new</c>); <see langword="null"/> when the plain
    /// call finds it.</summary>
    private static string? Receiver(ISymbol member, INamedTypeSymbol contract, List<ISymbol> members, TypeCache types)
    {
        if (SymbolEqualityComparer.Default.Equals(member.ContainingType, contract))
        {
            return null;
        }

        foreach (var other in members)
        {
            if (other.Name == member.Name && !SymbolEqualityComparer.Default.Equals(other, member))
            {
                return types.Name(member.ContainingType);
            }
        }

        return null;
    }

    /// <summary><c>Cached</c> and the interface's name without its <c>I</c> prefix, after the names of the types it is
    /// nested in (<c>Outer.IStore</c>: <c>CachedOuterStore</c>). When the namespace already has a type of that name (not a
    /// partial class, which the decorator extends), or an interface that drops no prefix to get it (<c>Store</c> beside
    /// <c>IStore</c>), the prefix is kept (<c>CachedIStore</c>), then a number added.</summary>
    private static string DecoratorName(INamedTypeSymbol contract)
    {
        static string Stripped(INamedTypeSymbol type)
            => type.TypeKind == TypeKind.Interface && type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name.Substring(1) : type.Name;

        var containers = "";
        for (var container = contract.ContainingType; container is not null; container = container.ContainingType)
        {
            containers = Stripped(container) + containers;
        }

        var stripped = Stripped(contract);
        var name = "Cached" + containers + stripped;
        var @namespace = contract.ContainingNamespace;
        bool Taken(string candidate) => @namespace.GetTypeMembers(candidate).Any(t => !IsPartialClass(t));
        if (!Taken(name) && (stripped == contract.Name || containers.Length > 0
            || !@namespace.GetTypeMembers(containers + stripped).Any(t => t.TypeKind == TypeKind.Interface)))
        {
            return name;
        }

        name = "Cached" + containers + contract.Name;
        var unique = name;
        for (var i = 2; Taken(unique); i++)
        {
            unique = name + i.ToString(CultureInfo.InvariantCulture);
        }

        return unique;
    }

    private static bool IsPartialClass(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Class && type.DeclaringSyntaxReferences.Length > 0
           && type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax c && c.Modifiers.Any(m => m.IsKind(SyntaxKind.PartialKeyword)));

    /// <summary>The first method of <paramref name="contract"/> (or its implementation in
    /// <paramref name="implementation"/>) that carries [Cached]: the one whose transform builds the model.</summary>
    private static IMethodSymbol? FirstCachedMember(INamedTypeSymbol contract, INamedTypeSymbol? implementation)
    {
        foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
        {
            if (member.GetAttributes().Any(IsCachedAttribute))
            {
                return implementation is null ? member : implementation.FindImplementationForInterfaceMember(member) as IMethodSymbol;
            }

            if (implementation?.FindImplementationForInterfaceMember(member) is IMethodSymbol implemented && implemented.GetAttributes().Any(IsCachedAttribute))
            {
                return implemented;
            }
        }

        return null;
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

    /// <summary>What one interface's model works out once per type: its name in generated code (an interface's methods
    /// repeat their parameter, result and key types) and its shape fingerprint.</summary>
    private sealed class TypeCache
    {
        private readonly Dictionary<ITypeSymbol, string> _names = new(SymbolEqualityComparer.IncludeNullability);
        private readonly Dictionary<ITypeSymbol, uint> _fingerprints = new(SymbolEqualityComparer.IncludeNullability);

        public string Name(ITypeSymbol type)
        {
            if (!_names.TryGetValue(type, out var name))
            {
                name = type.ToDisplayString(TypeFormat);
                _names.Add(type, name);
            }

            return name;
        }

        public uint Fingerprint(ITypeSymbol type, CancellationToken cancellationToken)
        {
            if (!_fingerprints.TryGetValue(type, out var fingerprint))
            {
                fingerprint = ShapeFingerprint.Compute(type, cancellationToken);
                _fingerprints.Add(type, fingerprint);
            }

            return fingerprint;
        }
    }

    private static bool IsCachedAttribute(AttributeData attribute)
        => attribute.AttributeClass.HasFullName(KnownNames.CachedAttribute);

    private static CachedMethodInfo? TryBuildCached(IMethodSymbol method, INamedTypeSymbol contract, string contractName, CachedAttributeData data, TypeCache types, CancellationToken cancellationToken)
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

        if (ResolveKeyFields(method, template) is not { } fields)
        {
            return null;
        }

        var segments = template.Parts
            .Select(part => part.IsPlaceholder ? new KeySegmentModel(null, string.Join(".", part.Path!), part.Hash) : new KeySegmentModel(part.Literal, null, false))
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

        if (TagInterpolations(data.Tags, fields) is not { } tags)
        {
            return null;
        }

        var model = new CachedMethodModel(
            types.Name(method.ContainingType),
            Escape(method.Name),
            contractName + "." + method.Name,
            kind,
            types.Name(method.ReturnType),
            ValueTypeName(method, kind, valueType, types),
            method.Parameters.Select(p => ToParameter(p, types)).ToEquatableArray(),
            cancellationTokenName is null ? null : Escape(cancellationTokenName),
            method.Name,
            templateText,
            fields.Select(f => ToModel(f, types)).ToEquatableArray(),
            segments.ToEquatableArray(),
            ttlTicks,
            data.Ttl ?? "",
            localTtlTicks,
            data.LocalTtl,
            "",
            data.Version,
            types.Fingerprint(valueType, cancellationToken),
            data.MaxLocalEntries,
            data.MaxValueBytes,
            data.Sensitive,
            data.Tags.ToEquatableArray(),
            tags.ToEquatableArray());
        return new CachedMethodInfo(model, method, data, fields);
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

    private static void NameFields(List<KeyFieldInfo> fields)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            var name = string.Concat(new[] { field.Root }.Concat(field.Members).Select(Pascal));
            var unique = name;
            for (var i = 2; !used.Add(unique); i++)
            {
                unique = name + i.ToString(CultureInfo.InvariantCulture);
            }

            field.Name = unique;
        }
    }

    /// <summary>Overloads get numbered member names (<c>Get</c>, <c>Get2</c>); a name whose field, loader or descriptor
    /// a parameter would hide is numbered too.</summary>
    private static void AssignMemberNames(List<CachedMethodInfo> cached, HashSet<string> parameterNames)
    {
        bool Hidden(CachedMethodModel model)
            => parameterNames.Contains(model.FieldName) || parameterNames.Contains(model.LoaderName) || parameterNames.Contains(model.DescriptorName);

        foreach (var group in cached.GroupBy(c => c.Model.Name))
        {
            var index = 1;
            foreach (var info in group)
            {
                if (index > 1 || Hidden(info.Model))
                {
                    do
                    {
                        index++;
                        info.Model = info.Model with { MemberName = info.Method.Name + index.ToString(CultureInfo.InvariantCulture) };
                    }
                    while (Hidden(info.Model));
                }

                index++;
            }
        }
    }

    private static ForwardedMethodModel ToForwarded(IMethodSymbol method, List<CachedMethodInfo> cached, INamedTypeSymbol? implementation, Compilation compilation, TypeCache types, INamedTypeSymbol contract, List<ISymbol> members)
    {
        var tagInvalidations = new List<string>();
        var puts = new List<InvalidationModel>();
        var kind = KindOf(method);
        var invalidations = new List<InvalidationModel>();
        // An async write awaits the inner call, which cannot happen with ref or out parameters, nor in the unsafe
        // context a pointer parameter needs (CS4004).
        var canAwait = kind is not (ResultKind.Task or ResultKind.ValueTask or ResultKind.TaskOfT or ResultKind.ValueTaskOfT)
            || (method.Parameters.All(p => p.RefKind is RefKind.None or RefKind.In) && !MemberShape.IsUnsafe(method));
        if (canAwait && !method.ReturnsByRef && !method.ReturnsByRefReadonly && !IsUnreachable(method))
        {
            foreach (var target in cached)
            {
                if (!target.Data.InvalidatedBy.Contains(method.Name, StringComparer.Ordinal) && !target.QualifiedSelfWrites.Contains(method))
                {
                    continue;
                }

                if (MatchArguments(method, target.Fields) is { } arguments)
                {
                    invalidations.Add(new InvalidationModel(target.Model.MemberName, target.Model.KeyTemplate, target.Model.KeyType, arguments.ToEquatableArray()));
                }
            }

            foreach (var tag in InvalidatedTags(method, implementation))
            {
                if (WriteTagInterpolation(method, tag) is { } interpolation)
                {
                    tagInvalidations.Add(interpolation);
                }
            }

            foreach (var name in AttributeStrings(method, implementation, KnownNames.CachePutAttribute))
            {
                var targets = cached.Where(c => c.Method.Name == name).ToList();
                if (targets.Count == 1 && PutProblem(method, ValueTypeOf(targets[0]), compilation) is null
                    && MatchArguments(method, targets[0].Fields) is { } arguments)
                {
                    puts.Add(new InvalidationModel(targets[0].Model.MemberName, targets[0].Model.KeyTemplate, targets[0].Model.KeyType, arguments.ToEquatableArray()));
                }
            }
        }

        return new ForwardedMethodModel(
            types.Name(method.ContainingType),
            Escape(method.Name),
            types.Name(method.ReturnType),
            method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : "",
            kind,
            method.IsGenericMethod ? "<" + string.Join(", ", method.TypeParameters.Select(t => Escape(t.Name))) + ">" : "",
            method.Parameters.Select(p => ToParameter(p, types)).ToEquatableArray(),
            invalidations.ToEquatableArray(),
            tagInvalidations.ToEquatableArray(),
            puts.ToEquatableArray(),
            MemberShape.Attributes(method),
            MemberShape.Constraints(method),
            Receiver(method, contract, members, types),
            IsUnreachable(method),
            MemberShape.IsUnsafe(method));
    }

    private static ITypeSymbol ValueTypeOf(CachedMethodInfo info)
    {
        TryGetCacheableResult(info.Method, out _, out var valueType);
        return valueType;
    }

    /// <summary>The strings of a <c>params string[]</c> attribute on the write, or on its implementation.</summary>
    private static IEnumerable<string> AttributeStrings(IMethodSymbol method, INamedTypeSymbol? implementation, string attributeName)
    {
        static bool Is(AttributeData a, string name) => a.AttributeClass.HasFullName(name);
        var attribute = method.GetAttributes().FirstOrDefault(a => Is(a, attributeName))
            ?? (implementation?.FindImplementationForInterfaceMember(method) as IMethodSymbol)?.GetAttributes().FirstOrDefault(a => Is(a, attributeName));
        if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array)
        {
            return [];
        }

        return attribute.ConstructorArguments[0].Values.Select(v => v.Value as string).Where(s => s is not null).Select(s => s!);
    }

    /// <summary>The tag templates of the write's <c>[InvalidatesTags]</c>, on the interface method or its implementation.</summary>
    private static IEnumerable<string> InvalidatedTags(IMethodSymbol method, INamedTypeSymbol? implementation)
        => AttributeStrings(method, implementation, KnownNames.InvalidatesTagsAttribute);

    /// <summary>The interpolated strings (contents) rendering a cached method's tags from its key tuple: each
    /// placeholder must be one of the key's (<see langword="null"/> otherwise, or for a malformed template; the
    /// analyzers say why).</summary>
    private static List<string>? TagInterpolations(IReadOnlyList<string> templates, List<KeyFieldInfo> fields)
    {
        var result = new List<string>();
        var pathKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            pathKeys[fields[i].PathKey] = KeyTuple.Element(i);
        }

        foreach (var text in templates)
        {
            if (Interpolation(text, part => pathKeys.TryGetValue(string.Join(".", part.Path!), out var name) ? name : null) is not { } interpolation)
            {
                return null;
            }

            result.Add(interpolation);
        }

        return result;
    }

    /// <summary>The interpolated string (contents) rendering a write's tag from its parameters.</summary>
    private static string? WriteTagInterpolation(IMethodSymbol method, string text)
        => Interpolation(text, part => ResolvePlaceholder(method, part, out _)?.Source);

    /// <summary>A tag template as the contents of an interpolated string: literals escaped, each placeholder replaced by
    /// the expression <paramref name="hole"/> gives (<c>:hash</c> kept as the format); <see langword="null"/> when the
    /// template is malformed or a placeholder has no expression.</summary>
    private static string? Interpolation(string text, Func<KeyTemplatePart, string?> hole)
    {
        if (KeyTemplate.Parse(text, out _) is not { } template)
        {
            return null;
        }

        var builder = new System.Text.StringBuilder();
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder)
            {
                builder.Append(InterpolationLiteral(part.Literal!));
            }
            else if (hole(part) is { } expression)
            {
                builder.Append('{').Append(expression).Append(part.Hash ? ":hash}" : "}");
            }
            else
            {
                return null;
            }
        }

        return builder.ToString();
    }

    /// <summary>Template text as it is written inside <c>$"..."</c>: escaped as a string literal (without its quotes).</summary>
    private static string InterpolationLiteral(string literal)
    {
        var quoted = Emitting.DecoratorEmitter.Literal(literal);
        return quoted.Substring(1, quoted.Length - 2);
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

        return new KeyFieldModel(field.Name, display, field.Source, field.Cast, isNullableValue);
    }

    private static ParameterModel ToParameter(IParameterSymbol parameter) => ToParameter(parameter, null);

    private static ParameterModel ToParameter(IParameterSymbol parameter, TypeCache? types)
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

        return new ParameterModel(Escape(parameter.Name), types?.Name(parameter.Type) ?? parameter.Type.ToDisplayString(TypeFormat), modifier, MemberShape.ParameterAttributes(parameter), parameter.Type.IsRefLikeType || MemberShape.IsUnsafe(parameter.Type));
    }

    private static bool IsReachable(INamedTypeSymbol type)
    {
        for (ISymbol? current = type; current is INamedTypeSymbol named; current = named.ContainingType)
        {
            // A file-local type cannot be named from the decorator's file.
            if (named.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal) || named.IsFileLocal)
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

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);

    /// <summary>The type-qualified <c>invalidatedBy</c> names of the cached methods: a write of this same interface joins
    /// its local writes, one of another interface becomes an <see cref="ExternalInvalidation"/> (when
    /// <paramref name="externals"/> collects them). Names that cannot work are skipped; CG0006 reports them.</summary>
    private static void ResolveQualifiedWrites(List<CachedMethodInfo> cached, INamedTypeSymbol contract, Compilation compilation, string decorator, List<ExternalInvalidation>? externals)
    {
        foreach (var info in cached)
        {
            foreach (var name in info.Data.InvalidatedBy)
            {
                if (name.IndexOf('.') < 0)
                {
                    continue;
                }

                var write = ResolveQualifiedWrite(name, contract, compilation, info.Syntax);
                if (write.Error is not null || write.Methods.Count != 1 || write.Methods[0].GetAttributes().Any(IsCachedAttribute))
                {
                    continue;
                }

                var writer = write.Methods[0];
                if (SymbolEqualityComparer.Default.Equals(write.Type, contract) || contract.AllInterfaces.Contains(write.Type!, SymbolEqualityComparer.Default))
                {
                    info.QualifiedSelfWrites.Add(writer);
                }
                else if (externals is not null && IsReachable(write.Type!) && MatchArguments(writer, info.Fields) is { } arguments)
                {
                    externals.Add(new ExternalInvalidation(
                        write.Type!,
                        SignatureOf(writer),
                        new InvalidationModel(info.Model.MemberName, info.Model.KeyTemplate, info.Model.KeyType, arguments.ToEquatableArray(), decorator, info.Model.ValueType)));
                }
            }
        }
    }

    private sealed class CachedMethodInfo(CachedMethodModel model, IMethodSymbol method, CachedAttributeData data, List<KeyFieldInfo> fields)
    {
        public SyntaxNode? Syntax { get; set; }

        public HashSet<IMethodSymbol> QualifiedSelfWrites { get; } = new(SymbolEqualityComparer.Default);

        public CachedMethodModel Model { get; set; } = model;

        public IMethodSymbol Method { get; } = method;

        public CachedAttributeData Data { get; } = data;

        public List<KeyFieldInfo> Fields { get; } = fields;
    }

}

/// <summary>The assembly's <c>[assembly: CachedDefaults]</c>.</summary>
internal sealed record DefaultsModel(string? Ttl, string KeyPrefix)
{
    public static readonly DefaultsModel None = new(null, "");
}
