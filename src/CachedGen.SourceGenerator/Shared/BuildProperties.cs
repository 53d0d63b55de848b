using Microsoft.CodeAnalysis.Diagnostics;

namespace CachedGen.SourceGenerator;

/// <summary>
/// The MSBuild properties the generator and the analyzers read (made visible to the compiler by the package's
/// <c>build/CachedGen.props</c>): whether the project trims or publishes with Native AOT, where a generic decorator is
/// not registered (closing it needs dynamic code, its fingerprint reflection) and CG0020 warns about values built from
/// type parameters (docs/serialization.md, "Generic repositories").
/// </summary>
internal static class BuildProperties
{
    /// <summary>The properties that turn on the trim or AOT analyzers (the SDK's own <c>EnableTrimAnalyzer</c> and
    /// <c>EnableAotAnalyzer</c> are read too when the ILLink package makes them visible).</summary>
    private static readonly string[] TrimmingOrAot =
    {
        "PublishAot", "PublishTrimmed", "IsAotCompatible", "IsTrimmable", "EnableTrimAnalyzer", "EnableAotAnalyzer",
    };

    /// <summary>Whether any of <see cref="TrimmingOrAot"/> is <c>true</c> in the project.</summary>
    public static bool TrimmedOrAot(AnalyzerConfigOptions globalOptions)
    {
        foreach (var property in TrimmingOrAot)
        {
            if (globalOptions.TryGetValue("build_property." + property, out var value) && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
