using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>
/// Recognises personal data by metadata name, so no package is needed: CachedGen's <c>[PersonalData]</c>, ASP.NET
/// Core Identity's <c>[PersonalData]</c> and <c>[ProtectedPersonalData]</c>, any attribute deriving from
/// Microsoft.Extensions.Compliance's <c>DataClassificationAttribute</c> (on the member or on its type), and names from
/// <c>cachedgen.personal_data_names</c> in .editorconfig.
/// </summary>
internal sealed class PersonalData
{
    public const string NamesOption = "cachedgen.personal_data_names";

    public static readonly string[] DefaultNames =
    [
        "email", "emailaddress", "phone", "phonenumber", "mobile", "ssn", "socialsecuritynumber", "password",
        "dateofbirth", "birthdate", "creditcard", "creditcardnumber", "cardnumber", "iban", "ipaddress", "passport",
        "nationalid", "taxid",
    ];

    // Attributes that mark personal data, also as base types (Microsoft.Extensions.Compliance's classifications
    // derive from DataClassificationAttribute).
    private static readonly HashSet<string> AttributeNames = new(StringComparer.Ordinal)
    {
        "CachedGen.PersonalDataAttribute",
        "Microsoft.AspNetCore.Identity.PersonalDataAttribute",
        "Microsoft.AspNetCore.Identity.ProtectedPersonalDataAttribute",
        "Microsoft.Extensions.Compliance.Classification.DataClassificationAttribute",
    };

    // Their simple names, compared first: every attribute of every member and member type is checked, up its base types.
    private static readonly HashSet<string> AttributeSimpleNames = new(AttributeNames.Select(n => n.Substring(n.LastIndexOf('.') + 1)), StringComparer.Ordinal);

    private readonly string[] _names;

    private PersonalData(string[] names) => _names = names;

    public static PersonalData For(AnalyzerOptions options, SyntaxTree? tree)
    {
        if (tree is not null && options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(NamesOption, out var configured))
        {
            return new PersonalData(configured.Split(new[] { ',', ';', ' ' }, StringSplitOptions.RemoveEmptyEntries).Select(Normalize).ToArray());
        }

        return new PersonalData(DefaultNames);
    }

    /// <summary>Whether the symbol (parameter, property, field) is personal data: by its attributes, its type's
    /// attributes, or its name.</summary>
    public bool IsPersonal(ISymbol symbol, ITypeSymbol type)
    {
        if (HasMarker(symbol) || HasMarker(type))
        {
            return true;
        }

        var name = Normalize(symbol.Name);
        return _names.Any(n => name == n || (name.EndsWith(n, StringComparison.Ordinal) && name.Length > n.Length));
    }

    public static bool HasMarker(ISymbol symbol)
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
