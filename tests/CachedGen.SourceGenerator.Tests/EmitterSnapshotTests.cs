using CachedGen.SourceGenerator.Emitting;
using CachedGen.SourceGenerator.Model;
using CachedGen.SourceGenerator.Tests.Infrastructure;
using Xunit;

namespace CachedGen.SourceGenerator.Tests;

/// <summary>The emitter alone, from a hand-built model: pins the text without going through the parser.</summary>
public class EmitterSnapshotTests
{
    [Fact]
    public void Global_namespace_internal_interface_with_every_member_kind()
        => Snapshot.Verify(DecoratorEmitter.Emit(Store()), $"{nameof(EmitterSnapshotTests)}.{nameof(Global_namespace_internal_interface_with_every_member_kind)}#IStore.g.cs");

    /// <summary>A global-namespace internal interface with a cached method and every kind of forwarded member.</summary>
    internal static DecoratorModel Store()
    {
        var parameters = new EquatableArray<ParameterModel>([new ParameterModel("id", "int", Passing.Value), new ParameterModel("ct", "global::System.Threading.CancellationToken", Passing.Value)]);
        return new DecoratorModel
        {
            Namespace = "",
            InterfaceName = "IStore",
            InterfaceType = "global::IStore",
            DecoratorName = "CachedStore",
            IsPublic = false,
            HintName = "IStore.g.cs",
            InnerFieldName = "_inner",
            CachedMethods = new EquatableArray<CachedMethodModel>([
                new CachedMethodModel
                {
                    DeclaringInterface = "global::IStore",
                    Name = "GetAsync",
                    MethodId = "IStore.GetAsync",
                    Kind = ResultKind.ValueTaskOfT,
                    ReturnType = "global::System.Threading.Tasks.ValueTask<string?>",
                    ValueType = "string?",
                    Parameters = parameters,
                    CancellationTokenName = "ct",
                    MemberName = "GetAsync",
                    KeyTemplate = "s:{id}",
                    KeyFields = new EquatableArray<KeyFieldModel>([new KeyFieldModel
                    {
                        Name = "Id",
                        Type = "int",
                        Source = ValuePath.Of("id"),
                        EnumAs = "",
                        IsNullableValue = false,
                    }]),
                    KeySegments = new EquatableArray<KeySegmentModel>([new KeySegmentModel("s:", null, false), new KeySegmentModel(null, "Id", false)]),
                    TtlTicks = System.TimeSpan.FromSeconds(30).Ticks,
                    TtlText = "30s",
                    LocalTtlTicks = System.TimeSpan.FromSeconds(5).Ticks,
                    LocalTtlText = "5s",
                    KeyPrefix = "store:",
                    Version = 3,
                    Fingerprint = 0xABCDEF01u,
                    MaxLocalEntries = 500,
                    MaxValueBytes = 4096,
                    Sensitive = false,
                    TagTemplates = new EquatableArray<string>(["store:{id}", "all"]),
                    Tags = new EquatableArray<TagTemplateModel>([
                        new TagTemplateModel(new EquatableArray<TagPartModel>([new TagPartModel("store:"), new TagPartModel(null, KeyElement: 0)])),
                        new TagTemplateModel(new EquatableArray<TagPartModel>([new TagPartModel("all")])),
                    ]),
                },
            ]),
            ForwardedMethods = new EquatableArray<ForwardedMethodModel>([
                new ForwardedMethodModel
                {
                    DeclaringInterface = "global::IStore",
                    Name = "Put",
                    ReturnType = "void",
                    Returns = RefReturn.None,
                    Kind = ResultKind.Void,
                    Parameters = new EquatableArray<ParameterModel>([new ParameterModel("id", "int", Passing.Value)]),
                    Invalidations = new EquatableArray<InvalidationModel>([new InvalidationModel
                    {
                        MemberName = "GetAsync",
                        KeyTemplate = "s:{id}",
                        KeyType = "global::System.ValueTuple<int>",
                        Arguments = new EquatableArray<ValuePath>([ValuePath.Of("id")]),
                    }]),
                    TagInvalidations = new EquatableArray<TagTemplateModel>([new TagTemplateModel(new EquatableArray<TagPartModel>([new TagPartModel("store:"), new TagPartModel(null, Value: ValuePath.Of("id"))]))]),
                },
                new ForwardedMethodModel
                {
                    DeclaringInterface = "global::IStore",
                    Name = "Map",
                    ReturnType = "T",
                    Returns = RefReturn.None,
                    Kind = ResultKind.Value,
                    TypeParameters = new EquatableArray<string>(["T"]),
                    Parameters = new EquatableArray<ParameterModel>([new ParameterModel("value", "T", Passing.In)]),
                    Invalidations = EquatableArray<InvalidationModel>.Empty,
                    TagInvalidations = EquatableArray<TagTemplateModel>.Empty,
                },
            ]),
            ForwardedProperties = new EquatableArray<ForwardedPropertyModel>([
                new ForwardedPropertyModel
                {
                    DeclaringInterface = "global::IStore",
                    Name = "this",
                    Type = "string",
                    Returns = RefReturn.None,
                    IndexerParameters = new EquatableArray<ParameterModel>([new ParameterModel("index", "int", Passing.Value)]),
                    HasGetter = true,
                    HasSetter = false,
                    IsInitOnly = false,
                },
            ]),
            ForwardedEvents = new EquatableArray<ForwardedEventModel>([new ForwardedEventModel
            {
                DeclaringInterface = "global::IStore",
                Name = "Changed",
                Type = "global::System.Action?",
            }]),
        };
    }
}
