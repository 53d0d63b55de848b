using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

/// <summary>
/// Which members of a type MessagePack serializes, as CachedGen reads it: one rule for the shape fingerprint (part of
/// every key) and for the analyzers that walk cached values (CG0008, CG0009, CG0011, CG0014).
/// </summary>
internal static class SerializedShape
{
    /// <summary>The public instance properties (with a getter, not indexers) and fields (not compiler-generated)
    /// declared on <paramref name="type"/> and inherited from its bases, as MessagePack's contractless resolver writes
    /// them, that no <c>[IgnoreMember]</c> or <c>[IgnoreDataMember]</c> excludes, with their types: the type's own in
    /// declaration order, then each base's. A member hidden by one of the same name on a more derived type is left out.</summary>
    internal static ImmutableArray<(ISymbol Member, ITypeSymbol Type)> Members(ITypeSymbol type)
    {
        var members = ImmutableArray.CreateBuilder<(ISymbol Member, ITypeSymbol Type)>();
        HashSet<string>? hidden = null;
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            List<string>? names = null;
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.DeclaredAccessibility != Accessibility.Public || (hidden is not null && hidden.Contains(member.Name)))
                {
                    continue;
                }

                var memberType = member switch
                {
                    IPropertySymbol { IsIndexer: false, GetMethod: not null } property => property.Type,
                    IFieldSymbol { IsImplicitlyDeclared: false } field => field.Type,
                    _ => null,
                };
                if (memberType is null)
                {
                    continue;
                }

                (names ??= []).Add(member.Name);
                if (!IsIgnored(member))
                {
                    members.Add((member, memberType));
                }
            }

            if (names is not null && current.BaseType is not null)
            {
                (hidden ??= new HashSet<string>(StringComparer.Ordinal)).UnionWith(names);
            }
        }

        return members.ToImmutable();
    }

    /// <summary>Whether <c>[IgnoreMember]</c> (MessagePack) or <c>[IgnoreDataMember]</c> keeps the member out of the
    /// payload. (<c>[JsonIgnore]</c> does not: MessagePack does not read it.)</summary>
    internal static bool IsIgnored(ISymbol member)
    {
        foreach (var attribute in member.GetAttributes())
        {
            if (attribute.AttributeClass?.Name is "IgnoreMemberAttribute" or "IgnoreDataMemberAttribute")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the type's shape is the framework's (collections, primitives, dates): its formatter is fixed,
    /// so its members are not walked.</summary>
    internal static bool IsFrameworkType(ITypeSymbol type)
    {
        if (type.SpecialType != SpecialType.None)
        {
            return true;
        }

        // The outermost namespace, without building the full name (this runs for every member type walked).
        var root = type.OriginalDefinition.ContainingNamespace;
        while (root?.ContainingNamespace is { IsGlobalNamespace: false })
        {
            root = root.ContainingNamespace;
        }

        return root is { IsGlobalNamespace: false, Name: "System" or "Microsoft" };
    }
}
