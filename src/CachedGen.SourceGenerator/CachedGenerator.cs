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
/// method implementing it), and for every interface whose writes carry <c>[InvalidatesTags]</c> or are named by
/// another's <c>invalidatedBy</c>. Parser → equatable model → emitter; input it cannot honour is left out and reported
/// by the analyzers as an error (each reason is one function in Shared/SkipRules.cs or CacheRules.cs, called by both),
/// never by the generator.
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

        var cached = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.CachedAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                DecoratorParser.Parse)
            .WithTrackingName(TrackingNames.Parse)
            .SelectMany(static (models, _) => models)
            .Collect();

        // Writes with [InvalidatesTags] or [CachePut]: on an interface that caches nothing itself, or on a class method
        // while [Cached] is on the interface, only they lead to the decorator that honours them.
        var tagWriters = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.InvalidatesTagsAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (context, token) => DecoratorParser.ParseWriter(context, KnownNames.InvalidatesTagsAttribute, token))
            .WithTrackingName(TrackingNames.ParseWriters)
            .SelectMany(static (models, _) => models)
            .Collect();
        var putWriters = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.CachePutAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                static (context, token) => DecoratorParser.ParseWriter(context, KnownNames.CachePutAttribute, token))
            .WithTrackingName(TrackingNames.ParseWriters)
            .SelectMany(static (models, _) => models)
            .Collect();

        var derived = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => DecoratorParser.NamesGenericBase(node), DecoratorParser.ParseDerived)
            .WithTrackingName(TrackingNames.Derived)
            .SelectMany(static (models, _) => models)
            .Collect();

        var all = cached
            .Combine(tagWriters)
            .Select(static (input, _) => input.Left.AddRange(input.Right))
            .Combine(putWriters)
            .Select(static (input, _) => input.Left.AddRange(input.Right))
            .Combine(derived)
            .Select(static (input, _) => input.Left.AddRange(input.Right))
            .Combine(defaults)
            .SelectMany(static (input, _) => Complete(input.Left, input.Right))
            .WithTrackingName(TrackingNames.Model);

        // In a build that trims or publishes with Native AOT a generic decorator is written but not registered for
        // AddCachedGen: closing it is dynamic code and its fingerprint reflection (BuildProperties; CG0020 says so).
        var trimmedOrAot = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => BuildProperties.TrimmedOrAot(options.GlobalOptions));

        // Below C# 11 the generated code would not compile (file types): nothing is written, and CG0021 names each
        // [Cached] method instead of compiler errors in generated files.
        var languageSupported = context.ParseOptionsProvider.Select(static (options, _) => SkipRules.LanguageVersionSupported(options));
        context.RegisterSourceOutput(all.Combine(trimmedOrAot).Combine(languageSupported), static (output, input) =>
        {
            if (input.Right)
            {
                output.AddSource(input.Left.Left.HintName, DecoratorEmitter.Emit(input.Left.Left, registerGeneric: !input.Left.Right));
            }
        });

        // One file of MessagePack formatters for every value the assembly's cached methods store (FormatterEmitter).
        // Interfaces that close a generic base cache its methods with the closed type: its formatters come from them.
        var derivedFormatters = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => DecoratorParser.NamesGenericBase(node), FormatterParser.ParseDerived)
            .WithTrackingName(TrackingNames.Formatters)
            .Collect();

        // Generic [Cached] interfaces closed where the compilation names them (IRepository<Order> in a registration or a
        // constructor): the formatters of the closed values, for the generic decorator to find at run time. Every
        // generic name is collected by syntax alone; only those named like a generic [Cached] interface are bound.
        var genericInterfaces = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.CachedAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                FormatterParser.GenericCachedInterface)
            .Collect();
        var namedConstructions = context.SyntaxProvider
            .CreateSyntaxProvider(FormatterParser.IsGenericName, FormatterParser.GenericNameUseOf)
            .Collect()
            .Combine(genericInterfaces)
            .Combine(context.CompilationProvider)
            .Select(static (input, token) => FormatterParser.ParseNamedConstructions(input.Left.Left, input.Left.Right, input.Right, token))
            .WithTrackingName(TrackingNames.Formatters);

        var formatters = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.CachedAttribute,
                static (node, _) => node is MethodDeclarationSyntax,
                FormatterParser.Parse)
            .WithTrackingName(TrackingNames.Formatters)
            .Collect()
            .Combine(derivedFormatters)
            .Combine(namedConstructions)
            .Select(static (all, _) => FormatterParser.Merge(all.Left.Left.AddRange(all.Left.Right).Add(all.Right)))
            .WithTrackingName(TrackingNames.FormatterSet);
        context.RegisterSourceOutput(formatters.Combine(languageSupported), static (output, input) =>
        {
            var model = input.Left;
            if (input.Right && (model.Objects.Count > 0 || model.Entries.Count > 0))
            {
                output.AddSource(FormatterEmitter.HintName, FormatterEmitter.Emit(model));
            }
        });
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

    /// <summary>Two models of one interface: its own, one built by a reader whose entries its writes invalidate
    /// (type-qualified <c>invalidatedBy</c>), or one built from its implementing class (a class-level [Cached],
    /// [InvalidatesTags] or [CachePut] is seen only from the class). The one that saw more cached methods is kept, with
    /// every write's invalidations, tags and puts from both.</summary>
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

            // A model built from the interface and one built from its implementing class: each may have seen attributes
            // the other did not (those on the class's methods), so the write keeps all of them.
            var added = twin.Invalidations.Where(i => !method.Invalidations.Contains(i)).ToList();
            var addedTags = twin.TagInvalidations.Where(t => !method.TagInvalidations.Contains(t)).ToList();
            var addedPuts = twin.Puts.Where(p => !method.Puts.Contains(p)).ToList();
            return added.Count == 0 && addedTags.Count == 0 && addedPuts.Count == 0
                ? method
                : method with
                {
                    Invalidations = method.Invalidations.Concat(added).ToEquatableArray(),
                    TagInvalidations = method.TagInvalidations.Concat(addedTags).ToEquatableArray(),
                    Puts = method.Puts.Concat(addedPuts).ToEquatableArray(),
                };
        }).ToEquatableArray();
        return keep with
        {
            ForwardedMethods = forwarded,
            SuppressesObsolete = keep.SuppressesObsolete || (keep.ClassAttributes.Count == 0 && other.SuppressesObsolete),
            ExperimentalIds = keep.ExperimentalIds.Concat(other.ExperimentalIds).Distinct().OrderBy(id => id, System.StringComparer.Ordinal).ToEquatableArray(),
        };
    }

    private static DecoratorModel ApplyDefaults(DecoratorModel model, DefaultsModel defaults)
    {
        var cached = new List<CachedMethodModel>();
        var uncached = new List<CachedMethodModel>();
        foreach (var method in model.CachedMethods)
        {
            // A method's own TTL was checked when it was parsed (a bad one left it out of the model).
            if (!SkipRules.HasTtl(method.TtlText.Length > 0 ? method.TtlText : null, defaults.Ttl))
            {
                uncached.Add(method);
            }
            else if (method.TtlTicks > 0)
            {
                cached.Add(method with { KeyPrefix = defaults.KeyPrefix });
            }
            else
            {
                SkipRules.TtlProblem(defaults.Ttl!, allowZero: false, out var ttl);
                cached.Add(method with { KeyPrefix = defaults.KeyPrefix, TtlTicks = ttl.Ticks, TtlText = defaults.Ttl! });
            }
        }

        if (uncached.Count == 0 && defaults.KeyPrefix.Length == 0)
        {
            return model;
        }

        var dropped = new HashSet<string>(uncached.Select(m => m.MemberName), System.StringComparer.Ordinal);
        var forwarded = model.ForwardedMethods
            .Select(m => m with { Invalidations = m.Invalidations.Where(i => !dropped.Contains(i.MemberName)).ToEquatableArray() })
            .Concat(uncached.Select(m => new ForwardedMethodModel
            {
                DeclaringInterface = m.DeclaringInterface,
                Name = m.Name,
                ReturnType = m.ReturnType,
                Returns = RefReturn.None,
                Kind = m.Kind,
                Parameters = m.Parameters,
                Invalidations = EquatableArray<InvalidationModel>.Empty,
                TagInvalidations = EquatableArray<TagTemplateModel>.Empty,
            }))
            .ToEquatableArray();
        return model with { CachedMethods = cached.ToEquatableArray(), ForwardedMethods = forwarded };
    }
}
