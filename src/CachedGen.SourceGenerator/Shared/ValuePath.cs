// A value read from a method's parameters, as data: the rules resolve it, the emitter alone renders it as C#.
using System;
using System.Collections.Immutable;

namespace CachedGen.SourceGenerator;

/// <summary>A value read from a method's parameters: the parameter <see cref="Root"/> (its name as declared) and the
/// members read from it in order (<c>query?.TenantId</c> is root <c>query</c>, then <c>TenantId</c> read conditionally).
/// Compared by value, so models holding one cache in the incremental pipeline. The emitter renders it as C#
/// (<c>DecoratorEmitter.Code</c>), escaping keywords.</summary>
internal sealed class ValuePath : IEquatable<ValuePath>
{
    private ValuePath(string root, ImmutableArray<ValueStep> steps)
    {
        Root = root;
        Steps = steps;
    }

    /// <summary>The parameter (or local) the value is read from, unescaped.</summary>
    public string Root { get; }

    /// <summary>The members read from <see cref="Root"/>, in order.</summary>
    public ImmutableArray<ValueStep> Steps { get; }

    /// <summary>The value of a parameter itself.</summary>
    public static ValuePath Of(string root) => new(root, ImmutableArray<ValueStep>.Empty);

    /// <summary>This value's member <paramref name="member"/>, read through <c>?.</c> when <paramref name="conditional"/>.</summary>
    public ValuePath Then(string member, bool conditional) => new(Root, Steps.Add(new ValueStep(member, conditional)));

    /// <summary>The same members read from another root (the interface method's parameter at the same position).</summary>
    public ValuePath WithRoot(string root) => new(root, Steps);

    public bool Equals(ValuePath? other)
        => other is not null && Root == other.Root && Steps.AsSpan().SequenceEqual(other.Steps.AsSpan());

    public override bool Equals(object? obj) => Equals(obj as ValuePath);

    public override int GetHashCode()
    {
        var hash = Root.GetHashCode();
        foreach (var step in Steps)
        {
            hash = (hash * 31) + step.GetHashCode();
        }

        return hash;
    }
}

/// <summary>One member read of a <see cref="ValuePath"/>: its name (unescaped), and whether it is read through <c>?.</c>.</summary>
internal readonly record struct ValueStep(string Member, bool Conditional);
