using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CachedGen.Runtime;
using Xunit;

namespace CachedGen.Tests;

/// <summary>Serializing a graph with a cycle, or one nested deeper than the limit, throws a private exception instead of
/// overflowing the stack (which would end the process, and this test host with it).</summary>
public class DepthGuardTests
{
    public sealed class Customer
    {
        public int Id { get; set; }

        public List<Order> Orders { get; set; } = [];
    }

    public sealed class Order
    {
        public int Id { get; set; }

        public Customer? Customer { get; set; }
    }

    public sealed class Node
    {
        public int Value { get; set; }

        public Node? Next { get; set; }
    }

    public sealed class Tree
    {
        public string Name { get; set; } = "";

        public IReadOnlyList<Tree> Children { get; set; } = [];
    }

    private const uint Fingerprint = 7u;

    private static byte[] Encode<T>(T value, int maxDepth = CachedGenOptions.DefaultMaxSerializedDepth)
    {
        var buffer = PayloadEnvelope.Encode(value, Fingerprint, 1_000, 61_000, 1024, out var length, maxDepth);
        var copy = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return copy;
    }

    internal static Customer CyclicCustomer()
    {
        var customer = new Customer { Id = 1 };
        customer.Orders.Add(new Order { Id = 10, Customer = customer });
        customer.Orders.Add(new Order { Id = 11, Customer = customer });
        return customer;
    }

    internal static Node Chain(int length)
    {
        Node? head = null;
        for (var i = length; i > 0; i--)
        {
            head = new Node { Value = i, Next = head };
        }

        return head!;
    }

    [Fact]
    public void A_cycle_is_refused_instead_of_overflowing_the_stack()
    {
        var ex = Assert.Throws<SerializedGraphTooDeepException>(() => Encode(CyclicCustomer()));
        Assert.Equal(CachedGenOptions.DefaultMaxSerializedDepth, ex.Limit);
    }

    [Fact]
    public void A_10000_deep_linked_list_is_refused_on_a_small_stack()
    {
        // A 256 KiB stack: without the guard the recursion overflows it long before 10,000 levels.
        Exception? caught = null;
        var thread = new Thread(() => caught = Record.Exception(() => Encode(Chain(10_000), CachedGenOptions.MaxSerializedDepthLimit)), 256 * 1024);
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)));
        Assert.IsType<SerializedGraphTooDeepException>(caught);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(256)]
    public void A_chain_as_deep_as_the_limit_round_trips_and_one_more_is_refused(int limit)
    {
        var payload = Encode(Chain(limit), limit);
        Assert.True(PayloadEnvelope.TryDecode<Node>(payload, Fingerprint, out var back, out _, out var error), error);
        var count = 0;
        for (var node = back; node is not null; node = node.Next)
        {
            Assert.Equal(++count, node.Value);
        }

        Assert.Equal(limit, count);
        Assert.Throws<SerializedGraphTooDeepException>(() => Encode(Chain(limit + 1), limit));
    }

    [Fact]
    public void Collections_count_as_levels_and_a_legal_tree_round_trips()
    {
        // Each level of this tree is an object and its list: 30 levels nest 60 deep, within the default of 64.
        var tree = Build(30);
        Assert.True(PayloadEnvelope.TryDecode<Tree>(Encode(tree), Fingerprint, out var back, out _, out var error), error);
        var depth = 0;
        var t = back;
        for (; t.Children.Count > 0; t = t.Children[0], depth++)
        {
            Assert.Equal("level " + depth, t.Name);
            Assert.Equal(2, t.Children.Count);
        }

        Assert.Equal(29, depth);
        Assert.Equal("level 29", t.Name);
        Assert.NotNull(Encode(Build(32)));
        Assert.Throws<SerializedGraphTooDeepException>(() => Encode(Build(33)));

        static Tree Build(int levels, int at = 0) => levels == 1
            ? new Tree { Name = "level " + at }
            : new Tree { Name = "level " + at, Children = [Build(levels - 1, at + 1), new Tree { Name = "leaf" }] };
    }

    [Fact]
    public void The_guard_leaves_nothing_behind_on_the_thread()
    {
        Assert.Throws<SerializedGraphTooDeepException>(() => Encode(CyclicCustomer()));
        var payload = Encode(Chain(CachedGenOptions.DefaultMaxSerializedDepth));
        Assert.True(PayloadEnvelope.TryDecode<Node>(payload, Fingerprint, out _, out _, out _));
    }
}
