using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>A method carrying <c>[Cached]</c>, with its arguments and where each sits in source. One per method and
/// compilation (kept by <see cref="CompilationFacts"/>), shared by every rule, so the attribute is read and the cached
/// value type found once, and its key template parsed and resolved once, not once per rule.</summary>
internal sealed class CachedSite
{
    private Box<ITypeSymbol?>? _valueType;
    private Box<KeyTemplate?>? _key;
    private Box<List<KeyFieldInfo>?>? _keyFields;
    private Box<ImmutableArray<Closing>>? _closings;

    internal CachedSite(CompilationFacts facts, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
    {
        Facts = facts;
        Method = method;
        Attribute = attribute;
        Syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        Data = CachedAttributeData.Read(attribute);
    }

    /// <summary>What the analyzers share about the method's compilation.</summary>
    public CompilationFacts Facts { get; }

    public IMethodSymbol Method { get; }

    public AttributeData Attribute { get; }

    public AttributeSyntax? Syntax { get; }

    public CachedAttributeData Data { get; }

    public Location AttributeLocation => Syntax?.GetLocation() ?? Method.Locations.FirstOrDefault() ?? Location.None;

    public Location MethodLocation => Method.Locations.FirstOrDefault() ?? Location.None;

    /// <summary>The type the method's entries hold (the result, unwrapped from its task), or null when the method
    /// cannot be cached (CG0007's business).</summary>
    public ITypeSymbol? ValueType => Once(ref _valueType, static site => TypeWalker.CachedValueType(site.Method));

    /// <summary>The template of the method's keys: its own, or the default one built from its parameters (named after
    /// the interface, as the generator names it, also for a class method); null when its own is malformed (CG0004's
    /// business).</summary>
    public KeyTemplate? Key => Once(ref _key, static site =>
        (site.Data.KeyTemplate ?? CacheRules.DefaultTemplate(site.Method, CacheRules.DefaultKeyContract(site.Method))) is { } text
            ? KeyTemplate.Parse(text, out _)
            : null);

    /// <summary>The method's own key template (the <c>keyTemplate</c> argument), parsed; null when it has none.</summary>
    public KeyTemplate? OwnKey => Data.KeyTemplate is null ? null : Key;

    /// <summary>The key's values resolved against the method's parameters, or null when a placeholder does not
    /// resolve.</summary>
    public IReadOnlyList<KeyFieldInfo>? KeyFields => Once(ref _keyFields, static site => site.Key is { } key ? CacheRules.ResolveKeyFields(site.Method, key) : null);

    /// <summary>Each closing of the method by an interface of the compilation (<see cref="Closing"/>), when the method
    /// belongs to a generic interface and its value mentions the interface's type parameters (<c>TEntity</c>,
    /// <c>Page&lt;TEntity&gt;</c>): one per distinct closed interface (two interfaces deriving from
    /// <c>IRepository&lt;Product, int&gt;</c> give one), in the order <see cref="CompilationFacts.ClosedByDerivedInterfaces"/>
    /// finds them, and only those whose closed method can be cached. Empty for any other method. An interface of another
    /// assembly that closes this one is not seen from here.</summary>
    public ImmutableArray<Closing> Closings(Compilation compilation, CancellationToken cancellationToken)
        => ValueType is { } valueType && valueType.ContainsTypeParameter()
            ? AllClosings(compilation, cancellationToken)
            : ImmutableArray<Closing>.Empty;

    /// <summary>As <see cref="Closings"/>, whatever the value: also when only the parameters mention the interface's type
    /// parameters (<c>FindAsync(TId id)</c>, whose keys the closing renders from its own <c>TId</c>).</summary>
    public ImmutableArray<Closing> AllClosings(Compilation compilation, CancellationToken cancellationToken)
    {
        if (Method.ContainingType is not { TypeKind: TypeKind.Interface, IsGenericType: true } owner || ValueType is null)
        {
            return ImmutableArray<Closing>.Empty;
        }

        return Once(ref _closings, site =>
        {
            var closings = ImmutableArray.CreateBuilder<Closing>();
            var seen = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
            foreach (var closed in site.Facts.ClosedByDerivedInterfaces(owner.OriginalDefinition, compilation, cancellationToken))
            {
                if (seen.Add(closed)
                    && site.ClosedMember(closed) is { } method
                    && CacheRules.UncacheableReason(method, out _, out var closedValue) is null)
                {
                    closings.Add(new Closing(closed, method, closedValue));
                }
            }

            return closings.ToImmutable();
        });
    }

    /// <summary>This generic interface's method as a member of its closed construction <paramref name="closed"/>
    /// (<c>IRepository&lt;Product, int&gt;.FindAsync</c>), or null.</summary>
    public IMethodSymbol? ClosedMember(INamedTypeSymbol closed)
        => closed.GetMembers(Method.Name).OfType<IMethodSymbol>().FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, Method.OriginalDefinition));

    /// <summary>The argument at constructor <paramref name="position"/>, or named <paramref name="name"/>: as a property
    /// (<c>KeyTemplate = ...</c>) or as the constructor parameter of that name in any case (<c>keyTemplate: ...</c>,
    /// <c>ttl: ...</c>), which C# lets stand anywhere.</summary>
    public AttributeArgumentSyntax? Argument(int position, string name)
    {
        if (Syntax?.ArgumentList is not { } list)
        {
            return null;
        }

        var positional = 0;
        foreach (var argument in list.Arguments)
        {
            if (argument.NameEquals is { } named)
            {
                if (named.Name.Identifier.ValueText == name)
                {
                    return argument;
                }

                continue;
            }

            if (argument.NameColon is { } colon)
            {
                if (string.Equals(colon.Name.Identifier.ValueText, name, System.StringComparison.OrdinalIgnoreCase))
                {
                    return argument;
                }

                positional++;
                continue;
            }

            if (positional++ == position)
            {
                return argument;
            }
        }

        return null;
    }

    /// <summary>The arguments that name invalidating methods: the <c>params</c> tail or the named array's elements.</summary>
    public IEnumerable<ExpressionSyntax> InvalidatedByExpressions()
    {
        if (Syntax?.ArgumentList is not { } list)
        {
            yield break;
        }

        var positional = 0;
        foreach (var argument in list.Arguments)
        {
            if (argument.NameEquals is { } named)
            {
                if (named.Name.Identifier.ValueText == "InvalidatedBy")
                {
                    foreach (var element in Elements(argument.Expression))
                    {
                        yield return element;
                    }
                }

                continue;
            }

            if (positional++ >= 2)
            {
                foreach (var element in Elements(argument.Expression))
                {
                    yield return element;
                }
            }
        }
    }

    /// <summary>Location of characters [<paramref name="start"/>, +<paramref name="length"/>) of a string argument's
    /// value; the whole argument when the literal has escapes (offsets would not line up).</summary>
    public static Location ValueSpan(AttributeArgumentSyntax? argument, int start, int length, Location fallback)
    {
        if (argument?.Expression is LiteralExpressionSyntax { Token: var token } literal
            && literal.IsKind(SyntaxKind.StringLiteralExpression)
            && token.Text.Length == token.ValueText.Length + 2
            && token.Text[0] == '"')
        {
            return Location.Create(literal.SyntaxTree, new TextSpan(literal.SpanStart + 1 + start, length));
        }

        return argument?.GetLocation() ?? fallback;
    }

    /// <summary>The strings of the attribute's array argument <paramref name="name"/> (or constructor argument at
    /// <paramref name="position"/>), <see langword="null"/> elements kept in place (<see cref="CachedAttributeData"/>
    /// drops them), so that each lines up with its expression in source.</summary>
    public IReadOnlyList<string?> RawStrings(int position, string name)
    {
        TypedConstant? array = null;
        if (position >= 0 && position < Attribute.ConstructorArguments.Length)
        {
            array = Attribute.ConstructorArguments[position];
        }

        foreach (var named in Attribute.NamedArguments)
        {
            if (named.Key == name)
            {
                array = named.Value;
            }
        }

        return array is { Kind: TypedConstantKind.Array, IsNull: false } values
            ? values.Values.Select(v => v.Value as string).ToList()
            : [];
    }

    /// <summary>The elements of the named array argument <paramref name="name"/> (such as <c>Tags = [...]</c>).</summary>
    public IReadOnlyList<ExpressionSyntax> NamedArrayElements(string name)
        => Argument(-1, name) is { } argument ? Elements(argument.Expression).ToList() : [];

    /// <summary>As <see cref="ValueSpan(AttributeArgumentSyntax?, int, int, Location)"/>, for a string expression.</summary>
    public static Location ValueSpan(ExpressionSyntax? expression, int start, int length, Location fallback)
    {
        if (expression is LiteralExpressionSyntax { Token: var token } literal
            && literal.IsKind(SyntaxKind.StringLiteralExpression)
            && token.Text.Length == token.ValueText.Length + 2
            && token.Text[0] == '"')
        {
            return Location.Create(literal.SyntaxTree, new TextSpan(literal.SpanStart + 1 + start, length));
        }

        return expression?.GetLocation() ?? fallback;
    }

    internal static IEnumerable<ExpressionSyntax> Elements(ExpressionSyntax expression) => expression switch
    {
        ArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
        ImplicitArrayCreationExpressionSyntax { Initializer: { } init } => init.Expressions,
        CollectionExpressionSyntax collection => collection.Elements.OfType<ExpressionElementSyntax>().Select(e => e.Expression),
        _ => [expression],
    };

    // Computed at most a few times (two rules may ask at once, and both get the same answer), then read by every rule.
    private T Once<T>(ref Box<T>? field, System.Func<CachedSite, T> compute)
    {
        var box = Volatile.Read(ref field);
        if (box is null)
        {
            box = new Box<T>(compute(this));
            Volatile.Write(ref field, box);
        }

        return box.Value;
    }

    private sealed class Box<T>(T value)
    {
        public T Value { get; } = value;
    }
}
