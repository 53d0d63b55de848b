// Member paths: a placeholder's parameter and its member chain, and how names are matched.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CachedGen.SourceGenerator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CachedGen.SourceGenerator;

internal static partial class CacheRules
{
    internal static ResolvedPath? ResolvePath(IParameterSymbol parameter, IReadOnlyList<string> members)
    {
        var path = ValuePath.Of(parameter.Name);
        ITypeSymbol type = parameter.Type;
        var nullable = false;
        foreach (var memberName in members)
        {
            // Trust the annotation: a non-nullable parameter is dereferenced directly, a nullable one (reference or
            // value type) conditionally, and the key value is then nullable too.
            var conditional = type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated;
            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
            {
                conditional = true;
                type = nullableValue.TypeArguments[0];
            }

            if (FindMember(type, memberName) is not { } member)
            {
                return null;
            }

            nullable |= conditional;
            path = path.Then(member.Name, conditional);
            type = MemberType(member);
        }

        return new ResolvedPath(type, path, nullable);
    }

    /// <summary>The member a path segment names on <paramref name="type"/> (a <see cref="Nullable{T}"/> is looked
    /// through): a public instance property with a getter or field, declared on the type, a base type or an interface;
    /// the exact name, else the only match ignoring case. One rule for the generator and every analyzer.</summary>
    internal static ISymbol? FindMember(ITypeSymbol type, string name)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return FindByName(
            AllMembers(type).Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m is IPropertySymbol { IsIndexer: false, GetMethod: not null } or IFieldSymbol),
            name,
            m => m.Name);
    }

    /// <summary>The type of a property or field.</summary>
    internal static ITypeSymbol MemberType(ISymbol member) => member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;

    internal static IEnumerable<ISymbol> AllMembers(ITypeSymbol type)
    {
        if (type is ITypeParameterSymbol parameter)
        {
            // A value typed by a type parameter has the members of its constraints: `entity.Id` of a `TEntity` where
            // TEntity : BaseEntity, or IEntity<TKey>, binds to the constraint's member, as C# binds it.
            foreach (var constraint in parameter.ConstraintTypes)
            {
                foreach (var member in AllMembers(constraint))
                {
                    yield return member;
                }
            }

            yield break;
        }

        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                yield return member;
            }
        }

        foreach (var implemented in type.AllInterfaces)
        {
            foreach (var member in implemented.GetMembers())
            {
                yield return member;
            }
        }
    }

    /// <summary><see cref="FindByName"/> over a method's parameters, without boxing their array's enumerator (this runs
    /// for every placeholder of every cached method).</summary>
    internal static IParameterSymbol? FindParameter(ImmutableArray<IParameterSymbol> parameters, string name)
    {
        var match = new NameMatch<IParameterSymbol>(name);
        foreach (var parameter in parameters)
        {
            if (match.IsExact(parameter, parameter.Name))
            {
                return parameter;
            }
        }

        return match.Loose;
    }

    internal static T? FindByName<T>(IEnumerable<T> candidates, string name, Func<T, string> nameOf)
        where T : class
    {
        var match = new NameMatch<T>(name);
        foreach (var candidate in candidates)
        {
            if (match.IsExact(candidate, nameOf(candidate)))
            {
                return candidate;
            }
        }

        return match.Loose;
    }

    /// <summary>How a placeholder's name picks a parameter or member: an exact match wins; otherwise a match ignoring
    /// case, when it is the only one.</summary>
    private struct NameMatch<T>(string name)
        where T : class
    {
        private T? _loose;
        private string? _looseName;
        private int _looseCount;

        /// <summary>Whether <paramref name="candidate"/> is the exact match; remembers it when it matches ignoring case.</summary>
        public bool IsExact(T candidate, string candidateName)
        {
            if (string.Equals(candidateName, name, StringComparison.Ordinal))
            {
                return true;
            }

            // The same name seen again (a class's `Id` and the `Id` of an interface it implements, which C# binds to the
            // class's) is the same match, not an ambiguity: the first one stays.
            if (string.Equals(candidateName, name, StringComparison.OrdinalIgnoreCase)
                && !(_looseCount > 0 && string.Equals(candidateName, _looseName, StringComparison.Ordinal)))
            {
                _loose = candidate;
                _looseName = candidateName;
                _looseCount++;
            }

            return false;
        }

        /// <summary>The only match ignoring case, if there was exactly one.</summary>
        public readonly T? Loose => _looseCount == 1 ? _loose : null;
    }

    internal static ITypeSymbol Underlying(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);

    internal static bool IsNullableValue(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T };
}

internal sealed record ResolvedPath(ITypeSymbol Type, ValuePath Value, bool Nullable);
