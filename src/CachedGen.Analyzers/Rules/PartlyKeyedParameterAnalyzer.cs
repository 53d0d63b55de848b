using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>
/// CG0024: the key template reads some members of a parameter (<c>{query.ClinicId}</c>) and leaves others out
/// (<c>query.DoctorId</c>, <c>query.Page</c>): two callers whose query objects differ only in those share one entry,
/// which CG0005 does not see, since the parameter is in the template. Not reported when the template reads the object's
/// identity (a member named <c>Id</c> or <c>{Type}Id</c>: an entity passed whole and keyed by its id), for a type of
/// the framework (<c>{day.Year}</c> of a <c>DateOnly</c> is a deliberate grouping), for a type parameter (the closing
/// type's members are not known), or for members marked <c>[NotCacheKey]</c>. Only the parameter's own members are
/// compared (<c>{query.Range.From}</c> counts <c>Range</c> as read).
/// </summary>
public sealed class PartlyKeyedParameterAnalyzer : CachedMethodAnalyzer
{
    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.PartlyKeyedParameter;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        // A template CG0004 refuses leaves the method uncached: nothing is shared.
        if (site.OwnKey is not { } template || site.KeyFields is null)
        {
            return;
        }

        var read = new Dictionary<IParameterSymbol, List<string>>(SymbolEqualityComparer.Default);
        var whole = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var part in template.Parts)
        {
            if (!part.IsPlaceholder || CacheRules.FindParameter(site.Method.Parameters, part.Path![0]) is not { } parameter)
            {
                continue;
            }

            if (part.IsBatch || part.Path.Count == 1)
            {
                whole.Add(parameter);
                continue;
            }

            if (!read.TryGetValue(parameter, out var members))
            {
                read[parameter] = members = [];
            }

            if (CacheRules.FindMember(parameter.Type, part.Path[1]) is { } member && !members.Contains(member.Name))
            {
                members.Add(member.Name);
            }
        }

        foreach (var entry in read)
        {
            var parameter = entry.Key;
            if (whole.Contains(parameter) || CacheRules.Underlying(parameter.Type) is not INamedTypeSymbol type || !IsApplicationType(type)
                || entry.Value.Any(name => IsIdentity(name, type)))
            {
                continue;
            }

            var left = KeyableMembers(type).Where(m => !entry.Value.Contains(m.Name) && !IsMarkedNotCacheKey(m)).Select(m => m.Name).ToList();
            if (left.Count == 0)
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                site.Argument(1, "KeyTemplate")?.Expression.GetLocation() ?? site.AttributeLocation,
                site.Method.Name,
                List(entry.Value),
                parameter.Name,
                List(left),
                string.Join(", ", left.Select(name => "{" + parameter.Name + "." + name + "}"))));
        }
    }

    /// <summary>A class, struct, record or interface (a query or specification interface) of the application or a library
    /// it uses, not of the framework: the members
    /// of a <c>DateOnly</c>, a <c>TimeSpan</c> or a <c>Uri</c> are not query fields.</summary>
    private static bool IsApplicationType(INamedTypeSymbol type)
    {
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct or TypeKind.Interface) || type.SpecialType != SpecialType.None)
        {
            return false;
        }

        var root = type.ContainingNamespace;
        while (root is { ContainingNamespace.IsGlobalNamespace: false })
        {
            root = root.ContainingNamespace;
        }

        return root is null || root.IsGlobalNamespace || root.Name is not ("System" or "Microsoft");
    }

    /// <summary>A member named <c>Id</c> or after its type (<c>PatientId</c> of a <c>Patient</c>): the template keys the
    /// object by its identity.</summary>
    private static bool IsIdentity(string member, INamedTypeSymbol type)
        => string.Equals(member, "Id", StringComparison.OrdinalIgnoreCase)
           || string.Equals(member, type.Name + "Id", StringComparison.OrdinalIgnoreCase);

    /// <summary>The members a placeholder could read (<see cref="CacheRules.IsKeyableMember"/>), each name once.</summary>
    private static IEnumerable<ISymbol> KeyableMembers(INamedTypeSymbol type)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in CacheRules.ReachableMembers(type))
        {
            if (CacheRules.IsKeyableMember(member) && !member.IsImplicitlyDeclared && seen.Add(member.Name))
            {
                yield return member;
            }
        }
    }

    private static bool IsMarkedNotCacheKey(ISymbol member)
        => member.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.NotCacheKeyAttribute))
           || (member is IPropertySymbol { OverriddenProperty: { } overridden } && IsMarkedNotCacheKey(overridden));

    private static string List(IReadOnlyList<string> names)
        => names.Count == 1
            ? "'" + names[0] + "'"
            : string.Join(", ", names.Take(names.Count - 1).Select(n => "'" + n + "'")) + " and '" + names[names.Count - 1] + "'";
}
