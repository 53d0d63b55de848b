using System;
using System.Collections.Generic;

namespace CachedGen.SourceGenerator;

/// <summary>The name a diagnostic suggests for one that names nothing ("did you mean 'customerId'?"): a name of the
/// same scope within a few typing mistakes (case-insensitive edits, a third of the name's length at most), or of which
/// the typed name is an abbreviation (its letters in order, from the same first letter: <c>custId</c> for
/// <c>customerId</c>). The closest one wins; none when two are equally close.</summary>
internal static class NameSuggestion
{
    public static string? Closest(string typed, IEnumerable<string> names)
    {
        if (typed.Length == 0)
        {
            return null;
        }

        string? best = null;
        var bestScore = int.MaxValue;
        var tied = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (name.Length == 0 || name == typed || !seen.Add(name))
            {
                continue;
            }

            var limit = Math.Max(1, typed.Length / 3);
            var distance = Distance(typed, name, limit);
            // An abbreviation ranks after every near-miss of spelling: edits beyond the limit, counted by what it leaves out.
            var score = distance <= limit ? distance : IsAbbreviation(typed, name) ? limit + name.Length - typed.Length : int.MaxValue;
            if (score == int.MaxValue)
            {
                continue;
            }

            if (score < bestScore)
            {
                (best, bestScore, tied) = (name, score, false);
            }
            else if (score == bestScore)
            {
                tied = true;
            }
        }

        return tied ? null : best;
    }

    /// <summary>Whether every letter of <paramref name="typed"/> appears in <paramref name="name"/> in order
    /// (case-insensitive), starting with the same first letter.</summary>
    private static bool IsAbbreviation(string typed, string name)
    {
        if (typed.Length >= name.Length || char.ToLowerInvariant(typed[0]) != char.ToLowerInvariant(name[0]))
        {
            return false;
        }

        var j = 0;
        foreach (var c in name)
        {
            if (j < typed.Length && char.ToLowerInvariant(c) == char.ToLowerInvariant(typed[j]))
            {
                j++;
            }
        }

        return j == typed.Length;
    }

    /// <summary>Case-insensitive Levenshtein distance, <paramref name="limit"/> + 1 once it is known to be more.</summary>
    private static int Distance(string a, string b, int limit)
        => EditDistance(a.ToLowerInvariant().ToCharArray(), b.ToLowerInvariant().ToCharArray(), limit);

    /// <summary>Levenshtein distance between two sequences, <paramref name="limit"/> + 1 as soon as it is known to be more
    /// (also for tag shapes, whose tokens are characters and holes).</summary>
    internal static int EditDistance<T>(T[] a, T[] b, int limit)
        where T : IEquatable<T>
    {
        if (Math.Abs(a.Length - b.Length) > limit)
        {
            return limit + 1;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowBest = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + (a[i - 1].Equals(b[j - 1]) ? 0 : 1));
                rowBest = Math.Min(rowBest, current[j]);
            }

            if (rowBest > limit)
            {
                return limit + 1;
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
