using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

internal static class SymbolExtensions
{
    /// <summary>The metadata name with namespace and containing types (<c>System.Threading.Tasks.Task`1</c>).</summary>
    public static string MetadataFullName(this ITypeSymbol type)
    {
        var name = type.MetadataName;
        for (var container = type.ContainingType; container is not null; container = container.ContainingType)
        {
            name = container.MetadataName + "+" + name;
        }

        var ns = type.ContainingNamespace;
        return ns is null || ns.IsGlobalNamespace ? name : ns.ToDisplayString() + "." + name;
    }
}
