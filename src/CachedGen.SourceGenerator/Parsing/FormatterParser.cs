using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator.Parsing;

/// <summary>Symbols to <see cref="FormattersModel"/>: the formatters the value of one <c>[Cached]</c> method needs
/// (<see cref="FormatterRules"/> decides which, and which it cannot write; the analyzer reports those as CG0020).</summary>
internal static class FormatterParser
{
    public static FormattersModel Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || CacheRules.UncacheableReason(method, out _, out var valueType) is not null)
        {
            return FormattersModel.Empty;
        }

        return Model(FormatterRules.Walk(valueType, context.SemanticModel.Compilation, cancellationToken));
    }

    private static FormattersModel Model(FormatterRules rules)
        => new()
        {
            Objects = rules.Objects.Select(Object).ToEquatableArray(),
            Entries = rules.Entries.Select(e => new FormatterEntryModel(FormatterRules.Name(e.Type), e.Creation)).ToEquatableArray(),
        };

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
                    models.Add(Model(FormatterRules.Walk(valueType, context.SemanticModel.Compilation, cancellationToken)));
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
        foreach (var model in models)
        {
            foreach (var formatter in model.Objects)
            {
                objects[formatter.TypeName] = formatter;
            }

            foreach (var entry in model.Entries)
            {
                entries[entry.TypeName] = entry;
            }
        }

        return new FormattersModel { Objects = objects.Values.ToEquatableArray(), Entries = entries.Values.ToEquatableArray() };
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
            ArrayLayout = shape.ArrayLayout,
            ArrayLength = shape.ArrayLayout && members.Count > 0 ? int.Parse(members[members.Count - 1].Key, System.Globalization.CultureInfo.InvariantCulture) + 1 : 0,
            HasConstructor = shape.Constructor is not null,
            ConstructorArity = shape.Constructor?.Parameters.Length ?? 0,
            ConstructorIsNonPublic = shape.ConstructorIsNonPublic,
            Members = members,
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
