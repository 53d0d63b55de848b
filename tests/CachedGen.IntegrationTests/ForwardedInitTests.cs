using System.Threading.Tasks;
using Xunit;

namespace CachedGen.IntegrationTests;

public interface ITitled
{
    string Title { get; init; }

    [Cached("5m", "titled:{id}")]
    Task<string> GetAsync(int id);
}

/// <summary>An init-only interface property is forwarded to the inner implementation, as a plain setter is.</summary>
public sealed class ForwardedInitTests
{
    [Fact]
    public async Task An_init_only_property_set_on_the_decorator_reaches_the_inner_implementation()
    {
        var inner = new Titled { Title = "before" };
        await using var runtime = new CacheRuntime(new CachedGenOptions());
        ITitled decorator = new CachedTitled(inner, runtime);

        // The only way C# lets code call an init accessor of an interface-typed object is reflection (an object
        // initializer needs the concrete type): before, the decorator's threw NotSupportedException.
        typeof(ITitled).GetProperty(nameof(ITitled.Title))!.SetValue(decorator, "after");

        Assert.Equal("after", inner.Title);
        Assert.Equal("after", decorator.Title);
        Assert.Equal("after:1", await decorator.GetAsync(1));
    }

    private sealed class Titled : ITitled
    {
        public string Title { get; init; } = "";

        public Task<string> GetAsync(int id) => Task.FromResult(Title + ":" + id);
    }
}
