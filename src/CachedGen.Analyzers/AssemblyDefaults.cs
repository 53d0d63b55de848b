using Microsoft.CodeAnalysis;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>Reads <c>[assembly: CachedDefaults]</c>.</summary>
internal static class AssemblyDefaults
{
    public static string? Ttl(Compilation compilation) => Named(compilation, "Ttl");

    public static string? KeyPrefix(Compilation compilation) => Named(compilation, "KeyPrefix");

    private static string? Named(Compilation compilation, string name)
    {
        foreach (var attribute in compilation.Assembly.GetAttributes())
        {
            if (attribute.AttributeClass?.MetadataFullName() != KnownNames.CachedDefaultsAttribute)
            {
                continue;
            }

            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == name)
                {
                    return argument.Value.Value as string;
                }
            }
        }

        return null;
    }
}
