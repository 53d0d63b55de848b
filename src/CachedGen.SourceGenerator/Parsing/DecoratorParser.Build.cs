// Building one interface's DecoratorModel: its members sorted into cached methods, writes, properties and events.
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
        if (members.Any(static m => SkipRules.IsImplementedByDecorator(m) && SkipRules.HasUnresolvedType(m)))
        {
            return null;
        }

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
        AttributeModel? classObsolete = null;
        for (var container = contract; container is not null && classObsolete is null; container = container.ContainingType)
        {
            classObsolete = MemberShape.Obsolete(container);
        }

        var experimental = new ExperimentalIds();
        experimental.AddType(contract);
        foreach (var member in members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!SkipRules.IsImplementedByDecorator(member) || IsInheritedOnly(member))
            {
                continue;
            }

            experimental.AddMember(member);

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
                    properties.Add(new ForwardedPropertyModel
                    {
                        DeclaringInterface = types.Name(property.ContainingType),
                        Name = property.IsIndexer ? "this" : Escape(property.Name),
                        Type = types.Name(property.Type),
                        Returns = property.ReturnsByRefReadonly ? RefReturn.RefReadOnly : property.ReturnsByRef ? RefReturn.Ref : RefReturn.None,
                        IndexerParameters = property.Parameters.Select(p => ToParameter(p, types)).ToEquatableArray(),
                        HasGetter = property.GetMethod is not null,
                        HasSetter = property.SetMethod is not null,
                        IsInitOnly = property.SetMethod?.IsInitOnly == true,
                        Attributes = MemberShape.Attributes(property),
                        Receiver = Receiver(property, contract, members, types),
                        IsUnreachable = IsUnreachable(property),
                        IsUnsafe = MemberShape.IsUnsafe(property),
                    });
                    break;
                case IEventSymbol { ExplicitInterfaceImplementations.Length: 0 } @event:
                    events.Add(new ForwardedEventModel
                    {
                        DeclaringInterface = types.Name(@event.ContainingType),
                        Name = Escape(@event.Name),
                        Type = types.Name(@event.Type),
                        Attributes = MemberShape.Attributes(@event),
                        Receiver = Receiver(@event, contract, members, types),
                        IsUnreachable = IsUnreachable(@event),
                    });
                    break;
            }
        }

        var parameterNames = new HashSet<string>(
            members.OfType<IMethodSymbol>().SelectMany(m => m.Parameters).Concat(members.OfType<IPropertySymbol>().SelectMany(p => p.Parameters)).Select(p => p.Name),
            StringComparer.Ordinal);
        var decoratorName = DecoratorName(contract);
        if (contract.IsGenericType && !isGeneric)
        {
            decoratorName += "Of" + string.Join("And", contract.TypeArguments.Select(SimpleName));
        }

        AssignMemberNames(cached, ReservedNames(contract, members, parameterNames, decoratorName, isGeneric));
        ShareBatchTwins(cached);
        foreach (var info in cached)
        {
            info.Model = info.Model with
            {
                Attributes = MemberShape.Attributes(info.Method),
                Obsolete = MemberShape.Obsolete(info.Method),
                Receiver = Receiver(info.Method, contract, members, types),
            };
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

        taken.Add(runtimeField);
        var originField = "_origin";
        while (taken.Contains(originField))
        {
            originField = "_" + originField;
        }

        var disposesInnerField = "_disposesInner";
        while (taken.Contains(disposesInnerField))
        {
            disposesInnerField = "_" + disposesInnerField;
        }

        // What the generated code reads from parameters (key and tag paths, a write's invalidation arguments) is named
        // in it too: an [Obsolete] member there is excused like an obsolete type (an error one left the method
        // uncached, CG0004), an [Experimental] one like an experimental type.
        var readsObsolete = false;
        foreach (var field in cached.SelectMany(c => c.Fields))
        {
            readsObsolete |= ReadsObsolete(field.Read, field.Type);
            foreach (var read in field.Read)
            {
                experimental.AddMember(read);
            }
        }

        for (var i = 0; i < writers.Count; i++)
        {
            foreach (var path in ReadPaths(forwarded[i]))
            {
                if (ResolveRead(writers[i], path) is { } resolved)
                {
                    readsObsolete |= ReadsObsolete(resolved.Members, resolved.Type);
                    foreach (var read in resolved.Members)
                    {
                        experimental.AddMember(read);
                    }
                }
            }
        }

        var usesObsolete = classObsolete is null
            && (readsObsolete || cached.Any(c => MemberShape.UsesObsolete(c.Method)) || writers.Any(MemberShape.UsesObsolete)
                || members.Any(m => m is IPropertySymbol or IEventSymbol && MemberShape.UsesObsolete(m)));

        var hintName = isGeneric ? contractName + "`" + contract.Arity.ToString(CultureInfo.InvariantCulture)
            : contractName.Replace('<', '(').Replace('>', ')');
        return new DecoratorModel
        {
            Namespace = @namespace,
            InterfaceName = contract.Name,
            InterfaceType = interfaceType,
            DecoratorName = decoratorName,
            IsPublic = IsPublic(contract) && contract.TypeArguments.All(IsPublicType),
            HintName = hintName + ".g.cs",
            InnerFieldName = innerField,
            CachedMethods = cached.Select(c => c.Model).ToEquatableArray(),
            ForwardedMethods = forwarded,
            ForwardedProperties = properties.ToEquatableArray(),
            ForwardedEvents = events.ToEquatableArray(),
            TypeParameters = isGeneric ? contract.TypeArguments.Select(t => TypeParameter((ITypeParameterSymbol)t, types)).ToEquatableArray() : default,
            GenericContractName = genericContractName,
            RuntimeFieldName = runtimeField,
            OriginFieldName = originField,
            DisposesInnerFieldName = disposesInnerField,
            ClassAttributes = (classObsolete is null ? [] : new[] { classObsolete }).ToEquatableArray(),
            SuppressesObsolete = usesObsolete,
            ExperimentalIds = experimental.ToEquatableArray(),
        };
    }

    /// <summary>The values a forwarded write's generated code reads from its parameters: its invalidations' and puts'
    /// key arguments and its tags' placeholders.</summary>
    private static IEnumerable<ValuePath> ReadPaths(ForwardedMethodModel method)
        => method.Invalidations.Concat(method.Puts).SelectMany(i => i.Arguments)
            .Concat(method.TagInvalidations.SelectMany(t => t.Parts).Select(p => p.Value).OfType<ValuePath>());

    /// <summary><paramref name="path"/> resolved over <paramref name="method"/>'s parameters again (the members it reads),
    /// or <see langword="null"/> when its root is no parameter (a batch write's element).</summary>
    internal static ResolvedPath? ResolveRead(IMethodSymbol method, ValuePath path)
        => path.Steps.Length == 0 ? null
            : method.Parameters.FirstOrDefault(p => p.Name == path.Root) is { } parameter ? ResolvePath(parameter, path.Steps.Select(s => s.Member).ToList())
            : null;

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
}
