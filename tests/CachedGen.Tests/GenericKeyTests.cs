using System;
using System.Collections.Generic;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests;

/// <summary>What keys of generic repositories are made of at run time: type argument names, run-time shape
/// fingerprints, and key values whose type is a type argument.</summary>
public class GenericKeyTests
{
    public sealed record Order(int Id, string Customer);

    // Order with one more member.
    public sealed record OrderWithTotal(int Id, string Customer, decimal Total);

    public sealed record Page<T>(IReadOnlyList<T> Items, int Total);

    public sealed class Outer<T>
    {
        public sealed class Inner
        {
            public T? Value { get; set; }
        }
    }

    public enum Status : byte
    {
        Open = 1,
        Closed = 2,
    }

    // Strongly typed ids, as DDD code writes them.
    public readonly record struct OrderId(Guid Value);

    public readonly record struct Sku(string Value);

    public readonly record struct Money(decimal Amount, string Currency);

    public readonly record struct Boxed(Order Value);

    private static string RenderOf<T>(T value)
    {
        var builder = new CacheKeyBuilder(stackalloc char[64], null);
        builder.AppendValueOf(value);
        return builder.ToStringAndClear();
    }

    [Fact]
    public void Two_types_differing_by_one_member_have_different_fingerprints()
    {
        Assert.NotEqual(ShapeFingerprints.Of(typeof(Order)), ShapeFingerprints.Of(typeof(OrderWithTotal)));
        Assert.NotEqual(ShapeFingerprints.Of(typeof(Page<Order>)), ShapeFingerprints.Of(typeof(Page<OrderWithTotal>)));
    }

    [Fact]
    public void A_type_has_the_same_fingerprint_in_two_computations()
    {
        // Describe does not cache; Of does: both agree, twice.
        Assert.Equal(ShapeFingerprints.Describe(typeof(Page<Order>)), ShapeFingerprints.Describe(typeof(Page<Order>)));
        var first = ShapeFingerprints.Of(typeof(Page<Order>));
        Assert.Equal(first, ShapeFingerprints.Of(typeof(Page<Order>)));
        Assert.Contains("Customer:string;Id:int;", ShapeFingerprints.Describe(typeof(Order)), StringComparison.Ordinal);
    }

    [Fact]
    public void Type_argument_names_carry_namespace_containing_types_and_arguments()
    {
        Assert.Equal("CachedGen.Tests.GenericKeyTests.Order", CacheTypeNames.Of(typeof(Order)));
        Assert.Equal("System.Int32", CacheTypeNames.Of(typeof(int)));
        Assert.Equal("System.Nullable<System.Int32>", CacheTypeNames.Of(typeof(int?)));
        Assert.Equal("CachedGen.Tests.GenericKeyTests.Page<CachedGen.Tests.GenericKeyTests.Order>", CacheTypeNames.Of(typeof(Page<Order>)));
        Assert.Equal("CachedGen.Tests.GenericKeyTests.Outer<System.String>.Inner", CacheTypeNames.Of(typeof(Outer<string>.Inner)));
        Assert.Equal("System.String[],System.Int32", CacheTypeNames.Join(typeof(string[]), typeof(int)));
    }

    [Fact]
    public void A_value_of_a_type_argument_is_encoded_as_its_own_type_would_be()
    {
        Assert.Equal("42", RenderOf(42));
        Assert.Equal("-7", RenderOf(-7L));
        Assert.Equal("a%3Ab", RenderOf("a:b"));
        Assert.Equal("~", RenderOf<string?>(null));
        Assert.Equal("~", RenderOf<int?>(null));
        Assert.Equal("5", RenderOf<int?>(5));
        Assert.Equal("2", RenderOf(Status.Closed));
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.Equal("0f8fad5bd9cb469fa16570867728950e", RenderOf(guid));
        Assert.Equal("20240102", RenderOf(new DateOnly(2024, 1, 2)));
        Assert.Equal("true", RenderOf(true));
        Assert.Equal("1.5", RenderOf(1.5m));
    }

    [Fact]
    public void A_type_argument_without_key_encoding_is_refused()
    {
        Assert.True(CacheKeyBuilder.IsEncodable(typeof(int?)));
        Assert.True(CacheKeyBuilder.IsEncodable(typeof(Status)));
        Assert.True(CacheKeyBuilder.IsEncodable(typeof(DateTimeOffset)));
        Assert.False(CacheKeyBuilder.IsEncodable(typeof(Order)));
        Assert.False(CacheKeyBuilder.IsEncodable(typeof(object)));
        var error = Assert.Throws<NotSupportedException>(() => CacheKeyBuilder.EnsureEncodable(typeof(Order), "id"));
        Assert.Contains("{id}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_struct_with_one_scalar_field_is_encoded_as_that_field()
    {
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        Assert.True(CacheKeyBuilder.IsEncodable(typeof(OrderId)));
        Assert.True(CacheKeyBuilder.IsEncodable(typeof(OrderId?)));
        Assert.True(CacheKeyBuilder.IsEncodable(typeof(Sku)));
        Assert.Equal(RenderOf(guid), RenderOf(new OrderId(guid)));
        Assert.Equal("a%3Ab", RenderOf(new Sku("a:b")));
        Assert.Equal("~", RenderOf(new Sku(null!)));
        Assert.Equal("~", RenderOf<OrderId?>(null));
        Assert.Equal(RenderOf(guid), RenderOf<OrderId?>(new OrderId(guid)));
    }

    [Fact]
    public void A_struct_that_is_more_or_other_than_one_scalar_is_refused()
    {
        Assert.False(CacheKeyBuilder.IsEncodable(typeof(Money)));   // two fields
        Assert.False(CacheKeyBuilder.IsEncodable(typeof(Boxed)));   // one field, not a scalar
        Assert.False(CacheKeyBuilder.IsEncodable(typeof(Sku?)));    // null and Sku(null) would both be the null marker
        Assert.False(CacheKeyBuilder.IsEncodable(typeof(KeyValuePair<int, int>)));
        var error = Assert.Throws<NotSupportedException>(() => CacheKeyBuilder.EnsureEncodable(typeof(Money), "id"));
        Assert.Contains("one field", error.Message, StringComparison.Ordinal);
    }
}
