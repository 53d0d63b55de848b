using System.Collections.Generic;
using System.Globalization;

namespace CachedGen.SourceGenerator;

/// <summary>A parsed key template: literal text and placeholders, with the position of each in the template.</summary>
internal sealed class KeyTemplate
{
    private KeyTemplate(IReadOnlyList<KeyTemplatePart> parts) => Parts = parts;

    public IReadOnlyList<KeyTemplatePart> Parts { get; }

    /// <summary>Characters that stand for themselves in an encoded placeholder value (see CacheKeyBuilder).</summary>
    public static bool IsValueChar(char c)
        => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~' or '%';

    /// <summary>Parses <paramref name="template"/>; on failure returns <see langword="null"/> with an error and its span.</summary>
    public static KeyTemplate? Parse(string template, out KeyTemplateError? error)
    {
        // A control character or a line or paragraph separator in a Redis key is almost certainly a mistake (an
        // escape written by accident, a pasted line break), and keys are printed in logs and tools line by line.
        for (var at = 0; at < template.Length; at++)
        {
            if (IsControl(template[at]))
            {
                error = new KeyTemplateError(
                    "contains " + ControlName(template[at]) + " (U+" + ((int)template[at]).ToString("X4", CultureInfo.InvariantCulture)
                    + ") at position " + at.ToString(CultureInfo.InvariantCulture) + ": Redis keys should be printable text",
                    at,
                    1);
                return null;
            }
        }

        var parts = new List<KeyTemplatePart>();
        var literalStart = 0;
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '}')
            {
                error = new KeyTemplateError("'}' without a matching '{'", i, 1);
                return null;
            }

            if (c != '{')
            {
                i++;
                continue;
            }

            if (i > literalStart)
            {
                parts.Add(KeyTemplatePart.ForLiteral(template.Substring(literalStart, i - literalStart), literalStart));
            }

            if (i + 1 < template.Length && template[i + 1] == '{')
            {
                // As in an interpolated string, but a key has no literal brace to escape: braces hold placeholders only.
                error = new KeyTemplateError("'{{' is not a placeholder: a template holds each placeholder in single braces ({id}), and has no escape for a literal brace", i, 2);
                return null;
            }

            var close = template.IndexOf('}', i + 1);
            var nextOpen = template.IndexOf('{', i + 1);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close))
            {
                error = new KeyTemplateError("'{' without a matching '}'", i, 1);
                return null;
            }

            var body = template.Substring(i + 1, close - i - 1);
            var colon = body.IndexOf(':');
            var path = colon < 0 ? body : body.Substring(0, colon);
            var format = colon < 0 ? null : body.Substring(colon + 1);
            // {ids[]}: a batch placeholder, one entry per element of the collection parameter (docs/batch.md).
            var batch = path.EndsWith("[]", System.StringComparison.Ordinal);
            if (batch)
            {
                path = path.Substring(0, path.Length - 2);
                if (path.IndexOf('.') >= 0 || path.IndexOf('[') >= 0)
                {
                    error = new KeyTemplateError($"'{{{body}}}': a batch placeholder names a collection parameter, as in {{ids[]}}", i, close - i + 1);
                    return null;
                }
            }

            var segments = path.Split('.');
            for (var s = 0; s < segments.Length; s++)
            {
                // A verbatim identifier names the parameter or member as C# does: {@class} is the parameter @class, whose
                // name is "class".
                var segment = segments[s].Length > 1 && segments[s][0] == '@' ? segments[s].Substring(1) : segments[s];
                segments[s] = segment;
                if (!IsIdentifier(segment))
                {
                    error = new KeyTemplateError($"'{{{body}}}' is not a parameter name or member path", i, close - i + 1);
                    return null;
                }
            }

            if (format is not null && format != "hash")
            {
                error = new KeyTemplateError($"unknown placeholder format ':{format}' (only ':hash' is supported)", i, close - i + 1);
                return null;
            }

            parts.Add(KeyTemplatePart.ForPlaceholder(segments, format == "hash", i, close - i + 1, batch));
            i = close + 1;
            literalStart = i;
        }

        if (literalStart < template.Length)
        {
            parts.Add(KeyTemplatePart.ForLiteral(template.Substring(literalStart), literalStart));
        }

        // Two placeholders must be separated by a character that never appears in an encoded value; otherwise
        // ("{a}{b}", "{a}-{b}") two argument tuples could render the same key.
        KeyTemplatePart? previous = null;
        var separated = false;
        foreach (var part in parts)
        {
            if (!part.IsPlaceholder)
            {
                foreach (var ch in part.Literal!)
                {
                    separated |= !IsValueChar(ch);
                }

                continue;
            }

            if (previous is not null && !separated)
            {
                error = new KeyTemplateError(
                    "placeholders must be separated by a character such as ':' or '/' (letters, digits and '-', '.', '_', '~', '%' can appear in values)",
                    previous.Start,
                    part.Start + part.Length - previous.Start);
                return null;
            }

            previous = part;
            separated = false;
        }

        error = null;
        return new KeyTemplate(parts);
    }

    /// <summary>Whether a template may not hold <paramref name="c"/>: a control character, or a Unicode line or
    /// paragraph separator.</summary>
    public static bool IsControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static string ControlName(char c) => c switch
    {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\0' => "a null character",
        '\u0085' => "a next-line character",
        '\u2028' => "a line separator",
        '\u2029' => "a paragraph separator",
        _ => "a control character",
    };

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Literal text, or a placeholder with its member path and format.</summary>
internal sealed class KeyTemplatePart
{
    private KeyTemplatePart(string? literal, IReadOnlyList<string>? path, bool hash, int start, int length, bool isBatch = false)
    {
        IsBatch = isBatch;
        Literal = literal;
        Path = path;
        Hash = hash;
        Start = start;
        Length = length;
    }

    public string? Literal { get; }

    public IReadOnlyList<string>? Path { get; }

    public bool Hash { get; }

    public int Start { get; }

    public int Length { get; }

    public bool IsPlaceholder => Path is not null;

    /// <summary>Whether it is a batch placeholder (<c>{ids[]}</c>): its parameter is a collection, and each element is
    /// the value of one entry's key.</summary>
    public bool IsBatch { get; }

    public static KeyTemplatePart ForLiteral(string text, int start) => new(text, null, false, start, text.Length);

    public static KeyTemplatePart ForPlaceholder(IReadOnlyList<string> path, bool hash, int start, int length, bool isBatch = false) => new(null, path, hash, start, length, isBatch);
}

/// <summary>Why a template does not parse, and where (offset and length inside the template string).</summary>
internal sealed record KeyTemplateError(string Message, int Start, int Length);
