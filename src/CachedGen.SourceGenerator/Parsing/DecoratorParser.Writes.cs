// Writes: the invalidations, tag invalidations and puts a forwarded method carries.
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
    private static ForwardedMethodModel ToForwarded(IMethodSymbol method, List<CachedMethodInfo> cached, INamedTypeSymbol? implementation, Compilation compilation, TypeCache types, INamedTypeSymbol contract, List<ISymbol> members)
    {
        var tagInvalidations = new List<TagTemplateModel>();
        var puts = new List<InvalidationModel>();
        var kind = KindOf(method);
        var invalidations = new List<InvalidationModel>();
        if (SkipRules.InvalidatingWriteProblem(method) is null)
        {
            foreach (var target in cached)
            {
                if (!(target.Data.InvalidatedBy.Contains(method.Name, StringComparer.Ordinal) && CanBeNamedBy(target.Method, method)) && !target.QualifiedSelfWrites.Contains(method))
                {
                    continue;
                }

                if (MatchArguments(method, target.Fields, out var eachOf) is { } arguments)
                {
                    invalidations.Add(new InvalidationModel
                    {
                        // A batch method that shares its twin's cache is invalidated through it.
                        MemberName = target.Model.Batch?.TwinName ?? target.Model.MemberName,
                        KeyTemplate = target.Model.KeyTemplate,
                        KeyType = target.Model.KeyType,
                        Arguments = arguments.ToEquatableArray(),
                        EachOf = eachOf,
                    });
                }
            }

            foreach (var tag in InvalidatedTags(method, implementation))
            {
                if (WriteTag(method, tag) is { } template)
                {
                    tagInvalidations.Add(template);
                }
            }

            foreach (var name in AttributeStrings(method, implementation, KnownNames.CachePutAttribute))
            {
                var targets = cached.Where(c => c.Method.Name == name).ToList();
                if (targets.Count == 1 && PutProblem(method, ValueTypeOf(targets[0]), compilation) is null
                    && MatchArguments(method, targets[0].Fields) is { } arguments)
                {
                    puts.Add(new InvalidationModel
                    {
                        MemberName = targets[0].Model.MemberName,
                        KeyTemplate = targets[0].Model.KeyTemplate,
                        KeyType = targets[0].Model.KeyType,
                        Arguments = arguments.ToEquatableArray(),
                    });
                }
            }
        }

        return new ForwardedMethodModel
        {
            DeclaringInterface = types.Name(method.ContainingType),
            Name = Escape(method.Name),
            ReturnType = types.Name(method.ReturnType),
            Returns = method.ReturnsByRefReadonly ? RefReturn.RefReadOnly : method.ReturnsByRef ? RefReturn.Ref : RefReturn.None,
            Kind = kind,
            TypeParameters = method.TypeParameters.Select(t => Escape(t.Name)).ToEquatableArray(),
            Parameters = method.Parameters.Select(p => ToParameter(p, types)).ToEquatableArray(),
            Invalidations = invalidations.ToEquatableArray(),
            TagInvalidations = tagInvalidations.ToEquatableArray(),
            Puts = puts.ToEquatableArray(),
            Attributes = MemberShape.Attributes(method),
            Constraints = MemberShape.Constraints(method),
            Receiver = Receiver(method, contract, members, types),
            IsUnreachable = IsUnreachable(method),
            IsUnsafe = MemberShape.IsUnsafe(method),
            IsDisposal = IsDisposal(method),
        };
    }

    /// <summary><see cref="System.IDisposable.Dispose"/> or <see cref="System.IAsyncDisposable.DisposeAsync"/>, which the
    /// interface inherits.</summary>
    private static bool IsDisposal(IMethodSymbol method)
        => method.Parameters.Length == 0 && method.TypeParameters.Length == 0
            && ((method.Name == "Dispose" && method.ContainingType.HasFullName("System.IDisposable"))
                || (method.Name == "DisposeAsync" && method.ContainingType.HasFullName("System.IAsyncDisposable")));

    private static ITypeSymbol ValueTypeOf(CachedMethodInfo info)
    {
        TryGetCacheableResult(info.Method, out _, out var valueType);
        return valueType;
    }

    /// <summary>The strings of a <c>params string[]</c> attribute on the write, or on its implementation. A null array
    /// (<c>[InvalidatesTags(null!)]</c>) or a null element names nothing, and is skipped (the analyzers report it).</summary>
    private static IEnumerable<string> AttributeStrings(IMethodSymbol method, INamedTypeSymbol? implementation, string attributeName)
    {
        static bool Is(AttributeData a, string name) => a.AttributeClass.HasFullName(name);
        var attribute = method.GetAttributes().FirstOrDefault(a => Is(a, attributeName))
            ?? (implementation is null ? null : ImplementationOf(implementation, method))?.GetAttributes().FirstOrDefault(a => Is(a, attributeName));
        if (attribute is null || attribute.ConstructorArguments.Length != 1 || attribute.ConstructorArguments[0].Kind != TypedConstantKind.Array
            || attribute.ConstructorArguments[0].IsNull)
        {
            return [];
        }

        return attribute.ConstructorArguments[0].Values.Select(v => v.Value as string).Where(s => s is not null).Select(s => s!);
    }

    /// <summary>The tag templates of the write's <c>[InvalidatesTags]</c>, on the interface method or its implementation.</summary>
    private static IEnumerable<string> InvalidatedTags(IMethodSymbol method, INamedTypeSymbol? implementation)
        => AttributeStrings(method, implementation, KnownNames.InvalidatesTagsAttribute);
}
