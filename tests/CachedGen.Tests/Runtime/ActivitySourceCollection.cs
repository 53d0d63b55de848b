using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>Tests that listen to the process-wide <c>CachedGen</c> <see cref="System.Diagnostics.ActivitySource"/>, and
/// tests that need nobody to listen to it (a runtime counts itself observed while anyone does): one collection, so they
/// never run at the same time.</summary>
[CollectionDefinition(Name)]
public sealed class ActivitySourceCollection
{
    public const string Name = "CachedGen activity source";
}
