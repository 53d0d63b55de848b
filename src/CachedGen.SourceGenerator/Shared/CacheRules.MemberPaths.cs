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
        var read = ImmutableArray.CreateBuilder<ISymbol>(members.Count);
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
            read.Add(member);
            path = path.Then(member.Name, conditional);
            type = MemberType(member);
        }

        return new ResolvedPath(type, path, nullable) { Members = read.MoveToImmutable() };
    }

    /// <summary>Why generated code cannot read <paramref name="resolved"/> (named <paramref name="path"/> as the template
    /// writes it, or else by its parameter and members), or <see langword="null"/>: a member on the path (or its getter)
    /// is <c>[Obsolete(error: true)]</c>, CS0619 in the decorator, which no <c>#pragma</c> suppresses; or the value's
    /// type is, which the key tuple names. A parameter itself has nothing to check. The path's names are written out only
    /// for a problem. One rule for the generator (the method stays uncached), CG0004 and the matching of writes.</summary>
    internal static string? ObsoletePathProblem(ResolvedPath resolved, IReadOnlyList<string>? path = null)
    {
        for (var i = 0; i < resolved.Members.Length; i++)
        {
            var member = resolved.Members[i];
            if (SkipRules.IsErrorObsolete(member) || (member is IPropertySymbol { GetMethod: { } getter } && SkipRules.IsErrorObsolete(getter)))
            {
                return $"'{string.Join(".", (path ?? PathNames(resolved.Value)).Take(i + 2))}' is [Obsolete(error: true)]: generated code cannot read it";
            }
        }

        return resolved.Members.Length > 0 && SkipRules.ErrorObsolete(resolved.Type) is { } type
            ? $"'{string.Join(".", path ?? PathNames(resolved.Value))}' is a '{type.ToDisplayString()}', which is [Obsolete(error: true)]: generated code cannot name it"
            : null;
    }

    /// <summary>A value's parameter and member names, in order (<c>query</c>, <c>TenantId</c>).</summary>
    internal static IReadOnlyList<string> PathNames(ValuePath value)
        => new[] { value.Root }.Concat(value.Steps.Select(step => step.Member)).ToList();

    /// <summary>Whether reading <paramref name="members"/> (to a value of <paramref name="type"/>) uses an <c>[Obsolete]</c> member (or getter) or names a value
    /// of an obsolete type (CS0612, CS0618 in the decorator, which then suppresses them).</summary>
    internal static bool ReadsObsolete(ImmutableArray<ISymbol> members, ITypeSymbol type)
        => members.Any(m => SkipRules.IsObsolete(m) || (m is IPropertySymbol { GetMethod: { } getter } && SkipRules.IsObsolete(getter)))
           || (members.Length > 0 && SkipRules.NamesObsolete(type));

    /// <summary>The member a path segment names on <paramref name="type"/> (a <see cref="Nullable{T}"/> is looked
    /// through): a public instance property with a public getter, or a public instance field, that <c>value.Name</c>
    /// reaches in C#: declared on the type or a base type (a derived member hides a base member of its name), or, for an
    /// interface or a type parameter, on an interface it inherits (a member two unrelated interfaces declare is
    /// ambiguous). An explicit implementation, or an interface's default member, is not reached through a class. The
    /// exact name, else the only match ignoring case. One rule for the generator and every analyzer.</summary>
    internal static ISymbol? FindMember(ITypeSymbol type, string name)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        ISymbol? exact = null;
        var exactCount = 0;
        ISymbol? loose = null;
        var looseCount = 0;
        foreach (var member in ReachableMembers(type))
        {
            if (!IsKeyableMember(member))
            {
                continue;
            }

            if (string.Equals(member.Name, name, StringComparison.Ordinal))
            {
                exact = member;
                exactCount++;
            }
            else if (string.Equals(member.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                loose = member;
                looseCount++;
            }
        }

        return exactCount == 1 ? exact : exactCount == 0 && looseCount == 1 ? loose : null;
    }

    /// <summary>Whether a placeholder's path segment may name <paramref name="member"/>: a public instance property (not
    /// an indexer) with a public getter, or a public instance field. One rule for <see cref="FindMember"/> and CG0024's
    /// list of the members a template leaves out.</summary>
    internal static bool IsKeyableMember(ISymbol member)
        => !member.IsStatic && member.DeclaredAccessibility == Accessibility.Public
           && member is IPropertySymbol { IsIndexer: false, GetMethod.DeclaredAccessibility: Accessibility.Public } or IFieldSymbol;

    /// <summary>The type of a property or field.</summary>
    internal static ITypeSymbol MemberType(ISymbol member) => member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;

    /// <summary>The members <c>value.Name</c> can reach on a value of <paramref name="type"/>, each name once per
    /// declaring type that is not hidden: a member of a base type (or base interface) is left out when a more derived
    /// type (or an interface deriving from its interface) declares a member of the same name.</summary>
    internal static IEnumerable<ISymbol> ReachableMembers(ITypeSymbol type)
    {
        if (type is ITypeParameterSymbol parameter)
        {
            // A value typed by a type parameter has the members of its constraints, as C# binds `entity.Id` of a TEntity
            // where TEntity : BaseEntity, IEntity<TKey>: the class constraint's members first, and they hide the
            // interfaces' members of the same name; a member reached through two constraints is one member.
            var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var fromClass = new HashSet<string>(StringComparer.Ordinal);
            foreach (var constraint in parameter.ConstraintTypes.OrderBy(c => c.TypeKind == TypeKind.Interface ? 1 : 0))
            {
                var isInterface = constraint.TypeKind == TypeKind.Interface;
                foreach (var member in ReachableMembers(constraint))
                {
                    if ((isInterface && fromClass.Contains(member.Name)) || !seen.Add(member))
                    {
                        continue;
                    }

                    if (!isInterface)
                    {
                        fromClass.Add(member.Name);
                    }

                    yield return member;
                }
            }

            yield break;
        }

        var hidden = new HashSet<string>(StringComparer.Ordinal);
        for (var current = type; current is not null; current = current.BaseType)
        {
            var declared = new List<string>();
            foreach (var member in current.GetMembers())
            {
                if (!hidden.Contains(member.Name))
                {
                    declared.Add(member.Name);
                    yield return member;
                }
            }

            hidden.UnionWith(declared);
        }

        if (type.TypeKind is not (TypeKind.Interface or TypeKind.TypeParameter))
        {
            yield break;
        }

        // Interfaces: a member of a base interface is hidden by a member of the same name in an interface deriving from
        // it (or in the type itself); members of unrelated interfaces stay side by side (C# reports them ambiguous).
        var interfaces = type.AllInterfaces;
        foreach (var implemented in interfaces)
        {
            foreach (var member in implemented.GetMembers())
            {
                if (hidden.Contains(member.Name) && type.TypeKind == TypeKind.Interface)
                {
                    continue;
                }

                var isHidden = false;
                foreach (var other in interfaces)
                {
                    if (!SymbolEqualityComparer.Default.Equals(other, implemented)
                        && other.AllInterfaces.Contains(implemented, SymbolEqualityComparer.Default)
                        && !other.GetMembers(member.Name).IsEmpty)
                    {
                        isHidden = true;
                        break;
                    }
                }

                if (!isHidden)
                {
                    yield return member;
                }
            }
        }
    }

    /// <summary>The parameter a placeholder names (an exact match, else the only match ignoring case), without boxing
    /// the array's enumerator (this runs for every placeholder of every cached method).</summary>
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

internal sealed record ResolvedPath(ITypeSymbol Type, ValuePath Value, bool Nullable)
{
    /// <summary>The properties and fields read, in order (empty for a parameter itself).</summary>
    public ImmutableArray<ISymbol> Members { get; init; } = ImmutableArray<ISymbol>.Empty;
}
