namespace CachedGen.SourceGenerator;

/// <summary>Names of the incremental steps, so tests can assert what was cached, modified or left unchanged.</summary>
internal static class TrackingNames
{
    public const string Parse = nameof(Parse);
    public const string ParseWriters = nameof(ParseWriters);
    public const string Defaults = nameof(Defaults);
    public const string Derived = nameof(Derived);
    public const string Model = nameof(Model);
    public const string Formatters = nameof(Formatters);
    public const string FormatterSet = nameof(FormatterSet);
}
