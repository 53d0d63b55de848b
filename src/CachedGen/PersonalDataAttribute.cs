using System;

namespace CachedGen;

/// <summary>
/// Marks a parameter, property, field or type as personal data. Personal data must not appear raw in a cache key
/// (use <c>{name:hash}</c>), and a cached value that carries it should be <see cref="CachedAttribute.Sensitive"/>.
/// </summary>
[AttributeUsage(
    AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field |
    AttributeTargets.Class | AttributeTargets.Struct,
    AllowMultiple = false,
    Inherited = true)]
public sealed class PersonalDataAttribute : Attribute
{
}
