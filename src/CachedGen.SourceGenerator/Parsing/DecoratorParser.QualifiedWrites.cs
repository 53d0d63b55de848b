// Type-qualified invalidatedBy names: writes of this interface or of another one that invalidate its entries.
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
    /// <summary>A write of another interface that invalidates an entry of the one being built.
    /// <paramref name="ReadsObsolete"/> and <paramref name="ExperimentalIds"/> are what the write's decorator then names:
    /// obsolete members its arguments read, and the ids of the experimental types and members of the entry and its
    /// arguments.</summary>
    private sealed record ExternalInvalidation(INamedTypeSymbol Contract, string Signature, InvalidationModel Invalidation, bool ReadsObsolete, EquatableArray<string> ExperimentalIds);

    private static string SignatureOf(ForwardedMethodModel method)
        => method.DeclaringInterface + "." + method.Name + "(" + string.Join(",", method.Parameters.Select(p => p.Passing + " " + p.Type)) + ")";

    private static string SignatureOf(IMethodSymbol method)
        => SignatureOf(new ForwardedMethodModel
        {
            DeclaringInterface = method.ContainingType.ToDisplayString(TypeFormat),
            Name = Escape(method.Name),
            ReturnType = "",
            Returns = RefReturn.None,
            Kind = ResultKind.Void,
            Parameters = method.Parameters.Select(ToParameter).ToEquatableArray(),
            Invalidations = EquatableArray<InvalidationModel>.Empty,
            TagInvalidations = EquatableArray<TagTemplateModel>.Empty,
        });

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

                var write = ResolveQualifiedWrite(name, compilation, info.Syntax, info.Method.ContainingType);
                if (write.Error is not null || write.Methods.Count != 1 || write.Methods[0].GetAttributes().Any(IsCachedAttribute)
                    || SkipRules.InvalidatingWriteProblem(write.Methods[0]) is not null || SkipRules.ExternalWriteProblem(contract, write.Type!) is not null)
                {
                    continue;
                }

                var writer = write.Methods[0];
                if (ImplementedBy(contract, write.Type!) is { } implemented)
                {
                    // This decorator implements the write: its interface, or one it inherits, as this interface closes it
                    // (the name may have been bound where another construction is in scope: a generic class's attribute).
                    if (implemented.GetMembers(writer.Name).OfType<IMethodSymbol>().FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, writer.OriginalDefinition)) is { } own)
                    {
                        info.QualifiedSelfWrites.Add(own);
                    }
                }
                else if (Inherits(write.Type!, contract))
                {
                    // The write's interface inherits this one: its own decorator caches this method too and invalidates
                    // it there (the same Redis entry, and in this process the same L1 when the method id is the same).
                    continue;
                }
                else if (externals is not null && MatchArguments(writer, info.Fields) is { } arguments)
                {
                    var experimental = new ExperimentalIds();
                    experimental.AddMember(info.Method);
                    var readsObsolete = false;
                    foreach (var field in info.Fields)
                    {
                        experimental.AddType(field.Type);
                    }

                    foreach (var argument in arguments)
                    {
                        if (ResolveRead(writer, argument) is { } read)
                        {
                            readsObsolete |= ReadsObsolete(read.Members, read.Type);
                            foreach (var member in read.Members)
                            {
                                experimental.AddMember(member);
                            }
                        }
                    }

                    externals.Add(new ExternalInvalidation(
                        write.Type!,
                        SignatureOf(writer),
                        new InvalidationModel
                        {
                            // A batch method sharing its twin's cache has the twin's descriptor.
                            MemberName = info.Model.Batch?.TwinName ?? info.Model.MemberName,
                            KeyTemplate = info.Model.KeyTemplate,
                            KeyType = info.Model.KeyType,
                            Arguments = arguments.ToEquatableArray(),
                            Decorator = decorator,
                            ValueType = info.Model.ValueType,
                        },
                        readsObsolete,
                        experimental.ToEquatableArray()));
                }
            }
        }
    }
}
