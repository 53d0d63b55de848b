using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using CachedGen.SourceGenerator;

namespace CachedGen.Analyzers;

/// <summary>What a tag can render to: literal text with holes (placeholders, interpolation holes). A raw hole may render
/// as any text; a hashed one (<c>{x:hash}</c>) as a keyed hash, which only another hashed hole renders: a raw value is
/// never written as its hash. Used by CG0013 to tell whether an invalidated tag can ever equal a declared one.</summary>
internal sealed class TagShape : IEquatable<TagShape>
{
    private const int Hole = -1;
    private const int HashedHole = -2;

    // One entry per literal character, Hole or HashedHole per placeholder.
    private readonly int[] _tokens;

    private TagShape(int[] tokens) => _tokens = tokens;

    /// <summary>The shape of a tag template (<c>tenant:{tenantId}:forms</c>); null when it does not parse (CG0004's
    /// business).</summary>
    public static TagShape? FromTemplate(string template)
    {
        if (KeyTemplate.Parse(template, out _) is not { } parsed)
        {
            return null;
        }

        var tokens = new List<int>();
        foreach (var part in parsed.Parts)
        {
            if (part.IsPlaceholder)
            {
                tokens.Add(part.Hash ? HashedHole : Hole);
            }
            else
            {
                tokens.AddRange(part.Literal!.Select(c => (int)c));
            }
        }

        return new TagShape(tokens.ToArray());
    }

    /// <summary>The shape of the argument of <c>InvalidateTagAsync</c>: a constant string, or an interpolated string
    /// (a hole with the <c>:hash</c> format is hashed); null for anything else (a variable, a call), which is not
    /// checked.</summary>
    public static TagShape? FromArgument(IOperation value)
    {
        var tokens = new List<int>();
        return Add(value, tokens) ? new TagShape(tokens.ToArray()) : null;
    }

    private static bool Add(IOperation operation, List<int> tokens)
    {
        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            tokens.AddRange(constant.Select(c => (int)c));
            return true;
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                return Add(conversion.Operand, tokens);
            case IInterpolatedStringHandlerCreationOperation creation:
                return Add(creation.Content, tokens);
            case IInterpolatedStringAdditionOperation addition:
                return Add(addition.Left, tokens) && Add(addition.Right, tokens);
            case IInterpolatedStringOperation interpolated:
                foreach (var part in interpolated.Parts)
                {
                    switch (part)
                    {
                        case IInterpolatedStringTextOperation { Text.ConstantValue: { HasValue: true, Value: string text } }:
                            tokens.AddRange(text.Select(c => (int)c));
                            break;
                        case IInterpolatedStringAppendOperation { Kind: OperationKind.InterpolatedStringAppendLiteral, AppendCall: IInvocationOperation { Arguments.Length: 1 } append }
                            when append.Arguments[0].Value.ConstantValue is { HasValue: true, Value: string literal }:
                            tokens.AddRange(literal.Select(c => (int)c));
                            break;
                        case IInterpolationOperation interpolation:
                            tokens.Add(interpolation.FormatString?.ConstantValue is { HasValue: true, Value: "hash" } ? HashedHole : Hole);
                            break;
                        case IInterpolatedStringAppendOperation { AppendCall: IInvocationOperation call }:
                            tokens.Add(call.Arguments.Any(a => a.Parameter?.Name == "format" && a.Value.ConstantValue is { HasValue: true, Value: "hash" }) ? HashedHole : Hole);
                            break;
                        default:
                            return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether some text is a rendering of both shapes: a walk of the two token lists together, where a raw hole
    /// may take no character, or any number of the other side's characters, and a hashed hole pairs only with another.</summary>
    public bool CanRenderSameTagAs(TagShape other)
    {
        var a = _tokens;
        var b = other._tokens;
        var seen = new bool[a.Length + 1, b.Length + 1];
        var pending = new Stack<(int I, int J)>();
        pending.Push((0, 0));
        while (pending.Count > 0)
        {
            var (i, j) = pending.Pop();
            if (seen[i, j])
            {
                continue;
            }

            seen[i, j] = true;
            if (i == a.Length && j == b.Length)
            {
                return true;
            }

            var holeA = i < a.Length && a[i] == Hole;
            var holeB = j < b.Length && b[j] == Hole;
            if (holeA)
            {
                pending.Push((i + 1, j)); // the hole ends
            }

            if (holeB)
            {
                pending.Push((i, j + 1));
            }

            if (i < a.Length && j < b.Length)
            {
                if (holeA && !holeB && b[j] != HashedHole)
                {
                    pending.Push((i, j + 1)); // a's hole takes b's character
                }
                else if (holeB && !holeA && a[i] != HashedHole)
                {
                    pending.Push((i + 1, j));
                }
                else if (!holeA && a[i] == b[j])
                {
                    pending.Push((i + 1, j + 1)); // the same character, or two hashed holes
                }
            }
        }

        return false;
    }

    /// <summary>Edits (Levenshtein) between the two shapes, a hole counting as one character; <paramref name="limit"/>
    /// + 1 as soon as it is known to be more.</summary>
    public int DistanceTo(TagShape other, int limit) => SourceGenerator.NameSuggestion.EditDistance(_tokens, other._tokens, limit);

    /// <summary>This shape written as a tag template whose placeholders are those of <paramref name="template"/>, in
    /// order, each hashed where this shape's is; null when the counts differ or a literal would need escaping.</summary>
    public string? WithPlaceholdersOf(string template)
    {
        if (KeyTemplate.Parse(template, out _) is not { } parsed)
        {
            return null;
        }

        var placeholders = parsed.Parts.Where(p => p.IsPlaceholder).Select(p => string.Join(".", p.Path!)).ToList();
        if (placeholders.Count != _tokens.Count(t => t is Hole or HashedHole))
        {
            return null;
        }

        var text = new StringBuilder();
        var next = 0;
        foreach (var token in _tokens)
        {
            if (token is Hole or HashedHole)
            {
                text.Append('{').Append(placeholders[next++]).Append(token == HashedHole ? ":hash}" : "}");
            }
            else if (token is '{' or '}')
            {
                return null;
            }
            else
            {
                text.Append((char)token);
            }
        }

        return text.ToString();
    }

    /// <summary>The shape as text, a raw hole written <c>{…}</c> and a hashed one <c>{…:hash}</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var token in _tokens)
        {
            _ = token switch
            {
                Hole => text.Append("{…}"),
                HashedHole => text.Append("{…:hash}"),
                _ => text.Append((char)token),
            };
        }

        return text.ToString();
    }

    public bool Equals(TagShape? other) => other is not null && _tokens.SequenceEqual(other._tokens);

    public override bool Equals(object? obj) => Equals(obj as TagShape);

    public override int GetHashCode()
    {
        var hash = 17;
        foreach (var token in _tokens)
        {
            hash = unchecked(hash * 31 + token);
        }

        return hash;
    }
}
