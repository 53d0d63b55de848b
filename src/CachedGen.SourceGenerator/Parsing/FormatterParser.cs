using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>Symbols to <see cref="FormattersModel"/>: the formatters the value of one <c>[Cached]</c> method needs
/// (<see cref="FormatterRules"/> decides which, and which it cannot write; the analyzer reports those as CG0020).</summary>
internal static class FormatterParser
{
    // The formatters of each value type, per compilation: the methods of one interface usually return one type, and each
    // method's transform would walk it again. A model depends on the type and the compilation alone, so whichever
    // transform walks a type first gives every other the same (equal) model.
    private static readonly ConditionalWeakTable<Compilation, ConcurrentDictionary<ITypeSymbol, FormattersModel>> Walked = new();

    public static FormattersModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || CacheRules.UncacheableReason(method, out _, out var valueType) is not null)
        {
            return FormattersModel.Empty;
        }

        return ModelOf(valueType, context.SemanticModel.Compilation, cancellationToken);
    }

    /// <summary>The formatters <paramref name="valueType"/> needs, walked once per compilation and type (with its
    /// nullability).</summary>
    private static FormattersModel ModelOf(ITypeSymbol valueType, Compilation compilation, CancellationToken cancellationToken)
    {
        var models = Walked.GetValue(compilation, static _ => new ConcurrentDictionary<ITypeSymbol, FormattersModel>(SymbolEqualityComparer.IncludeNullability));
        return models.TryGetValue(valueType, out var known)
            ? known
            : models.GetOrAdd(valueType, Model(FormatterRules.Walk(valueType, compilation, cancellationToken)));
    }

    private static FormattersModel Model(FormatterRules rules)
    {
        var experimental = new ExperimentalIds();
        foreach (var shape in rules.Objects)
        {
            experimental.AddType(shape.Type);
            if (shape.Constructor is { } constructor)
            {
                experimental.AddMember(constructor);
            }

            foreach (var member in shape.Members)
            {
                experimental.AddMember(member.Member);
            }
        }

        foreach (var entry in rules.Entries)
        {
            experimental.AddType(entry.Type);
        }

        return new()
        {
            Objects = rules.Objects.Select(Object).ToEquatableArray(),
            Entries = rules.Entries.Select(e => new FormatterEntryModel(FormatterRules.Name(e.Type), e.Creation)).ToEquatableArray(),
            ExperimentalIds = experimental.ToEquatableArray(),
        };
    }

    /// <summary>The formatters a non-generic interface needs for the [Cached] methods it inherits from closed generic
    /// bases (<c>IOrderRepository : IRepository&lt;Order&gt;</c>): their values are built from the base's type
    /// parameters, which <see cref="Parse"/> cannot close, while the derived interface's decorator stores them with the
    /// closed type (<c>Order</c>), whose formatters must then be written here.</summary>
    public static FormattersModel ParseDerived(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.SemanticModel.GetDeclaredSymbol(context.Node, cancellationToken) is not INamedTypeSymbol { TypeKind: TypeKind.Interface, IsGenericType: false } contract)
        {
            return FormattersModel.Empty;
        }

        var models = new List<FormattersModel>();
        foreach (var inherited in contract.AllInterfaces)
        {
            if (!inherited.IsGenericType || SymbolEqualityComparer.Default.Equals(inherited, inherited.OriginalDefinition))
            {
                continue;
            }

            foreach (var method in inherited.GetMembers().OfType<IMethodSymbol>())
            {
                if (method.OriginalDefinition.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.CachedAttribute))
                    && CacheRules.UncacheableReason(method, out _, out var valueType) is null)
                {
                    models.Add(ModelOf(valueType, context.SemanticModel.Compilation, cancellationToken));
                }
            }
        }

        return models.Count == 0 ? FormattersModel.Empty : Merge(models);
    }

    /// <summary>The generic interface a [Cached] method belongs to, by simple name and arity (<c>IRepository`1</c>), or
    /// empty: the names <see cref="ParseNamedConstructions"/> looks for.</summary>
    public static string GenericCachedInterface(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        => context.TargetSymbol is IMethodSymbol { ContainingType: { TypeKind: TypeKind.Interface, Arity: > 0 } contract }
            ? contract.Name + "`" + contract.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : "";

    /// <summary>A generic name written in the source (<c>IRepository&lt;Order&gt;</c>): syntax only, so the step that
    /// sees every generic name of the compilation binds none of them.</summary>
    public static bool IsGenericName(SyntaxNode node, CancellationToken cancellationToken)
        => node is GenericNameSyntax { TypeArgumentList.Arguments.Count: > 0 } name && !name.IsUnboundGenericName;

    /// <summary>Where <see cref="IsGenericName"/> found a generic name, and which (<c>IRepository`1</c>).</summary>
    public static GenericNameUse GenericNameUseOf(GeneratorSyntaxContext context, CancellationToken cancellationToken)
    {
        var name = (GenericNameSyntax)context.Node;
        return new GenericNameUse(name.Identifier.ValueText + "`" + name.Arity.ToString(System.Globalization.CultureInfo.InvariantCulture), name.SyntaxTree.FilePath, name.Span.Start, name.Span.Length);
    }

    /// <summary>
    /// The formatters of the values of generic [Cached] interfaces closed where the compilation names them
    /// (<c>AddScoped&lt;IRepository&lt;Order&gt;, EfRepository&lt;Order&gt;&gt;()</c>, a constructor parameter
    /// <c>IRepository&lt;Order&gt;</c>): the generic decorator stores <c>Order</c> at run time, and finds these formatters
    /// in the generated resolver instead of building them with MessagePack's contractless resolver. Only the uses whose
    /// name is one of <paramref name="interfaces"/> are bound.
    /// </summary>
    public static FormattersModel ParseNamedConstructions(ImmutableArray<GenericNameUse> uses, ImmutableArray<string> interfaces, Compilation compilation, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(interfaces.Where(i => i.Length > 0), System.StringComparer.Ordinal);
        if (names.Count == 0)
        {
            return FormattersModel.Empty;
        }

        var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        var models = new List<FormattersModel>();
        foreach (var byFile in uses.Where(u => names.Contains(u.Name)).GroupBy(u => u.FilePath, System.StringComparer.Ordinal))
        {
            var tree = compilation.SyntaxTrees.FirstOrDefault(t => string.Equals(t.FilePath, byFile.Key, System.StringComparison.Ordinal));
            if (tree is null)
            {
                continue;
            }

            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot(cancellationToken);
            foreach (var use in byFile)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (use.Start + use.Length > root.FullSpan.End
                    || root.FindNode(new Microsoft.CodeAnalysis.Text.TextSpan(use.Start, use.Length), getInnermostNodeForTie: true) is not GenericNameSyntax node
                    || model.GetSymbolInfo(node, cancellationToken).Symbol is not INamedTypeSymbol { TypeKind: TypeKind.Interface } closed
                    || SymbolEqualityComparer.Default.Equals(closed, closed.OriginalDefinition)
                    || closed.TypeArguments.Any(SymbolExtensions.ContainsTypeParameter)
                    || !seen.Add(closed))
                {
                    continue;
                }

                foreach (var method in closed.GetMembers().OfType<IMethodSymbol>())
                {
                    if (method.OriginalDefinition.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.CachedAttribute))
                        && CacheRules.UncacheableReason(method, out _, out var valueType) is null)
                    {
                        models.Add(ModelOf(valueType, compilation, cancellationToken));
                    }
                }
            }
        }

        return models.Count == 0 ? FormattersModel.Empty : Merge(models);
    }

    /// <summary>The formatters of every method, once each, in ordinal order of their type names (two builds write the
    /// same file whatever order the methods were seen in).</summary>
    public static FormattersModel Merge(IEnumerable<FormattersModel> models)
    {
        var objects = new SortedDictionary<string, ObjectFormatterModel>(System.StringComparer.Ordinal);
        var entries = new SortedDictionary<string, FormatterEntryModel>(System.StringComparer.Ordinal);
        var experimental = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var model in models)
        {
            experimental.UnionWith(model.ExperimentalIds);
            foreach (var formatter in model.Objects)
            {
                objects[formatter.TypeName] = formatter;
            }

            foreach (var entry in model.Entries)
            {
                entries[entry.TypeName] = entry;
            }
        }

        return new FormattersModel { Objects = objects.Values.ToEquatableArray(), Entries = entries.Values.ToEquatableArray(), ExperimentalIds = experimental.ToEquatableArray() };
    }

    private static ObjectFormatterModel Object(FormatterRules.ObjectShape shape)
    {
        var members = shape.Members.Select(m => new FormattedMemberModel
        {
            Name = Identifier(m.Member.Name),
            Key = m.Key,
            TypeName = FormatterRules.DeclaredName(m.Type),
            Inline = FormatterRules.IsInline(m.Type) ? m.Type.SpecialType.ToString().Substring("System_".Length) : "",
            ConstructorParameter = m.ConstructorParameter,
            Settable = m.Settable,
            Accessor = m.Settable && m.Access != FormatterRules.MemberAccess.Direct ? (m.Access == FormatterRules.MemberAccess.Setter ? "Method" : "Field") : "",
            AccessorTarget = m.Settable && m.Access != FormatterRules.MemberAccess.Direct ? m.AccessorTarget : "",
            DeclaringTypeName = m.Settable && m.Access != FormatterRules.MemberAccess.Direct ? FormatterRules.Name(m.Member.ContainingType) : "",
        }).ToEquatableArray();
        return new ObjectFormatterModel
        {
            TypeName = FormatterRules.Name(shape.Type),
            FormatterName = FormatterName(shape.Type),
            IsValueType = shape.Type.IsValueType,
            CanBeDerived = !shape.Type.IsValueType && !shape.Type.IsSealed,
            ArrayLayout = shape.ArrayLayout,
            ArrayLength = shape.ArrayLayout && members.Count > 0 ? int.Parse(members[members.Count - 1].Key, System.Globalization.CultureInfo.InvariantCulture) + 1 : 0,
            HasConstructor = shape.Constructor is not null,
            ConstructorArity = shape.Constructor?.Parameters.Length ?? 0,
            ConstructorIsNonPublic = shape.ConstructorIsNonPublic,
            Members = members,
            VerifiesRoundTrip = shape.VerifiesRoundTrip,
        };
    }

    /// <summary>The type's full name as an identifier: <c>Forms.FormSchema</c> → <c>Forms_FormSchemaFormatter</c>,
    /// <c>Shop.Page&lt;Shop.Item&gt;</c> → <c>Shop_Page_Shop_Item_Formatter</c>.</summary>
    private static string FormatterName(ITypeSymbol type)
    {
        var text = new StringBuilder();
        foreach (var c in type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat))
        {
            text.Append(char.IsLetterOrDigit(c) ? c : '_');
        }

        var name = text.ToString().Trim('_');
        while (name.Contains("__"))
        {
            name = name.Replace("__", "_");
        }

        return name + (text[text.Length - 1] == '>' ? "_Formatter" : "Formatter");
    }

    private static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}

/// <summary>A generic name in the source: its simple name and arity (<c>IRepository`1</c>) and its span.</summary>
internal sealed record GenericNameUse(string Name, string FilePath, int Start, int Length);
