using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>
/// Recognises personal data by metadata name, so no package is needed: CachedGen's <c>[PersonalData]</c>, ASP.NET
/// Core Identity's <c>[PersonalData]</c> and <c>[ProtectedPersonalData]</c>, any attribute deriving from
/// Microsoft.Extensions.Compliance's <c>DataClassificationAttribute</c> (on the member or on its type), the data
/// annotations <c>[EmailAddress]</c>, <c>[Phone]</c> and <c>[CreditCard]</c>, and names: <see cref="DefaultNames"/>,
/// or <c>cachedgen.personal_data_names</c> in .editorconfig instead, plus <c>cachedgen.additional_personal_data_names</c>.
/// </summary>
internal sealed class PersonalData
{
    /// <summary>Names that replace <see cref="DefaultNames"/>.</summary>
    public const string NamesOption = "cachedgen.personal_data_names";

    /// <summary>Names added to the others (<see cref="DefaultNames"/>, or those of <see cref="NamesOption"/>).</summary>
    public const string AdditionalNamesOption = "cachedgen.additional_personal_data_names";

    /// <summary>Names, normalised (lower case, no <c>_</c>), that mean personal data: a name matches when it equals one or
    /// ends with one (<c>customerEmail</c>, <c>mobilePhone</c>, <c>cellphone</c> and <c>telephone</c> end with <c>phone</c>).
    /// Specific on purpose: no bare <c>name</c> or <c>address</c> (a product's name, a server's address), and no
    /// <c>fullname</c> (<c>Type.FullName</c>, <c>Assembly.FullName</c>). docs/diagnostics/CG0001.md lists them.</summary>
    public static readonly string[] DefaultNames =
    [
        "email", "emailaddress", "phone", "phonenumber", "phoneno", "mobile", "mobilenumber", "mobileno", "username",
        "ssn", "socialsecuritynumber", "password",
        "dateofbirth", "birthdate", "birthday", "dob",
        "creditcard", "creditcardnumber", "cardnumber", "iban", "ipaddress",
        "passport", "passportnumber", "passportno", "nationalid", "taxid",
        "driverslicense", "driverlicense", "driverslicensenumber", "driverlicensenumber", "drivinglicense", "drivinglicence",
        "homeaddress", "streetaddress", "postaladdress", "mailingaddress",
    ];

    // Attributes that mark personal data, also as base types (Microsoft.Extensions.Compliance's classifications
    // derive from DataClassificationAttribute).
    private static readonly HashSet<string> AttributeNames = new(StringComparer.Ordinal)
    {
        "CachedGen.PersonalDataAttribute",
        "Microsoft.AspNetCore.Identity.PersonalDataAttribute",
        "Microsoft.AspNetCore.Identity.ProtectedPersonalDataAttribute",
        "Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute",

        // Data annotations that say what a string holds: an e-mail address, a phone number, a card number.
        "System.ComponentModel.DataAnnotations.EmailAddressAttribute",
        "System.ComponentModel.DataAnnotations.PhoneAttribute",
        "System.ComponentModel.DataAnnotations.CreditCardAttribute",
    };

    // Their simple names, compared first: every attribute of every member and member type is checked, up its base types.
    private static readonly HashSet<string> AttributeSimpleNames = new(AttributeNames.Select(n => n.Substring(n.LastIndexOf('.') + 1)), StringComparer.Ordinal);

    private readonly string[] _names;

    private PersonalData(string[] names) => _names = names;

    /// <summary>The names for <paramref name="tree"/>: those of <see cref="NamesOption"/> when it is set, else
    /// <see cref="DefaultNames"/>; plus those of <see cref="AdditionalNamesOption"/>.</summary>
    public static PersonalData For(AnalyzerOptions options, SyntaxTree? tree)
    {
        if (tree is null)
        {
            return Default;
        }

        var config = options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        config.TryGetValue(NamesOption, out var configured);
        config.TryGetValue(AdditionalNamesOption, out var additional);
        if (configured is null && additional is null)
        {
            return Default;
        }

        // One instance per setting: a project's files share their .editorconfig, and CG0009 keeps what it finds in a
        // value type per instance (CompilationFacts.PerType).
        return Configured.GetOrAdd((configured, additional), static settings =>
        {
            var names = settings.Names is { } replaced ? Names(replaced) : DefaultNames;
            return new PersonalData(settings.Additional is { } added ? names.Concat(Names(added)).Distinct(StringComparer.Ordinal).ToArray() : names);
        });
    }

    private static readonly PersonalData Default = new(DefaultNames);

    private static readonly ConcurrentDictionary<(string? Names, string? Additional), PersonalData> Configured = new();

    private static string[] Names(string option) => option.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(Normalize).ToArray();

    /// <summary>Whether the symbol (parameter, property, field) is personal data: by its attributes, its type's
    /// attributes, or its name. The name is not read for a <see cref="bool"/> (or <c>bool?</c>), which says whether,
    /// not who: <c>bool includePhone</c> or <c>bool VerifiedEmail</c> holds no phone number or address.</summary>
    public bool IsPersonal(ISymbol symbol, ITypeSymbol type)
    {
        if (HasMarker(symbol) || HasMarker(type))
        {
            return true;
        }

        if (CannotHoldPersonalData(type))
        {
            return false;
        }

        var name = Normalize(symbol.Name);
        return _names.Any(n => name == n || (name.EndsWith(n, StringComparison.Ordinal) && name.Length > n.Length));
    }

    /// <summary>Whether a value of <paramref name="type"/> cannot be personal data whatever it is named: a
    /// <see cref="bool"/> or <c>bool?</c> (a flag). Kept to that on purpose: an enum, a number or a date can hold
    /// personal data (a birth date, a card number typed as <c>long</c>), so their names are still read.</summary>
    internal static bool CannotHoldPersonalData(ITypeSymbol type)
        => (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type)
            .SpecialType == SpecialType.System_Boolean;

    /// <summary>Whether a marker attribute is on the symbol or on a declaration it stands for: the positional
    /// parameter of a record property (<c>record User([PersonalData] string Contact)</c> puts the attribute on the
    /// parameter), a member it overrides, an interface member it implements, the matching parameter of an interface or
    /// base method its method implements or overrides, a base type of a type.</summary>
    public static bool HasMarker(ISymbol symbol)
    {
        foreach (var source in MarkerSources(symbol))
        {
            if (HasOwnMarker(source))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The symbol, then the declarations whose attributes speak for it (see <see cref="HasMarker"/>).</summary>
    internal static IEnumerable<ISymbol> MarkerSources(ISymbol symbol)
    {
        yield return symbol;
        switch (symbol)
        {
            case IPropertySymbol property:
                for (var overridden = property.OverriddenProperty; overridden is not null; overridden = overridden.OverriddenProperty)
                {
                    yield return overridden;
                }

                foreach (var implemented in ImplementedMembers(property))
                {
                    yield return implemented;
                }

                if (property.ContainingType is { IsRecord: true } record)
                {
                    foreach (var constructor in record.InstanceConstructors)
                    {
                        foreach (var parameter in constructor.Parameters)
                        {
                            if (parameter.Name == property.Name && SymbolEqualityComparer.Default.Equals(parameter.Type, property.Type))
                            {
                                yield return parameter;
                            }
                        }
                    }
                }

                break;
            case IParameterSymbol { ContainingSymbol: IMethodSymbol method } parameter:
                for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                {
                    if (parameter.Ordinal < overridden.Parameters.Length)
                    {
                        yield return overridden.Parameters[parameter.Ordinal];
                    }
                }

                foreach (var implemented in ImplementedMembers(method))
                {
                    if (implemented is IMethodSymbol interfaceMethod && parameter.Ordinal < interfaceMethod.Parameters.Length)
                    {
                        yield return interfaceMethod.Parameters[parameter.Ordinal];
                    }
                }

                break;
            case INamedTypeSymbol type:
                for (var baseType = type.BaseType; baseType is not null && baseType.SpecialType == SpecialType.None; baseType = baseType.BaseType)
                {
                    yield return baseType;
                }

                break;
        }
    }

    /// <summary>The interface members <paramref name="member"/> (a property or method of a class or struct) implements,
    /// explicitly or by name.</summary>
    private static IEnumerable<ISymbol> ImplementedMembers(ISymbol member)
    {
        var explicitly = member switch
        {
            IPropertySymbol property => property.ExplicitInterfaceImplementations.CastArray<ISymbol>(),
            IMethodSymbol method => method.ExplicitInterfaceImplementations.CastArray<ISymbol>(),
            _ => System.Collections.Immutable.ImmutableArray<ISymbol>.Empty,
        };
        foreach (var implemented in explicitly)
        {
            yield return implemented;
        }

        var type = member.ContainingType;
        if (type is null || type.TypeKind == TypeKind.Interface || member.IsStatic || !explicitly.IsEmpty)
        {
            yield break;
        }

        foreach (var contract in type.AllInterfaces)
        {
            foreach (var candidate in contract.GetMembers(member.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(candidate), member))
                {
                    yield return candidate;
                }
            }
        }
    }

    private static bool HasOwnMarker(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            for (var type = attribute.AttributeClass; type is not null; type = type.BaseType)
            {
                if (AttributeSimpleNames.Contains(type.Name) && AttributeNames.Contains(type.MetadataFullName()))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Normalize(string name) => name.Replace("_", "").ToLowerInvariant();
}
