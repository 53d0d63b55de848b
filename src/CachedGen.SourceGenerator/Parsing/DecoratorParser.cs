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

    /// <summary>The decorators a write carrying <paramref name="attributeName"/> (<c>[InvalidatesTags]</c> or
    /// <c>[CachePut]</c>) needs that <see cref="Parse"/> does not build: its interface's when that interface has no
    /// <c>[Cached]</c> method (a decorator that forwards and invalidates tags), and, for a class method, the interface
    /// built with the class (<see cref="Parse"/> builds a model with the class only from a class-level [Cached]; the
    /// models of one interface are merged). Built once per interface, by its first write carrying the attribute.</summary>
    public static EquatableArray<DecoratorModel> ParseWriter(GeneratorAttributeSyntaxContext context, string attributeName, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method)
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        var results = new List<DecoratorModel>();
        var compilation = context.SemanticModel.Compilation;
        var type = method.ContainingType;
        if (type.TypeKind == TypeKind.Interface)
        {
            if (FirstCachedMember(type, null) is null && SymbolEqualityComparer.Default.Equals(FirstWriter(type, null, attributeName), method))
            {
                AddIfBuilt(results, type, null, compilation, cancellationToken);
            }
        }
        else if (type.TypeKind is TypeKind.Class or TypeKind.Struct)
        {
            foreach (var candidate in type.AllInterfaces)
            {
                if (SymbolEqualityComparer.Default.Equals(FirstWriter(candidate, type, attributeName), method))
                {
                    AddIfBuilt(results, candidate, type, compilation, cancellationToken);
                }
            }
        }

        return results.ToEquatableArray();
    }

    /// <summary>The first method of <paramref name="contract"/> (or its implementation) carrying <paramref name="attributeName"/>.</summary>
    private static IMethodSymbol? FirstWriter(INamedTypeSymbol contract, INamedTypeSymbol? implementation, string attributeName)
    {
        bool Has(IMethodSymbol m) => m.GetAttributes().Any(a => a.AttributeClass.HasFullName(attributeName));
        foreach (var member in contract.GetMembers().OfType<IMethodSymbol>())
        {
            if (Has(member))
            {
                return implementation is null ? member : implementation.FindImplementationForInterfaceMember(member) as IMethodSymbol;
            }

            if (implementation?.FindImplementationForInterfaceMember(member) is IMethodSymbol implemented && Has(implemented))
            {
                return implemented;
            }
        }

        return null;
    }

    /// <summary>Whether a node is a non-generic interface declaration with bases: one of them may be (or lead through a
    /// non-generic intermediate interface to) a closed generic base (<c>IOrderRepository : IRepository&lt;Order&gt;</c>)
    /// whose [Cached] methods it inherits, so no [Cached] attribute of its own would lead the generator to it.
    /// <see cref="ParseDerived"/> looks at its bases.</summary>
    public static bool NamesGenericBase(SyntaxNode node)
        => node is Microsoft.CodeAnalysis.CSharp.Syntax.InterfaceDeclarationSyntax { BaseList: not null, TypeParameterList: null };

    /// <summary>The decorator of a non-generic interface that inherits [Cached] methods from a closed generic base
    /// (<c>IOrderRepository : IRepository&lt;Order&gt;</c>); its own [Cached] methods, if any, lead to the same model.</summary>
    public static EquatableArray<DecoratorModel> ParseDerived(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol { TypeKind: TypeKind.Interface, IsGenericType: false } contract
            || !contract.AllInterfaces.Any(i => i.IsGenericType && FirstCachedMember(i, null) is not null))
        {
            return EquatableArray<DecoratorModel>.Empty;
        }

        var results = new List<DecoratorModel>();
        AddIfBuilt(results, contract, null, context.SemanticModel.Compilation, cancellationToken);
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
                var added = group.Where(e => e.Signature == SignatureOf(f)).Select(e => e.Invalidation).ToList();
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

    private static DecoratorModel? Build(INamedTypeSymbol contract, INamedTypeSymbol? implementation, Compilation compilation, List<ExternalInvalidation>? externals, CancellationToken cancellationToken)
    {
        // A generic interface gets a generic decorator when every type argument is a distinct type parameter (the
        // interface itself, or a generic class's view of it: EfRepository<TEntity> : IRepository<TEntity>), and a
        // closed one when none is open (OrderRepository : IRepository<Order>); anything in between is left alone.
        var isGeneric = SkipRules.IsOpenGeneric(contract);
        if (SkipRules.ContractProblem(contract) is not null || SkipRules.GenericContractProblem(contract) is not null)
        {
            return null;
        }

        var members = contract.GetMembers().Concat(contract.AllInterfaces.SelectMany(i => i.GetMembers())).ToList();

        var interfaceType = contract.ToDisplayString(TypeFormat);
        var genericContractName = isGeneric ? contract.ToDisplayString(OpenNameFormat) : "";
        var contractName = isGeneric ? genericContractName
            : contract.IsGenericType ? TypeKeyName.Of(contract)
            : contract.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Substring("global::".Length);
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
            if (!SkipRules.IsImplementedByDecorator(member) || IsInheritedOnly(member))
            {
                continue;
            }

            switch (member)
            {
                case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                    var attribute = FindCachedAttribute(method, implementation, out var attributed);
                    if (attribute is not null && SkipRules.CachedMemberProblem(method, contract) is null
                        && TryBuildCached(method, attributed, contract, contractName, isGeneric, CachedAttributeData.Read(attribute), types, cancellationToken) is { } info)
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
        if (contract.IsGenericType && !isGeneric)
        {
            decoratorName += "Of" + string.Join("And", contract.TypeArguments.Select(SimpleName));
        }

        var @namespace = contract.ContainingNamespace.IsGlobalNamespace ? "" : contract.ContainingNamespace.ToDisplayString();
        ResolveQualifiedWrites(cached, contract, compilation, "global::" + (@namespace.Length > 0 ? @namespace + "." : "") + decoratorName, isGeneric ? null : externals);
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

        var hintName = isGeneric ? contractName + "`" + contract.Arity.ToString(CultureInfo.InvariantCulture)
            : contractName.Replace('<', '(').Replace('>', ')');
        return new DecoratorModel(
            @namespace,
            contract.Name,
            interfaceType,
            decoratorName,
            IsPublic(contract) && contract.TypeArguments.All(IsPublicType),
            hintName + ".g.cs",
            innerField,
            cached.Select(c => c.Model).ToEquatableArray(),
            forwarded,
            properties.ToEquatableArray(),
            events.ToEquatableArray(),
            isGeneric ? contract.TypeArguments.Select(t => new TypeParameterModel(t.Name, Constraints((ITypeParameterSymbol)t, types))).ToEquatableArray() : default,
            genericContractName,
            runtimeField,
            (classObsolete is null ? [] : new[] { classObsolete }).ToEquatableArray(),
            usesObsolete);
    }

    /// <summary>A type's name without type arguments, qualified by its namespace and containing types
    /// (<c>Shop.IRepository</c>): a generic decorator's method ids add the closed type's arguments at run time.</summary>
    private static readonly SymbolDisplayFormat OpenNameFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.None);

    /// <summary>The constraints of a type parameter as written after <c>where T :</c>, or empty.</summary>
    private static string Constraints(ITypeParameterSymbol parameter, TypeCache types)
    {
        var parts = new List<string>();
        if (parameter.HasReferenceTypeConstraint)
        {
            parts.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
        }
        else if (parameter.HasUnmanagedTypeConstraint)
        {
            parts.Add("unmanaged");
        }
        else if (parameter.HasValueTypeConstraint)
        {
            parts.Add("struct");
        }
        else if (parameter.HasNotNullConstraint)
        {
            parts.Add("notnull");
        }

        parts.AddRange(parameter.ConstraintTypes.Select(types.Name));
        if (parameter.HasConstructorConstraint)
        {
            parts.Add("new()");
        }

        return string.Join(", ", parts);
    }

    /// <summary>A closed type argument's part of a closed decorator's name (<c>Order</c>, <c>PageOfOrder</c>).</summary>
    private static string SimpleName(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => SimpleName(array.ElementType) + "Array",
        INamedTypeSymbol { TypeArguments.Length: > 0 } named => named.Name + "Of" + string.Join("And", named.TypeArguments.Select(SimpleName)),
        _ => type.Name,
    };

    private static bool IsPublicType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => IsPublicType(array.ElementType),
        INamedTypeSymbol named => IsPublic(named) && named.TypeArguments.All(IsPublicType),
        _ => true,
    };

    /// <summary>Whether <paramref name="type"/> mentions a type parameter (its shape is then known only at run time).</summary>
    private static bool ContainsTypeParameter(ITypeSymbol type) => type switch
    {
        ITypeParameterSymbol => true,
        IArrayTypeSymbol array => ContainsTypeParameter(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsTypeParameter),
        _ => false,
    };

    /// <summary>Members the decorator leaves to the interface: a default implementation it could not call through
    /// <c>_inner</c> (protected), which needs no implementation.</summary>
    private static bool IsInheritedOnly(ISymbol member)
        => !member.IsAbstract && IsProtected(member);

    /// <summary>An abstract protected member: the decorator must implement it, but cannot call it on the inner
    /// implementation (only a derived interface can); it throws.</summary>
    private static bool IsUnreachable(ISymbol member) => SkipRules.IsUnreachable(member);

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

    /// <summary>The [Cached] of the interface method, or of its implementation in <paramref name="implementation"/>;
    /// <paramref name="attributed"/> is the method carrying it, whose parameter names its key template uses.</summary>
    private static AttributeData? FindCachedAttribute(IMethodSymbol method, INamedTypeSymbol? implementation, out IMethodSymbol attributed)
    {
        attributed = method;
        var own = method.GetAttributes().FirstOrDefault(IsCachedAttribute);
        if (own is not null || implementation is null)
        {
            return own;
        }

        if (implementation.FindImplementationForInterfaceMember(method) is not IMethodSymbol implemented)
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
        var own = Escape(parameter.Name);
        var source = Escape(method.Parameters[parameter.Ordinal].Name) + field.Source.Substring(own.Length);
        return new KeyFieldInfo(field.PathKey, field.Root, field.Members, field.Type, source, field.Cast, field.Nullable);
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

        var cancellationTokenName = method.Parameters.FirstOrDefault(p => IsCancellationToken(p.Type))?.Name;
        // The template names the parameters of the method that carries [Cached] (the class's, when it is there), as the
        // analyzers read it.
        var templateText = data.KeyTemplate ?? DefaultTemplate(attributed, contract);
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
                : IsTypeArgumentPlaceholder(method, part) ? new KeySegmentModel(null, null, false, TypeArgumentName(method.ContainingType.TypeArguments[TypeParameterIndex(method.ContainingType, part.Path![0])]))
                : new KeySegmentModel(null, string.Join(".", part.Path!), part.Hash))
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

        if (TagInterpolations(attributed, data.Tags, fields) is not { } tags)
        {
            return null;
        }

        // Entries of different type arguments never share a key: a generic interface's methods carry the closed type's
        // arguments in their version segment, and a value type that mentions a type parameter is fingerprinted at run
        // time, once per closed type (docs/keys.md).
        var typeArguments = isGeneric ? GenericTypeArgumentsField
            : contract.IsGenericType ? DecoratorEmitterLiteral(string.Join(",", contract.TypeArguments.Select(TypeKeyName.Of)))
            : method.ContainingType.IsGenericType ? DecoratorEmitterLiteral(string.Join(",", method.ContainingType.TypeArguments.Select(TypeKeyName.Of)))
            : null;
        var runtimeShape = isGeneric && ContainsTypeParameter(valueType) ? valueType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : null;
        // A method inherited from a closed generic base (IOrderRepository : IRepository<Order>) shares its entries with
        // that base's decorators (CachedRepository<Order>, CachedRepositoryOfOrder): it has their method id, so a
        // remote L1 eviction by one reaches the others.
        var methodId = !isGeneric && method.ContainingType.IsGenericType && !SymbolEqualityComparer.Default.Equals(method.ContainingType, contract)
            && !method.ContainingType.TypeArguments.Any(ContainsTypeParameter)
            ? TypeKeyName.Of(method.ContainingType) + "." + method.Name
            : contractName + "." + method.Name;
        var model = new CachedMethodModel(
            types.Name(method.ContainingType),
            Escape(method.Name),
            methodId,
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
            tags.ToEquatableArray(),
            typeArguments,
            runtimeShape);
        return new CachedMethodInfo(model, method, data, fields);
    }

    /// <summary>The static field of a generic decorator holding its closed type's argument names.</summary>
    internal const string GenericTypeArgumentsField = "TypeArguments";

    /// <summary>The expression giving a type argument's key name: written at compile time when it is closed, found at
    /// run time (once per type) when it is a generic decorator's type parameter.</summary>
    private static string TypeArgumentName(ITypeSymbol argument)
        => argument.TypeKind == TypeKind.TypeParameter
            ? "global::CachedGen.Runtime.CacheTypeNames.Of(typeof(" + argument.Name + "))"
            : DecoratorEmitterLiteral(TypeKeyName.Of(argument));

    private static string DecoratorEmitterLiteral(string text) => Emitting.DecoratorEmitter.Literal(text);

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
        if (SkipRules.AfterWriteProblem(method) is null)
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
    private static List<string>? TagInterpolations(IMethodSymbol method, IReadOnlyList<string> templates, List<KeyFieldInfo> fields)
    {
        var result = new List<string>();
        var pathKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < fields.Count; i++)
        {
            pathKeys[fields[i].PathKey] = KeyTuple.Element(i);
        }

        foreach (var text in templates)
        {
            if (Interpolation(text, part => TagPlaceholderProblem(method, part, pathKeys.Keys) is null ? pathKeys[string.Join(".", part.Path!)] : null) is not { } interpolation)
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

        return new KeyFieldModel(field.Name, display, field.Source, field.Cast, isNullableValue, field.Type.TypeKind == TypeKind.TypeParameter);
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

                var write = ResolveQualifiedWrite(name, compilation, info.Syntax);
                if (write.Error is not null || write.Methods.Count != 1 || write.Methods[0].GetAttributes().Any(IsCachedAttribute)
                    || SkipRules.AfterWriteProblem(write.Methods[0]) is not null || SkipRules.ExternalWriteProblem(contract, write.Type!) is not null)
                {
                    continue;
                }

                var writer = write.Methods[0];
                if (SymbolEqualityComparer.Default.Equals(write.Type, contract) || contract.AllInterfaces.Contains(write.Type!, SymbolEqualityComparer.Default))
                {
                    info.QualifiedSelfWrites.Add(writer);
                }
                else if (externals is not null && MatchArguments(writer, info.Fields) is { } arguments)
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
