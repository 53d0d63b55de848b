using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace CachedGen;

// The registry of cached methods: one CachedMethod per method id (and per registration's partition), the checks a
// method's options must pass, and the ids that per-method settings may name.
public sealed partial class CacheRuntime
{
    private readonly ConcurrentDictionary<Runtime.CacheMethodDescriptor, object> _methods = new();
    private readonly ConcurrentDictionary<string, Runtime.ICachedMethodStatistics> _methodsById = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Runtime.KeyFamily> _keyFamilies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(Runtime.CacheMethodDescriptor Descriptor, string Partition), Runtime.CacheMethodDescriptor> _partitions = new();

    // The partition of the DI registration whose decorator this thread is building (AddCachedGen sets it around the
    // decorator's constructor, which asks for its methods): a keyed registration, or one of several of a service type.
    [ThreadStatic]
    private static string? t_partition;

    /// <summary>Builds a decorator whose methods keep the entries of <paramref name="partition"/> (null: the methods'
    /// own), apart from other registrations of the same service type.</summary>
    internal static T InPartition<T>(string? partition, Func<T> create)
    {
        var previous = t_partition;
        t_partition = partition;
        try
        {
            return create();
        }
        finally
        {
            t_partition = previous;
        }
    }

    /// <summary>Returns the per-process state of one cached method; generated decorators call this in their constructor.</summary>
    /// <exception cref="InvalidOperationException">The method hashes a key placeholder, Redis is configured, and no
    /// <see cref="CachedGenOptions.KeyHashSecret"/> is set: CachedGen refuses to start rather than write a guessable key.</exception>
    public Runtime.CachedMethod<TKey, TValue> GetMethod<TKey, TValue>(Runtime.CacheMethodDescriptor<TKey, TValue> descriptor)
        where TKey : struct, IEquatable<TKey>
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (t_partition is { } partition && descriptor.Partition is null)
        {
            descriptor = (Runtime.CacheMethodDescriptor<TKey, TValue>)_partitions.GetOrAdd(
                (descriptor, partition),
                static key => ((Runtime.CacheMethodDescriptor<TKey, TValue>)key.Descriptor).InPartition(key.Partition));
        }

        if (_methods.TryGetValue(descriptor, out var existing))
        {
            return (Runtime.CachedMethod<TKey, TValue>)existing;
        }

        EnsureUsable(descriptor);

        // Descriptors with one method id name the same entries (an interface closing a generic base, and the generic
        // decorator of that base): they share one CachedMethod, so a write through either leaves no stale copy in this
        // node's L1 and a remote invalidation reaches it. Another key or value type under the same id gets its own.
        Runtime.CachedMethod<TKey, TValue> method;
        lock (_methodsById)
        {
            if (_methods.TryGetValue(descriptor, out existing))
            {
                return (Runtime.CachedMethod<TKey, TValue>)existing;
            }

            if (_methodsById.TryGetValue(descriptor.MethodId, out var sameId) && sameId is Runtime.CachedMethod<TKey, TValue> shared)
            {
                method = shared;
            }
            else
            {
                method = new Runtime.CachedMethod<TKey, TValue>(descriptor, this);
                method.Family = _keyFamilies.GetOrAdd(descriptor.KeySuffix, static suffix => new Runtime.KeyFamily(suffix));
            }

            _methodsById.TryAdd(descriptor.MethodId, method);
            _methods.TryAdd(descriptor, method);
        }

        ((Runtime.ICachedMethodStatistics)method).UpdateHitMode(); // in case a listener came while it was being made
        return method;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> when this runtime's options cannot serve
    /// <paramref name="descriptor"/>: a hashed key or a sensitive value with Redis but no secret or key to protect it, or
    /// tags that outlive their generations. Called for each method when its decorator is first built, and, through
    /// <c>AddCachedGen</c>, for every decorated registration when the host starts.</summary>
    internal void EnsureUsable(Runtime.CacheMethodDescriptor descriptor)
    {
        // Every problem of the method at once: fixed one at a time, each would cost another failed start.
        List<string>? problems = null;
        if (descriptor.HashesKey && Redis is not null && Hasher is null)
        {
            (problems ??= []).Add(
                $"{descriptor.MethodId} hashes a key placeholder ({{param:hash}}), so CachedGenOptions.KeyHashSecret must be set " +
                "(the same secret of at least 32 bytes on every node) before Redis is used.");
        }

        if (descriptor.TagTemplates.Length > 0 && descriptor.Ttl + CurrentOptions.FailSafeMaxAge > Options.TagRetention)
        {
            (problems ??= []).Add(
                $"{descriptor.MethodId} has tags and lives up to {descriptor.Ttl + CurrentOptions.FailSafeMaxAge} (TTL plus fail-safe), " +
                $"longer than CachedGenOptions.TagRetention ({Options.TagRetention}): a tag's generation must outlive the entries " +
                "that carry it, or an old entry could be read again once the tag's record expires.");
        }

        if (descriptor.Sensitive && Redis is not null && Cipher is null)
        {
            (problems ??= []).Add(
                $"{descriptor.MethodId} is [Cached(Sensitive = true)], so CachedGenOptions.ValueEncryptionKey must be set " +
                "(the same 32-byte AES-256 key on every node) before Redis is used: CachedGen never writes a sensitive value to " +
                "Redis in plaintext. Without Redis (L1 only) no key is needed.");
        }

        if (problems is not null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine + "- ", problems));
        }
    }

    // The ids of the decorated services' cached methods, full and short, once the host's start check has listed them.
    private HashSet<string>? _knownMethodIds;

    /// <summary>Records the ids of the decorated services' cached methods (the host's start check lists them) and logs
    /// (1025) each entry of <see cref="CachedGenOptions.Methods"/> that names none of them, now and on every reload:
    /// a mistyped id would otherwise leave its kill switch or TTL silently unused.</summary>
    internal void KnowMethods(IEnumerable<string> methodIds)
    {
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in methodIds)
        {
            known.UnionWith(Runtime.MethodPolicy.Names(id));
        }

        _knownMethodIds = known;
        WarnOfUnknownMethodSettings(CurrentOptions);
    }

    private void WarnOfUnknownMethodSettings(CachedGenOptions options)
    {
        foreach (var id in UnknownMethodSettings(options))
        {
            Runtime.Log.UnknownMethodSettings(Logger, id);
        }
    }

    /// <summary>The ids under <see cref="CachedGenOptions.Methods"/> that name no cached method of the decorated services
    /// (none before the decorated services are known).</summary>
    private List<string> UnknownMethodSettings(CachedGenOptions options)
    {
        var unknown = new List<string>();
        if (_knownMethodIds is not { } known)
        {
            return unknown;
        }

        foreach (var id in options.Methods.Keys)
        {
            // One of several registrations (@key) takes the method's id before it; a generic interface's closed ids
            // (IRepository<Order>.GetAsync) are known only once its decorator is built, and are not judged.
            var at = id.IndexOf('@', StringComparison.Ordinal);
            var methodId = at > 0 ? id[..at] : id;
            if (!known.Contains(methodId) && !methodId.Contains('<', StringComparison.Ordinal))
            {
                unknown.Add(id);
            }
        }

        unknown.Sort(StringComparer.Ordinal);
        return unknown;
    }
}
