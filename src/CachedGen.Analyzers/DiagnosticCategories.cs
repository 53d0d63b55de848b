namespace CachedGen.Analyzers;

internal static class DiagnosticCategories
{
    public const string Security = "CachedGen.Security";
    public const string Correctness = "CachedGen.Correctness";
    public const string Usage = "CachedGen.Usage";
    public const string Design = "CachedGen.Design";
}
