using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Emitting;
using CachedGen.SourceGenerator.Model;
using CachedGen.SourceGenerator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace CachedGen.SourceGenerator;

/// <summary>
/// Emits a cache-aside decorator for every interface with a <c>[Cached]</c> method (on the interface, or on a class
/// method implementing it). Parser → equatable model → emitter; invalid input is left uncached and reported by the
/// analyzers, never by the generator.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CachedGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var defaults = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.CachedDefaultsAttribute,
                static (node, _) => node is CompilationUnitSyntax,
                DecoratorParser.ParseDefaults)
            .WithTrackingName(TrackingNames.Defaults)
            .Collect()
            .Select(static (all, _) => all.IsDefaultOrEmpty ? DefaultsModel.None : all[0]);

        var decorators = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.CachedAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                DecoratorParser.Parse)
            .WithTrackingName(TrackingNames.Parse)
            .SelectMany(static (models, _) => models)
            .Collect();

        var derived = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => DecoratorParser.NamesGenericBase(node), DecoratorParser.ParseDerived)
            .WithTrackingName(TrackingNames.Derived)
            .SelectMany(static (models, _) => models)
            .Collect();

        var all = decorators
            .Combine(derived)
            .Select(static (both, _) => both.Left.AddRange(both.Right))
            .Combine(defaults)
            .SelectMany(static (input, _) => Complete(input.Left, input.Right))
            .WithTrackingName(TrackingNames.Model);

        context.RegisterSourceOutput(all, static (output, model) => output.AddSource(model.HintName, DecoratorEmitter.Emit(model)));
    }

    /// <summary>One model per interface (several [Cached] methods of one interface parse to the same model), with the
    /// assembly defaults applied. A method without a TTL and without an assembly default stays uncached.</summary>
    internal static ImmutableArray<DecoratorModel> Complete(ImmutableArray<DecoratorModel> models, DefaultsModel defaults)
    {
        var order = new List<string>();
        var byHint = new Dictionary<string, DecoratorModel>(System.StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (byHint.TryGetValue(model.HintName, out var existing))
            {
                byHint[model.HintName] = Merge(existing, model);
            }
            else
            {
                order.Add(model.HintName);
                byHint.Add(model.HintName, model);
            }
        }

        return order.Select(hint => ApplyDefaults(byHint[hint], defaults)).ToImmutableArray();
    }

    /// <summary>Two models of one interface: its own, and one built by a reader whose entries its writes invalidate
    /// (type-qualified <c>invalidatedBy</c>). The one that saw more cached methods is kept (a class-level [Cached]
    /// is seen only from the class), with every write's invalidations from both.</summary>
    private static DecoratorModel Merge(DecoratorModel first, DecoratorModel second)
    {
        var (keep, other) = second.CachedMethods.Count > first.CachedMethods.Count ? (second, first) : (first, second);
        var forwarded = keep.ForwardedMethods.Select(method =>
        {
            var twin = other.ForwardedMethods.FirstOrDefault(o => o.DeclaringInterface == method.DeclaringInterface && o.Name == method.Name && o.Parameters.Equals(method.Parameters));
            if (twin is null)
            {
                return method;
            }

            var added = twin.Invalidations.Where(i => !method.Invalidations.Contains(i)).ToList();
            return added.Count == 0 ? method : method with { Invalidations = method.Invalidations.Concat(added).ToEquatableArray() };
        }).ToEquatableArray();
        return keep with { ForwardedMethods = forwarded };
    }

    private static DecoratorModel ApplyDefaults(DecoratorModel model, DefaultsModel defaults)
    {
        var defaultTtl = TtlParser.TryParse(defaults.Ttl, out var ttl) && ttl > System.TimeSpan.Zero ? ttl.Ticks : 0;
        var cached = new List<CachedMethodModel>();
        var uncached = new List<CachedMethodModel>();
        foreach (var method in model.CachedMethods)
        {
            if (method.TtlTicks > 0)
            {
                cached.Add(method with { KeyPrefix = defaults.KeyPrefix });
            }
            else if (defaultTtl > 0)
            {
                cached.Add(method with { KeyPrefix = defaults.KeyPrefix, TtlTicks = defaultTtl, TtlText = defaults.Ttl! });
            }
            else
            {
                uncached.Add(method);
            }
        }

        if (uncached.Count == 0 && defaults.KeyPrefix.Length == 0)
        {
            return model;
        }

        var dropped = new HashSet<string>(uncached.Select(m => m.MemberName), System.StringComparer.Ordinal);
        var forwarded = model.ForwardedMethods
            .Select(m => m with { Invalidations = m.Invalidations.Where(i => !dropped.Contains(i.MemberName)).ToEquatableArray() })
            .Concat(uncached.Select(m => new ForwardedMethodModel(m.DeclaringInterface, m.Name, m.ReturnType, "", m.Kind, "", m.Parameters, EquatableArray<InvalidationModel>.Empty, EquatableArray<string>.Empty)))
            .ToEquatableArray();
        return model with { CachedMethods = cached.ToEquatableArray(), ForwardedMethods = forwarded };
    }
}
