using System;
using System.Threading;

namespace CachedGen;

/// <summary>The principal recorded in audit events.</summary>
public static class CacheAudit
{
    private static readonly AsyncLocal<string?> s_principal = new();

    /// <summary>The principal of the current async flow, if any.</summary>
    public static string? CurrentPrincipal => s_principal.Value;

    /// <summary>Sets the principal recorded in audit events of calls made in this async flow until the returned scope
    /// is disposed (for example the user id, in middleware).</summary>
    public static IDisposable BeginScope(string? principal)
    {
        var previous = s_principal.Value;
        s_principal.Value = principal;
        return new Scope(previous);
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => s_principal.Value = previous;
    }
}
