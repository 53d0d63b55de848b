using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace CachedGen.SourceGenerator;

/// <summary>The arguments of one <c>[Cached]</c>, read from its <see cref="AttributeData"/>.</summary>
internal sealed class CachedAttributeData
{
    public string? Ttl { get; private set; }

    public string? KeyTemplate { get; private set; }

    public IReadOnlyList<string> InvalidatedBy { get; private set; } = [];

    public IReadOnlyList<string> Tags { get; private set; } = [];

    public int Version { get; private set; } = 1;

    public string? LocalTtl { get; private set; }

    public int MaxLocalEntries { get; private set; }

    public int MaxValueBytes { get; private set; }

    public bool Sensitive { get; private set; }

    public bool CacheNull { get; private set; } = true;

    public static CachedAttributeData Read(AttributeData attribute)
    {
        var data = new CachedAttributeData();
        var args = attribute.ConstructorArguments;
        if (args.Length >= 1)
        {
            data.Ttl = args[0].Value as string;
        }

        if (args.Length >= 2)
        {
            data.KeyTemplate = args[1].Value as string;
        }

        if (args.Length >= 3)
        {
            data.InvalidatedBy = Strings(args[2]);
        }

        foreach (var named in attribute.NamedArguments)
        {
            switch (named.Key)
            {
                case "KeyTemplate": data.KeyTemplate = named.Value.Value as string; break;
                case "InvalidatedBy": data.InvalidatedBy = Strings(named.Value); break;
                case "Tags": data.Tags = Strings(named.Value); break;
                case "Version": data.Version = named.Value.Value is int v ? v : 1; break;
                case "LocalTtl": data.LocalTtl = named.Value.Value as string; break;
                case "MaxLocalEntries": data.MaxLocalEntries = named.Value.Value is int m ? m : 0; break;
                case "MaxValueBytes": data.MaxValueBytes = named.Value.Value is int b ? b : 0; break;
                case "Sensitive": data.Sensitive = named.Value.Value is true; break;
                case "CacheNull": data.CacheNull = named.Value.Value is not false; break;
            }
        }

        return data;
    }

    /// <summary>The smallest L1 a method keeps: the runtime raises a smaller <see cref="MaxLocalEntries"/> to it.</summary>
    public const int SmallestLocalCapacity = 3;

    /// <summary>The numeric settings that cannot mean what they say (CG0022): a negative <see cref="Version"/>, a
    /// negative <see cref="MaxLocalEntries"/> or one the runtime would raise (1 or 2), a negative
    /// <see cref="MaxValueBytes"/>. Each with the setting's name and why.</summary>
    public IEnumerable<(string Name, int Value, string Problem)> SettingProblems()
    {
        if (Version < 0)
        {
            yield return (nameof(Version), Version, "is negative: versions count up from 1 (the default); bump it to 2, 3... to change every key of the method");
        }

        if (MaxLocalEntries < 0)
        {
            yield return (nameof(MaxLocalEntries), MaxLocalEntries, "is negative: write a capacity of at least 3, 0 for the runtime's DefaultMaxLocalEntries, or LocalTtl = \"0s\" to keep the method out of L1");
        }
        else if (MaxLocalEntries is > 0 and < SmallestLocalCapacity)
        {
            yield return (nameof(MaxLocalEntries), MaxLocalEntries, "is below 3, the smallest L1 CachedGen keeps, so it would keep 3: write 3 or more, or LocalTtl = \"0s\" to keep the method out of L1");
        }

        if (MaxValueBytes < 0)
        {
            yield return (nameof(MaxValueBytes), MaxValueBytes, "is negative: write the largest payload in bytes to write to Redis, or 0 for the runtime's DefaultMaxValueBytes");
        }
    }

    private static IReadOnlyList<string> Strings(TypedConstant constant)
    {
        if (constant.Kind != TypedConstantKind.Array || constant.IsNull || constant.Values.IsEmpty)
        {
            return [];
        }

        var strings = new List<string>(constant.Values.Length);
        foreach (var value in constant.Values)
        {
            if (value.Value is string text)
            {
                strings.Add(text);
            }
        }

        return strings;
    }
}
