namespace CachedGen.SourceGenerator;

/// <summary>Metadata names the generator and the analyzers recognise.</summary>
internal static class KnownNames
{
    public const string CachedAttribute = "CachedGen.CachedAttribute";
    public const string CachedDefaultsAttribute = "CachedGen.CachedDefaultsAttribute";
    public const string CacheInvalidator = "CachedGen.ICacheInvalidator";
    public const string CachePutAttribute = "CachedGen.CachePutAttribute";
    public const string InvalidatesTagsAttribute = "CachedGen.InvalidatesTagsAttribute";
    public const string NotCacheKeyAttribute = "CachedGen.NotCacheKeyAttribute";
    public const string RuntimeAssembly = "CachedGen";
    public const string CancellationToken = "System.Threading.CancellationToken";
    public const string Task = "System.Threading.Tasks.Task";
    public const string TaskOfT = "System.Threading.Tasks.Task`1";
    public const string ValueTask = "System.Threading.Tasks.ValueTask";
    public const string ValueTaskOfT = "System.Threading.Tasks.ValueTask`1";
}
