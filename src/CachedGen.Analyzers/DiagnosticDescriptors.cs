using Microsoft.CodeAnalysis;

namespace CachedGen.Analyzers;

/// <summary>All CachedGen diagnostics. Severities: errors for what cannot work, warnings for what works but is
/// dangerous, info for advice; every one can be changed in .editorconfig (docs/diagnostics/index.md).</summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/CachedGen/CachedGen/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor PersonalDataInKey = Create(
        DiagnosticIds.PersonalDataInKey,
        "Personal data in a cache key",
        "'{0}' is personal data placed raw in the cache key of '{1}': write '{{{0}:hash}}' so that Redis only sees a keyed hash",
        DiagnosticCategories.Security,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor MissingTtl = Create(
        DiagnosticIds.MissingTtl,
        "Cached method without a TTL",
        "'{0}' has no TTL and the assembly has no valid [assembly: CachedDefaults(Ttl = ...)], so it is left uncached: give it a TTL ([Cached(\"5m\")]) or the assembly a default",
        DiagnosticCategories.Usage,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidTtl = Create(
        DiagnosticIds.InvalidTtl,
        "Invalid TTL",
        "{0} '{1}' of '{2}' {3}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidKeyTemplate = Create(
        DiagnosticIds.InvalidKeyTemplate,
        "Invalid key template",
        "Key template of '{0}': {1}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor ParameterNotInKey = Create(
        DiagnosticIds.ParameterNotInKey,
        "Parameter missing from the cache key",
        "Parameter '{0}' of '{1}' is not in the key template: callers that differ only in '{0}' share one entry; {2}",
        DiagnosticCategories.Security,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor UnworkableInvalidation = Create(
        DiagnosticIds.UnworkableInvalidation,
        "Invalidation that cannot work",
        "'{0}' cannot invalidate '{1}': {2}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnworkableCachePut = Create(
        DiagnosticIds.UnworkableCachePut,
        "Write-through that cannot work",
        "'{0}' cannot put its result in the entry of '{1}': {2}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TagWithoutEntry = Create(
        DiagnosticIds.TagWithoutEntry,
        "Invalidated tag that no cached entry carries",
        "No [Cached] method declares a tag that '{0}' can match: invalidating it removes nothing{1}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning,
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UncacheableMethod = Create(
        DiagnosticIds.UncacheableMethod,
        "Method cannot be cached",
        "'{0}' cannot be cached: {1}",
        DiagnosticCategories.Usage,
        DiagnosticSeverity.Error);

    /// <summary>CG0007 as the compilation's end reports it (<see cref="Rules.InterfaceCoverageAnalyzer"/>: classes compared).</summary>
    public static readonly DiagnosticDescriptor UncacheableMethodAcrossClasses = Create(
        DiagnosticIds.UncacheableMethod,
        "Method cannot be cached",
        "'{0}' cannot be cached: {1}",
        DiagnosticCategories.Usage,
        DiagnosticSeverity.Error,
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UnserializableResult = Create(
        DiagnosticIds.UnserializableResult,
        "Result type MessagePack cannot serialize reliably",
        "The result of '{0}' cannot be serialized reliably: {1}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor PersonalDataInValue = Create(
        DiagnosticIds.PersonalDataInValue,
        "Personal data in a cached value",
        "The result of '{0}' holds personal data ('{1}'): set Sensitive = true so it is never written to Redis in plaintext",
        DiagnosticCategories.Security,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor SameKeyShape = Create(
        DiagnosticIds.SameKeyShape,
        "Two methods render the same key",
        "'{0}' and '{1}' render the same key shape '{2}' {3}: give each its own key",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning,
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor MutableCachedValue = Create(
        DiagnosticIds.MutableCachedValue,
        "Mutable value cached in L1",
        "'{0}' caches '{1}', which is mutable ({2}): every caller served from L1 shares one instance, so a change by one is seen by all",
        DiagnosticCategories.Design,
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor BackReference = Create(
        DiagnosticIds.BackReference,
        "Back-reference in a cached result",
        "The result of '{0}' can refer back to an object it came from ({1}): MessagePack writes values as trees, so such an instance cannot be cached; mark the back-reference [IgnoreMember] or [IgnoreDataMember], or return a DTO without it",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InvalidationByString = Create(
        DiagnosticIds.InvalidationByString,
        "Invalidation named by a string",
        "'{0}' invalidates '{1}' as written, but by a string: name it with nameof() so a rename breaks the build rather than the invalidation",
        DiagnosticCategories.Design,
        DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor BatchParameterNotCollection = Create(
        DiagnosticIds.BatchParameterNotCollection,
        "Batch placeholder on a parameter that is not a collection",
        "Batch placeholder of '{0}': {1}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BatchResultNotKeyed = Create(
        DiagnosticIds.BatchResultNotKeyed,
        "Batch result not keyed by the element type",
        "'{0}' has a batch placeholder, but {1}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SeveralBatchPlaceholders = Create(
        DiagnosticIds.SeveralBatchPlaceholders,
        "More than one batch placeholder",
        "Key template of '{0}' has {1} batch placeholders: a batch method has one entry per element of one collection; keep one '[]' placeholder and pass the others as single values",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor BatchTwinMismatch = Create(
        DiagnosticIds.BatchTwinMismatch,
        "Batch method disagrees with its single-item twin",
        "'{0}' shares its entries with '{1}', but {2}: the two would write entries that disagree; give both the same TTL, Version, Sensitive, CacheNull and value type",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor NoCompileTimeFormatter = Create(
        DiagnosticIds.NoCompileTimeFormatter,
        "Cached value without a compile-time formatter",
        "CachedGen writes no MessagePack formatter for the value of '{0}': {1}; under Native AOT the value is not stored in Redis, and under JIT MessagePack's run-time resolver may fail on it or lose what it keeps outside its public members",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LanguageVersionTooOld = Create(
        DiagnosticIds.LanguageVersionTooOld,
        "C# version too old for the generated code",
        "'{0}' is not cached: CachedGen's generated code needs C# 11 or later, and this project compiles C# {1}; set <LangVersion> to 11 or later in the project file, or remove it (the SDK's default for .NET 7 and later is 11 or later)",
        DiagnosticCategories.Usage,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidSetting = Create(
        DiagnosticIds.InvalidSetting,
        "Invalid cache setting",
        "{0} = {1} on '{2}' {3}",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor VolatileKeyValue = Create(
        DiagnosticIds.VolatileKeyValue,
        "Cache key from a value that never repeats",
        "'{0}' is called with {1} as '{2}', which its cache key is made of: the value changes on every call, so every call misses, calls the source and writes an entry nobody reads again; pass a value that repeats (a date, a time bucket), or leave '{2}' out of the key ([NotCacheKey])",
        DiagnosticCategories.Correctness,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor PartlyKeyedParameter = Create(
        DiagnosticIds.PartlyKeyedParameter,
        "Parameter only partly in the cache key",
        "The key template of '{0}' reads {1} of '{2}' and leaves out {3}: callers whose '{2}' differs only there share one entry; add what changes the result to the template ({4}) and mark the rest [NotCacheKey]",
        DiagnosticCategories.Security,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LocalTtlBeyondTtl = Create(
        DiagnosticIds.LocalTtlBeyondTtl,
        "LocalTtl longer than the TTL",
        "'{0}' sets LocalTtl = \"{1}\", longer than its TTL \"{2}\": L1 never keeps an entry past its TTL, so its entries live {2} in L1 too; write a LocalTtl no longer than the TTL, or leave it out",
        DiagnosticCategories.Usage,
        DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, params string[] customTags)
        => new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md", customTags: customTags);
}
