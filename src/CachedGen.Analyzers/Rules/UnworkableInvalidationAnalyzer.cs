using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers.Rules;

/// <summary>CG0006: an <c>invalidatedBy</c> name that does not exist on the interface, is ambiguous, is itself cached,
/// or whose parameters cannot fill the key template.</summary>
public sealed class UnworkableInvalidationAnalyzer : CachedMethodAnalyzer
{
    /// <summary>Set when the argument is a string literal naming an existing method that <c>nameof</c> can name: the
    /// expression the fix writes instead (<c>nameof(Save)</c>, <c>$"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}"</c>).</summary>
    public const string UseNameofProperty = "UseNameof";

    /// <summary>The <c>nameof</c> expression that gives <paramref name="name"/> (a write's name, or one qualified with its
    /// interface), or <see langword="null"/> when none can: an interface that is generic needs C# 14's
    /// <c>nameof(IRepository&lt;&gt;)</c>, and before C# 14 only the string names it.</summary>
    internal static string? NameofExpression(string name, CachedSite site, Compilation compilation)
    {
        var dot = name.IndexOf('.');
        if (dot < 0)
        {
            return "nameof(" + name + ")";
        }

        var write = CacheRules.ResolveQualifiedWrite(name, compilation, site.Syntax, site.Method.ContainingType);
        return write.Type is { } type ? QualifiedNameof(name.Substring(0, dot), type, name.Substring(dot + 1), OptionsOf(site, compilation)) : null;
    }

    /// <summary>The parse options of the attribute's file (its language version), or of the compilation's first file.</summary>
    private static ParseOptions? OptionsOf(CachedSite site, Compilation compilation)
        => site.Syntax?.SyntaxTree.Options ?? compilation.SyntaxTrees.FirstOrDefault()?.Options;

    /// <summary><c>$"{nameof(IFormCommands)}.{nameof(IFormCommands.UpdateAsync)}"</c> for <paramref name="type"/>, written
    /// <paramref name="typeText"/>; a generic one as <c>IRepository&lt;&gt;</c>, from C# 14 (<see langword="null"/> before).</summary>
    private static string? QualifiedNameof(string typeText, INamedTypeSymbol type, string method, ParseOptions? options)
    {
        if (type.IsGenericType)
        {
            if (options is not CSharpParseOptions { LanguageVersion: >= (LanguageVersion)1400 })
            {
                return null;
            }

            typeText += "<" + new string(',', type.Arity - 1) + ">";
        }

        return $"$\"{{nameof({typeText})}}.{{nameof({typeText}.{method})}}\"";
    }

    internal override DiagnosticDescriptor Rule => DiagnosticDescriptors.UnworkableInvalidation;

    internal override void Analyze(SymbolAnalysisContext context, CachedSite site)
    {
        if (CacheRules.UncacheableReason(site.Method, out _, out _) is not null)
        {
            return; // not cached (CG0007 says why): nothing of it to invalidate, and one error says so
        }

        var expressions = site.InvalidatedByExpressions().ToList();
        var index = 0;
        foreach (var raw in site.RawStrings(2, "InvalidatedBy"))
        {
            var expression = index < expressions.Count ? expressions[index] : null;
            index++;
            var location = expression?.GetLocation() ?? site.AttributeLocation;
            if (raw is not { } name)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, location, "null", site.Method.Name, "null names no write method; remove it, or name one with nameof"));
                continue;
            }

            var (problem, found) = Check(site, name, context.Compilation);
            var properties = ImmutableDictionary<string, string?>.Empty;
            if (found && expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression)
                && name.IndexOf('.') == name.LastIndexOf('.') && NameofExpression(name, site, context.Compilation) is { } nameof)
            {
                properties = properties.Add(UseNameofProperty, nameof);
            }

            if (problem is not null)
            {
                context.ReportDiagnostic(Diagnostic.Create(Rule, location, properties, name, site.Method.Name, problem));
            }
        }
    }

    /// <summary>Why the <c>invalidatedBy</c> entry <paramref name="name"/> cannot invalidate the site's entries (or
    /// <see langword="null"/>), and whether it names an existing write.</summary>
    internal static (string? Problem, bool Found) Check(CachedSite site, string name, Compilation compilation)
    {
        List<IMethodSymbol> candidates;
        if (name.Contains('.'))
        {
            // Another interface's write (or this one's, qualified): resolved as the generator does.
            var write = CacheRules.ResolveQualifiedWrite(name, compilation, site.Syntax, site.Method.ContainingType);
            if (write.Error is not null)
            {
                return (write.Error, false);
            }

            candidates = write.Methods;
            foreach (var contract in CacheRules.ImplementedContracts(site.Method))
            {
                if (SkipRules.ExternalWriteProblem(contract, write.Type!) is { } external)
                {
                    return (external, true);
                }
            }
        }
        else
        {
            candidates = CacheRules.ImplementedContracts(site.Method)
                .SelectMany(c => new[] { c }.Concat(c.AllInterfaces))
                .SelectMany(i => i.GetMembers(name).OfType<IMethodSymbol>())
                .Distinct<IMethodSymbol>(SymbolEqualityComparer.Default)
                .ToList();
            if (candidates.Count == 0)
            {
                return (NoSuchWrite(site, name, compilation), false);
            }
        }

        if (candidates.Count > 1)
        {
            return ($"'{name}' is ambiguous ({candidates.Count} overloads): give the write that invalidates a name of its own, or tag the entries ([Cached(Tags = ...)]) and put [InvalidatesTags] on each overload", true);
        }

        var writer = candidates[0];
        if (writer.GetAttributes().Any(a => a.AttributeClass.HasFullName(KnownNames.CachedAttribute)))
        {
            return ($"'{name}' is itself cached: a read cannot invalidate", true);
        }

        if (SkipRules.InvalidatingWriteProblem(writer) is { } afterWrite)
        {
            return (afterWrite, true);
        }

        if (site.KeyFields is not { } fields)
        {
            return (null, true);
        }

        // A batch placeholder ({ids[]}) is filled by a collection of the same name, or by the element parameter named
        // without the plural s, on a write of the same interface (docs/batch.md).
        var qualified = name.Contains('.');
        if ((qualified ? CacheRules.MatchArguments(writer, fields) : CacheRules.MatchArguments(writer, fields, out _)) is null)
        {
            var missing = fields.First(f => (qualified ? CacheRules.MatchArguments(writer, [f]) : CacheRules.MatchArguments(writer, [f], out _)) is null);
            if (missing.PathKey.EndsWith("[]", System.StringComparison.Ordinal))
            {
                return ($"none of its parameters supplies the batch placeholder '{{{missing.PathKey}}}': name a collection of its elements '{missing.Root}'{(CacheRules.BatchElementParameter(missing.Root) is { } one ? $", or one element '{one}'" : "")}{(qualified ? " (on a write of the same interface)" : "")}", true);
            }

            return (CacheRules.WhyNotFilled(writer, missing) is { } why
                ? $"none of its parameters supplies '{missing.PathKey}' of the key: {why}"
                : $"none of its parameters supplies '{missing.PathKey}' of the key (match by name or member); use a tag for writes that do not know the key", true);
        }

        return (null, true);
    }

    /// <summary>Why a plain name finds no write: the interfaces searched, and what was probably meant, a method of theirs
    /// spelled alike or, when only another interface has a method of that name, the type-qualified form that names it.</summary>
    private static string NoSuchWrite(CachedSite site, string name, Compilation compilation)
    {
        var contracts = CacheRules.ImplementedContracts(site.Method).ToList();
        var searched = contracts.Count == 1
            ? $"'{contracts[0].Name}'" + (contracts[0].AllInterfaces.IsEmpty ? "" : " or the interfaces it inherits")
            : "the interface";
        var problem = $"no method named '{name}' on {searched}";
        var methods = contracts.SelectMany(c => new[] { c }.Concat(c.AllInterfaces))
            .SelectMany(i => i.GetMembers().OfType<IMethodSymbol>())
            .Where(m => m.MethodKind == MethodKind.Ordinary)
            .Select(m => m.Name);
        if (NameSuggestion.Closest(name, methods) is { } meant)
        {
            return problem + $"; did you mean '{meant}'?";
        }

        // A write of another interface (often one that derives from this one) is named with its type.
        var elsewhere = compilation.GetSymbolsWithName(name, SymbolFilter.Member)
            .OfType<IMethodSymbol>()
            .Where(m => m.ContainingType is { TypeKind: TypeKind.Interface })
            .Select(m => m.ContainingType)
            .OrderBy(t => contracts.Any(c => CacheRules.Inherits(t, c)) ? 0 : 1)
            .ThenBy(t => t.ToDisplayString(), System.StringComparer.Ordinal)
            .FirstOrDefault();
        if (elsewhere is null)
        {
            return problem;
        }

        // A generic interface's write invalidates only in a decorator that has both: one inheriting the method's interface,
        // or one the method's interface (a class: the interfaces it implements) inherits.
        var declaring = site.Method.ContainingType;
        if (elsewhere.IsGenericType && !contracts.Any(c => CacheRules.Inherits(elsewhere, c))
            && CacheRules.ImplementedBy(declaring, elsewhere) is null)
        {
            var reads = contracts.Count == 1 ? contracts[0].Name : declaring.Name;
            return problem + $"; '{elsewhere.Name}' has one, but it is generic and does not inherit '{reads}', so its writes cannot invalidate these entries: declare the write in an interface that inherits '{reads}', or tag the entries and put [InvalidatesTags] on it";
        }

        return problem + $"; to name the write of '{elsewhere.Name}', qualify it with its type: "
            + (QualifiedNameof(elsewhere.Name, elsewhere, name, OptionsOf(site, compilation)) ?? $"\"{elsewhere.Name}.{name}\" (a generic interface has no nameof form before C# 14)");
    }
}
