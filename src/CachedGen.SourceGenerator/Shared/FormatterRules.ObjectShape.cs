using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

// The shape of one object type a formatter writes: its serialized members with their keys, how each is read and set
// (directly, or through an [UnsafeAccessor] for private setters, read-only fields and hidden constructors), and the
// constructor a read calls.
internal sealed partial class FormatterRules
{
    /// <summary>The shape of <paramref name="type"/>: its serialized members with their keys, and the constructor a
    /// read calls; null with the reason when the generator cannot write it.</summary>
    private static ObjectShape? Shape(INamedTypeSymbol type, bool unsafeAccessors, out string? problem)
    {
        var contract = Attribute(type, "MessagePack.MessagePackObjectAttribute");
        var byName = contract is null || (contract.ConstructorArguments.Length == 1 && contract.ConstructorArguments[0].Value is true)
            || contract.NamedArguments.Any(a => a.Key == "keyAsPropertyName" && a.Value.Value is true);
        var serialized = SerializedShape.Members(type);
        var keys = new List<(ISymbol Member, ITypeSymbol Type, string Key, int Index)>();
        var arrayLayout = false;
        foreach (var (member, memberType) in serialized)
        {
            if (byName)
            {
                keys.Add((member, memberType, member.Name, -1));
                continue;
            }

            var key = Attribute(member, "MessagePack.KeyAttribute");
            switch (key is { ConstructorArguments.Length: 1 } ? key.ConstructorArguments[0].Value : null)
            {
                case int index:
                    arrayLayout = true;
                    keys.Add((member, memberType, index.ToString(System.Globalization.CultureInfo.InvariantCulture), index));
                    break;
                case string name:
                    keys.Add((member, memberType, name, -1));
                    break;
                default:
                    problem = $"is [MessagePackObject] and its member '{member.Name}' has no [Key]";
                    return null;
            }
        }

        if (arrayLayout && keys.Any(k => k.Index < 0))
        {
            problem = "mixes [Key(int)] and [Key(string)]";
            return null;
        }

        if (arrayLayout)
        {
            keys.Sort((a, b) => a.Index.CompareTo(b.Index));
            if (keys.Select(k => k.Index).Distinct().Count() != keys.Count)
            {
                problem = "uses one [Key] index twice";
                return null;
            }
        }

        // [UnsafeAccessor] (.NET 8) reaches non-public setters, backing fields and constructors of a non-generic type
        // (generic targets need the accessor declared on a generic class of the same arity): what an EF Core entity
        // with private setters and a protected constructor needs to be read back whole.
        var accessors = unsafeAccessors && !type.IsGenericType && (type.ContainingType is null || !type.ContainingType.IsGenericType);
        var constructor = Constructor(type, keys, accessors, out problem);
        if (constructor is null && type.TypeKind == TypeKind.Class)
        {
            return null;
        }

        var members = keys.Select(k =>
        {
            var parameter = constructor is null ? -1 : IndexOfParameter(constructor, k.Member.Name, k.Type);
            if (parameter >= 0)
            {
                return new ShapeMember(k.Member, k.Type, k.Key, parameter, settable: false);
            }

            var (access, target) = Access(k.Member, accessors);
            if (access == MemberAccess.Direct && constructor is { DeclaredAccessibility: not Accessibility.Public } && k.Member is IPropertySymbol { SetMethod: { IsInitOnly: true } init })
            {
                // Created through an accessor, not `new`: no object initializer to set an init-only member in.
                (access, target) = (MemberAccess.Setter, init.MetadataName);
            }

            return new ShapeMember(k.Member, k.Type, k.Key, parameter, access is not null, access ?? MemberAccess.Direct, target);
        }).ToImmutableArray();
        problem = null;
        return new ObjectShape(type, arrayLayout, members, constructor);
    }

    /// <summary>How a read sets a member no constructor parameter takes, or null when it cannot (a computed
    /// property: its value is read and dropped).</summary>
    private static (MemberAccess? Access, string Target) Access(ISymbol member, bool accessors)
    {
        switch (member)
        {
            case IPropertySymbol { SetMethod: { DeclaredAccessibility: Accessibility.Public } }:
            case IFieldSymbol { IsReadOnly: false, IsConst: false }:
                return (MemberAccess.Direct, "");
            case IPropertySymbol { SetMethod: { } setter } when accessors && AccessibleTarget(member):
                return (MemberAccess.Setter, setter.MetadataName);
            case IPropertySymbol property when accessors && AccessibleTarget(member) && BackingField(property) is { } field:
                return (MemberAccess.Field, field.MetadataName);
            case IFieldSymbol { IsReadOnly: true, IsConst: false } when accessors && AccessibleTarget(member):
                return (MemberAccess.Field, member.MetadataName);
            default:
                return (null, "");
        }
    }

    /// <summary>A class's non-public parameterless constructor (an EF Core entity's <c>protected Order() { }</c>),
    /// which a generated formatter calls through an <c>[UnsafeAccessor]</c> when no public constructor fits; null
    /// for a generic type (an accessor cannot name it) or when there is none. CG0008 asks the same.</summary>
    internal static IMethodSymbol? HiddenParameterlessConstructor(INamedTypeSymbol type)
        => type.TypeKind == TypeKind.Class && !type.IsAbstract && !type.IsGenericType && (type.ContainingType is null || !type.ContainingType.IsGenericType)
            ? type.InstanceConstructors.FirstOrDefault(c => c.Parameters.Length == 0 && c.DeclaredAccessibility != Accessibility.Public)
            : null;

    /// <summary>Whether an accessor can name the member's declaring type (a base declared in a generic type cannot).</summary>
    private static bool AccessibleTarget(ISymbol member)
        => member.ContainingType is { IsGenericType: false } declaring && (declaring.ContainingType is null || !declaring.ContainingType.IsGenericType);

    /// <summary>A get-only auto-property's backing field, when the compiler sees it (declared in source).</summary>
    private static IFieldSymbol? BackingField(IPropertySymbol property)
    {
        foreach (var candidate in property.ContainingType.GetMembers())
        {
            if (candidate is IFieldSymbol field && SymbolEqualityComparer.Default.Equals(field.AssociatedSymbol, property))
            {
                return field;
            }
        }

        return null;
    }

    /// <summary>MessagePack's choice: the <c>[SerializationConstructor]</c>, else the public constructor with the most
    /// parameters all of which match a serialized member by name (any case) and type; else, where accessors are
    /// available, a non-public parameterless constructor (an EF Core entity's <c>protected Order() { }</c>).</summary>
    private static IMethodSymbol? Constructor(INamedTypeSymbol type, List<(ISymbol Member, ITypeSymbol Type, string Key, int Index)> keys, bool accessors, out string? problem)
    {
        var candidates = type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public).ToList();
        var marked = candidates.FirstOrDefault(c => Attribute(c, "MessagePack.SerializationConstructorAttribute") is not null);
        foreach (var candidate in marked is not null ? new[] { marked } : candidates.OrderByDescending(c => c.Parameters.Length).ToArray())
        {
            if (candidate.Parameters.All(p => keys.Any(k => Matches(p, k.Member.Name, k.Type))))
            {
                problem = null;
                return candidate;
            }
        }

        if (accessors && marked is null && HiddenParameterlessConstructor(type) is { } hidden)
        {
            problem = null;
            return hidden;
        }

        problem = candidates.Count == 0 && type.TypeKind == TypeKind.Class
            ? "has no public constructor to create it on read"
            : "has no public constructor whose parameters all match serialized members by name and type";
        return null;
    }

    private static int IndexOfParameter(IMethodSymbol constructor, string name, ITypeSymbol type)
    {
        for (var i = 0; i < constructor.Parameters.Length; i++)
        {
            if (Matches(constructor.Parameters[i], name, type))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Matches(IParameterSymbol parameter, string name, ITypeSymbol type)
        => string.Equals(parameter.Name, name, System.StringComparison.OrdinalIgnoreCase) && SymbolEqualityComparer.Default.Equals(parameter.Type, type);
}
