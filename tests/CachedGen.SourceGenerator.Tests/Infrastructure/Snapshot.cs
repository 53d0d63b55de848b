using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace CachedGen.SourceGenerator.Tests.Infrastructure;

/// <summary>
/// Checked-in approval files in the style of dotnet/runtime's baselines: <c>Snapshots/{Class}.{Test}#{HintName}.verified.cs</c>.
/// Line endings are normalised and the generator version scrubbed. On a mismatch the actual text is written beside it
/// as <c>.received.cs</c> and the test fails with the first differing line. New output is accepted only when
/// <c>CACHEDGEN_ACCEPT_SNAPSHOTS=1</c> is set, and never under <c>CI=true</c>.
/// </summary>
internal static partial class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerFile)!, "Snapshots");
        var verifiedPath = Path.Combine(directory, name + ".verified.cs");
        var receivedPath = Path.Combine(directory, name + ".received.cs");
        var normalized = Scrub(actual);
        var accept = Environment.GetEnvironmentVariable("CACHEDGEN_ACCEPT_SNAPSHOTS") == "1"
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

        var expected = File.Exists(verifiedPath) ? Scrub(File.ReadAllText(verifiedPath)) : null;
        if (expected == normalized)
        {
            File.Delete(receivedPath);
            return;
        }

        if (accept)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verifiedPath, normalized);
            File.Delete(receivedPath);
            return;
        }

        Directory.CreateDirectory(directory);
        File.WriteAllText(receivedPath, normalized);
        Assert.Fail(expected is null
            ? $"No approved snapshot {verifiedPath}. Review {receivedPath}, then rerun with CACHEDGEN_ACCEPT_SNAPSHOTS=1 to accept it."
            : $"Snapshot {name} differs: {FirstDifference(expected, normalized)}. Actual output: {receivedPath}. Rerun with CACHEDGEN_ACCEPT_SNAPSHOTS=1 to accept it.");
    }

    private static string Scrub(string text)
        => VersionPattern().Replace(text.Replace("\r\n", "\n"), "GeneratedCode(\"CachedGen\", \"{version}\")");

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var left = i < e.Length ? e[i] : "<end>";
            var right = i < a.Length ? a[i] : "<end>";
            if (left != right)
            {
                return $"line {i + 1}: expected `{left}`, actual `{right}`";
            }
        }

        return "whitespace only";
    }

    [GeneratedRegex("GeneratedCode\\(\"CachedGen\", \"[^\"]*\"\\)")]
    private static partial Regex VersionPattern();
}
