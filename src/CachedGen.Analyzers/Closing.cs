using Microsoft.CodeAnalysis;

namespace CachedGen.Analyzers;

/// <summary>A <c>[Cached]</c> method of a generic interface as an interface of the compilation closes it
/// (<c>interface IProductRepository : IRepository&lt;Product, int&gt;</c>): the closed interface, its method, and the
/// value the closed method caches (<c>Product</c> where the declared one caches <c>TEntity</c>). The generator
/// decorates the closing and stores that value, so the rules on the value look at it as at any other.</summary>
internal sealed class Closing
{
    public Closing(INamedTypeSymbol @interface, IMethodSymbol method, ITypeSymbol valueType)
    {
        Interface = @interface;
        Method = method;
        ValueType = valueType;
        Name = @interface.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "." + method.Name;
    }

    /// <summary>The closed interface (<c>IRepository&lt;Product, int&gt;</c>).</summary>
    public INamedTypeSymbol Interface { get; }

    /// <summary>The generic interface's method as a member of <see cref="Interface"/>.</summary>
    public IMethodSymbol Method { get; }

    /// <summary>The type the closed method's entries hold (its result, unwrapped from its task).</summary>
    public ITypeSymbol ValueType { get; }

    /// <summary>How a message names the closed method: <c>IRepository&lt;Product, int&gt;.FindAsync</c>.</summary>
    public string Name { get; }
}
