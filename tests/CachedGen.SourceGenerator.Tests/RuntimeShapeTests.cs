using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using CachedGen.Runtime;
using CachedGen.SourceGenerator.Parsing;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using MessagePack;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CachedGen.SourceGenerator.Tests.Shapes
{
    public enum Status
    {
        Open = 1,
        Closed = -2,
    }

    public sealed record Line(string Sku, int Quantity, decimal? Discount);

    public sealed record Order(int Id, string Customer, Status Status, IReadOnlyList<Line> Lines, Line[] Extra, DateTime At, Guid Key)
    {
        public string? Note;

        public int this[int index] => index;

        public static int Shared { get; set; }

        [IgnoreMember]
        public int Ignored { get; set; }
    }

    public sealed record Page<T>(List<T> Items, int Total, Dictionary<string, T> ById, (int, string) Pair);

    /// <summary>An EF-style base entity: its members are serialized with each derived type's.</summary>
    public abstract class Entity
    {
        public int Id { get; set; }

        public string Label { get; set; } = "";

        [IgnoreMember]
        public string? Audit { get; set; }
    }

    public sealed class Customer : Entity
    {
        public string Name { get; set; } = "";
    }

    [MessagePackObject]
    public sealed class Keyed
    {
        [Key(0)]
        public int Id { get; set; }

        [Key("name")]
        public string Name { get; set; } = "";
    }

    public sealed class Outer<T>
    {
        public sealed class Inner<U>
        {
            public T? Left { get; set; }

            public U? Right { get; set; }

            public Inner<U>? Next { get; set; }
        }
    }
}

namespace CachedGen.SourceGenerator.Tests
{
    using CachedGen.SourceGenerator.Tests.Shapes;

    /// <summary>A generic decorator fingerprints its value type and names its type arguments at run time, a closed one at
    /// compile time: for one type both must write the same text, or the two would put one entity under two keys.</summary>
    public class RuntimeShapeTests
    {
        private static readonly Lazy<CSharpCompilation> Compilation = new(() =>
        {
            var probe = GeneratorHarness.Compile("");
            var here = typeof(RuntimeShapeTests).Assembly.Location;
            var messagePack = typeof(MessagePackObjectAttribute).Assembly.Location;
            return probe.AddReferences(MetadataReference.CreateFromFile(here), MetadataReference.CreateFromFile(messagePack));
        });

        public static TheoryData<Type> Types => new()
        {
            typeof(int), typeof(string), typeof(int?), typeof(Status), typeof(Line), typeof(Order), typeof(Order[]),
            typeof(Page<Order>), typeof(Page<int?>), typeof(Keyed), typeof(List<Keyed>), typeof(IReadOnlyList<Order>),
            typeof(Outer<string>.Inner<Order>), typeof(Dictionary<Guid, Line[]>), typeof((int, Order)), typeof(Customer), typeof(Page<Customer>),
        };

        private static ITypeSymbol Symbol(Type type)
        {
            var compilation = Compilation.Value;
            if (type.IsArray)
            {
                return compilation.CreateArrayTypeSymbol(Symbol(type.GetElementType()!), type.GetArrayRank());
            }

            if (type.IsConstructedGenericType)
            {
                var arguments = type.GetGenericArguments().Select(Symbol).ToArray();
                var definition = compilation.GetTypeByMetadataName(type.GetGenericTypeDefinition().FullName!)!;
                if (type.DeclaringType is { IsGenericType: true } declaring)
                {
                    // Outer<string>.Inner<Order>: the containing type is constructed first, with its share of the arguments.
                    var outerArity = declaring.GetGenericArguments().Length;
                    var outer = Symbol(declaring.GetGenericTypeDefinition().MakeGenericType(type.GetGenericArguments()[..outerArity]));
                    definition = ((INamedTypeSymbol)outer).GetTypeMembers(definition.Name, definition.Arity)[0];
                    return definition.Construct(arguments[outerArity..]);
                }

                return definition.Construct(arguments);
            }

            return compilation.GetTypeByMetadataName(type.FullName!) ?? throw new InvalidOperationException(type.FullName);
        }

        [Theory]
        [MemberData(nameof(Types))]
        public void The_runtime_fingerprint_writes_the_compile_time_text(Type type)
        {
            var compileTime = ShapeFingerprint.Describe(Symbol(type), CancellationToken.None);
            Assert.Equal(compileTime, ShapeFingerprints.Describe(type));
            Assert.Equal(ShapeFingerprint.Compute(Symbol(type), CancellationToken.None), ShapeFingerprints.Of(type));
        }

        /// <summary>MessagePack's contractless resolver (the one CachedGen serializes with) writes a derived type's map
        /// with the members inherited from its bases; the shared member rule names exactly those keys.</summary>
        [Fact]
        public void The_serialized_members_are_the_map_keys_MessagePack_writes_inherited_ones_included()
        {
            var bytes = MessagePackSerializer.Serialize(new Customer { Id = 7, Name = "Ada", Label = "vip", Audit = "x" }, MessagePack.Resolvers.ContractlessStandardResolver.Options);
            var reader = new MessagePackReader(bytes);
            var keys = new List<string>();
            var count = reader.ReadMapHeader();
            for (var i = 0; i < count; i++)
            {
                keys.Add(reader.ReadString()!);
                reader.Skip();
            }

            Assert.Equal(["Id", "Label", "Name"], keys.Order(StringComparer.Ordinal));
            var members = CachedGen.SourceGenerator.SerializedShape.Members(Symbol(typeof(Customer)));
            Assert.Equal(keys.Order(StringComparer.Ordinal), members.Select(m => m.Member.Name).Order(StringComparer.Ordinal));
        }

        [Theory]
        [MemberData(nameof(Types))]
        public void The_runtime_type_name_is_the_compile_time_one(Type type)
            => Assert.Equal(TypeKeyName.Of(Symbol(type)), CacheTypeNames.Of(type));
    }
}
