using System;
using System.ComponentModel;

namespace CachedGen.Runtime;

/// <summary>
/// For generated code.
/// Counts the nesting of objects and collections while a value is written to Redis, so that a cycle or a graph deeper
/// than <see cref="CachedGenOptions.MaxSerializedDepth"/> stops with an exception instead of overflowing the stack.
/// The formatters CachedGen generates call <see cref="Enter"/> before writing an object and <see cref="Exit"/> after;
/// collections are wrapped in <see cref="DepthCountingFormatter{T}"/>. Outside a write of the runtime (any other
/// serialization with the same formatters) nothing is refused.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SerializedDepth
{
    /// <summary>How many more levels the write running on this thread may nest; only <see cref="Run"/> sets it.</summary>
    [ThreadStatic]
    private static int t_remaining;

    /// <summary>The limit of the write running on this thread; 0 outside one (then nothing is refused).</summary>
    [ThreadStatic]
    private static int t_limit;

    /// <summary>One level deeper: throws when the write running on this thread has nested past its limit.</summary>
    public static void Enter()
    {
        if (--t_remaining < 0 && t_limit != 0)
        {
            throw new SerializedGraphTooDeepException(t_limit);
        }
    }

    /// <summary>
    /// The value being written is of a class derived from <paramref name="declared"/>, the type its generated formatter
    /// writes: written, it would lose the derived class's members and be read back on other nodes as a
    /// <paramref name="declared"/>. Throws, so that the value is served and kept in L1 but not written to Redis (event
    /// 1027). A proxy class built at run time (EF Core's lazy-loading proxies) is written as its declared type, whose
    /// members are all its data.
    /// </summary>
    public static void NotDeclaredType(object value, Type declared)
    {
        ArgumentNullException.ThrowIfNull(value);
        var actual = value.GetType();
        if (t_limit != 0 && actual != declared && !actual.Assembly.IsDynamic)
        {
            throw new DerivedValueException(declared, actual);
        }
    }

    /// <summary>The value being written has a member its generated formatter cannot set back (a non-public setter or
    /// field of a generic type, a get-only property of another assembly): the runtime reads the value back and compares
    /// it before it goes to Redis, as for a value MessagePack's contractless resolver writes (event 1023).</summary>
    public static void Unverified() => DepthGuardResolver.MarkRuntimeResolved();

    /// <summary>One level back up. Not called when <see cref="Enter"/> or the write threw: <see cref="Run"/> restores
    /// the count.</summary>
    public static void Exit() => t_remaining++;

    /// <summary>Runs <paramref name="write"/> with <paramref name="maxDepth"/> levels allowed on this thread, and
    /// restores the previous count afterwards, whether it threw or not.</summary>
    internal static void Run<TState>(int maxDepth, TState state, Action<TState> write)
    {
        var (remaining, limit) = (t_remaining, t_limit);
        t_remaining = maxDepth;
        t_limit = maxDepth;
        try
        {
            write(state);
        }
        finally
        {
            (t_remaining, t_limit) = (remaining, limit);
        }
    }
}
