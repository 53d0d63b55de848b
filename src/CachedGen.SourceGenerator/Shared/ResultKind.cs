namespace CachedGen.SourceGenerator.Model;

/// <summary>How a method hands back its result.</summary>
internal enum ResultKind
{
    /// <summary>Returns nothing (<c>void</c>).</summary>
    Void,

    /// <summary>Returns a value synchronously.</summary>
    Value,

    /// <summary><c>Task</c>.</summary>
    Task,

    /// <summary><c>ValueTask</c>.</summary>
    ValueTask,

    /// <summary><c>Task&lt;T&gt;</c>.</summary>
    TaskOfT,

    /// <summary><c>ValueTask&lt;T&gt;</c>.</summary>
    ValueTaskOfT,
}
