using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

/// <summary>
/// Values that round-trip without an error but not whole, reported by CG0008: a class whose subclasses (declared in
/// this assembly) add serialized members, so an instance of one (a <c>CardPayment</c> returned as its EF Core TPH base
/// <c>Payment</c>) is read back as the base type without them; a member hidden with <c>new</c>, whose base value
/// is not written; and a computed property over state no member writes.
/// </summary>
internal static class LossRules
{
    private static readonly ConditionalWeakTable<Compilation, Dictionary<INamedTypeSymbol, INamedTypeSymbol>> Subclasses = new();

    /// <summary>Why an instance of <paramref name="type"/> can come back with less than it had (<c>'Payment', which
    /// ...</c>, to follow "member 'Receipt.Payment' is "), or null.</summary>
    internal static string? Loss(INamedTypeSymbol type, Compilation compilation)
    {
        if (Has(type, "MessagePack.UnionAttribute") || Has(type, "MessagePack.MessagePackFormatterAttribute"))
        {
            return Hidden(type);
        }

        if (type.TypeKind != TypeKind.Class || type.IsSealed || type.IsAbstract || type.IsStatic)
        {
            return Hidden(type) ?? Unwritten(type);
        }

        if (SubclassesOf(compilation).TryGetValue(type.OriginalDefinition, out var derived))
        {
            var added = SerializedShape.Members(derived).Select(m => m.Member.Name).Except(SerializedShape.Members(type).Select(m => m.Member.Name)).FirstOrDefault() ?? "its own members";
            return $"'{Display(type)}', which is not sealed, and '{Display(derived)}' derives from it: MessagePack writes the declared type, so a {Display(derived)} is read back as a {Display(type)}, without '{added}'; cache a type per subclass, a DTO, or declare the subclasses with [Union] on an abstract base";
        }

        return Hidden(type) ?? Unwritten(type);
    }

    /// <summary>A computed property (no setter, no backing field) that reads an instance field no serialized member
    /// writes (<c>Items => _items.AsReadOnly()</c> over a private list, the usual DDD aggregate): the property is written,
    /// but nothing reads it back into the field, so the value comes back without it. A field the getter assigns (a lazy
    /// cache, <c>_slug ??= ...</c>) is recomputed after a read and is not a loss. Source types only: the getter's text is
    /// read.</summary>
    private static string? Unwritten(INamedTypeSymbol type)
    {
        var members = SerializedShape.Members(type);
        var written = new HashSet<string>(members.Select(m => m.Member.Name), System.StringComparer.Ordinal);
        Dictionary<string, IFieldSymbol>? state = null;
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var field in current.GetMembers().OfType<IFieldSymbol>())
            {
                if (!field.IsStatic && !field.IsConst && !field.IsImplicitlyDeclared && field.AssociatedSymbol is null
                    && !written.Contains(field.Name) && !field.DeclaringSyntaxReferences.IsEmpty)
                {
                    state ??= new Dictionary<string, IFieldSymbol>(System.StringComparer.Ordinal);
                    if (!state.ContainsKey(field.Name))
                    {
                        state[field.Name] = field; // the most derived one: a base's field of the same name is hidden
                    }
                }
            }
        }

        if (state is null)
        {
            return null;
        }

        foreach (var (member, _) in members)
        {
            if (member is not IPropertySymbol { SetMethod: null } property
                || property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property)))
            {
                continue; // settable, or a get-only auto-property: its backing field is set on read
            }

            foreach (var reference in property.DeclaringSyntaxReferences)
            {
                var getter = reference.GetSyntax();
                var assigned = new HashSet<string>(
                    getter.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax>()
                        .Select(a => a.Left is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access ? access.Name.Identifier.ValueText : a.Left.ToString()),
                    System.StringComparer.Ordinal);
                foreach (var name in getter.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax>())
                {
                    var text = name.Identifier.ValueText;
                    if (state.TryGetValue(text, out var field) && !assigned.Contains(text))
                    {
                        return $"'{Display(type)}', whose '{property.Name}' is computed from '{field.Name}', which is not written: read back from Redis it comes back without it; make '{property.Name}' an auto-property ('{{ get; private set; }}'), or cache a DTO";
                    }
                }
            }
        }

        return null;
    }

    /// <summary>A base member hidden with <c>new</c> by one of the same name: only the derived one is written.</summary>
    private static string? Hidden(INamedTypeSymbol type)
    {
        var written = new HashSet<string>(SerializedShape.Members(type).Select(m => m.Member.Name), System.StringComparer.Ordinal);
        for (var current = type.BaseType; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public || !written.Contains(member.Name) || member.IsImplicitlyDeclared)
                {
                    continue;
                }

                if (member is IPropertySymbol { IsIndexer: false, GetMethod: not null, SetMethod: not null } or IFieldSymbol { IsReadOnly: false, IsConst: false }
                    && !SerializedShape.Members(type).Any(m => SymbolEqualityComparer.Default.Equals(m.Member, member)) && !IsOverride(type, member))
                {
                    return $"'{Display(type)}', whose '{Display(current)}.{member.Name}' is hidden by a member of the same name ('new'): only the derived one is written, so the base one comes back as its default; rename one, or mark the base one [IgnoreMember] if it holds the same value";
                }
            }
        }

        return null;
    }

    private static bool IsOverride(INamedTypeSymbol type, ISymbol baseMember)
    {
        for (var current = type; current is not null && !SymbolEqualityComparer.Default.Equals(current, baseMember.ContainingType); current = current.BaseType)
        {
            foreach (var member in current.GetMembers(baseMember.Name))
            {
                for (var overridden = (member as IPropertySymbol)?.OverriddenProperty; overridden is not null; overridden = overridden.OverriddenProperty)
                {
                    if (SymbolEqualityComparer.Default.Equals(overridden, baseMember))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>For each class of this assembly that has one, a non-abstract subclass of this assembly that adds
    /// serialized members (the first in declaration order); computed once per compilation.</summary>
    private static Dictionary<INamedTypeSymbol, INamedTypeSymbol> SubclassesOf(Compilation compilation)
        => Subclasses.GetValue(compilation, static c =>
        {
            var map = new Dictionary<INamedTypeSymbol, INamedTypeSymbol>(SymbolEqualityComparer.Default);
            var stack = new Stack<INamespaceOrTypeSymbol>();
            stack.Push(c.Assembly.GlobalNamespace);
            while (stack.Count > 0)
            {
                foreach (var member in stack.Pop().GetMembers())
                {
                    if (member is INamespaceOrTypeSymbol container)
                    {
                        stack.Push(container);
                    }

                    if (member is not INamedTypeSymbol { TypeKind: TypeKind.Class, IsAbstract: false, IsStatic: false } derived)
                    {
                        continue;
                    }

                    var own = SerializedShape.Members(derived).Length;
                    for (var current = derived.BaseType; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
                    {
                        if (SerializedShape.Members(current).Length < own && !map.ContainsKey(current.OriginalDefinition))
                        {
                            map[current.OriginalDefinition] = derived;
                        }
                    }
                }
            }

            return map;
        });

    private static bool Has(ISymbol symbol, string attribute)
        => symbol.GetAttributes().Any(a => a.AttributeClass.HasFullName(attribute));

    private static string Display(ITypeSymbol type) => type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
}
