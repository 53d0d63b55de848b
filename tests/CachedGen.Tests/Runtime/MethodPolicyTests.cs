using System;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests.Runtime;

/// <summary>Per-method settings (<see cref="CachedGenOptions.Methods"/>) are found by the full method id or by
/// <c>Interface.Method</c>, an overload's parameter types included.</summary>
public class MethodPolicyTests
{
    private static CacheMethodDescriptor<ValueTuple<long>, string> Descriptor(string methodId)
        => new(methodId, static (in ValueTuple<long> key, ref CacheKeyBuilder builder) => builder.AppendValue(key.Item1)) { Ttl = TimeSpan.FromMinutes(10), KeySuffix = "#v1.00000001", ShapeFingerprint = 1 };

    [Theory]
    [InlineData("Shop.IOrders.FindAsync(System.Int64)", "Shop.IOrders.FindAsync(System.Int64)")]
    [InlineData("Shop.IOrders.FindAsync(System.Int64)", "IOrders.FindAsync(System.Int64)")]
    [InlineData("Shop.IOrders.GetAsync", "IOrders.GetAsync")]
    [InlineData("Shop.IRepository<Shop.Order>.FindAsync(System.Int32,System.String)", "IRepository<Shop.Order>.FindAsync(System.Int32,System.String)")]
    [InlineData("Shop.Outer.IOrders.FindAsync(Shop.Money)", "IOrders.FindAsync(Shop.Money)")]
    public void Settings_are_found_by_the_full_id_or_the_interface_and_method(string methodId, string configured)
    {
        var options = new CachedGenOptions();
        options.Methods[configured] = new CachedMethodOptions { Enabled = false, Ttl = TimeSpan.FromMinutes(1) };

        var policy = MethodPolicy.Create(Descriptor(methodId), options);

        Assert.False(policy.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(1), policy.Ttl);
    }

    [Theory]
    [InlineData("Shop.IOrders.FindAsync(System.Int64)", "FindAsync(System.Int64)")] // the method alone names no interface
    [InlineData("Shop.IOrders.FindAsync(System.Int64)", "IOrders.FindAsync(System.Int32)")] // another overload
    [InlineData("Shop.IOrders.FindAsync(System.Int64)", "Int64)")]
    public void Other_names_do_not_apply(string methodId, string configured)
    {
        var options = new CachedGenOptions();
        options.Methods[configured] = new CachedMethodOptions { Enabled = false };

        Assert.True(MethodPolicy.Create(Descriptor(methodId), options).Enabled);
    }
}
