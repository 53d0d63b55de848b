using System.Threading;

namespace CachedGen.Runtime;

/// <summary>The tags of one load and the generations it started under; an L1 entry keeps it to check them on hits.</summary>
internal sealed class TagSnapshot(string[] tags, long[] generations, int epoch)
{
    public string[] Tags { get; } = tags;

    public long[] Generations { get; } = generations;

    public string Suffix { get; } = TagGenerations.Suffix(generations);

    /// <summary>The last <see cref="TagGenerations.Epoch"/> at which the generations were seen current.</summary>
    public int Epoch
    {
        get => Volatile.Read(ref _epoch);
        set => Volatile.Write(ref _epoch, value);
    }

    private int _epoch = epoch;
}
