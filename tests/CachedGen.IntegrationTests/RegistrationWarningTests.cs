using System.Threading.Tasks;
using System.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CachedGen.IntegrationTests;

/// <summary>A registration <c>AddCachedGen</c> cannot decorate (made after it) is not cached silently: the runtime logs
/// it once per service type when it is first resolved.</summary>
public class RegistrationWarningTests
{
    [Fact]
    public void A_decorated_interface_registered_after_AddCachedGen_is_logged_once_and_left_undecorated()
    {
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(log);
        services.AddSingleton<IProductBatchReader, ProductSource>(); // before AddCachedGen: decorated
        services.AddCachedGen();
        services.AddSingleton<IProductCatalog, ProductSource>(); // after: not decorated
        services.AddScoped<IProductCatalog, ProductSource>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<CachedProductBatchReader>(provider.GetRequiredService<IProductBatchReader>());
        Assert.IsType<ProductSource>(provider.GetRequiredService<IProductCatalog>());
        var warning = Assert.Single(log.Events, e => e.Id == 1019);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains(typeof(IProductCatalog).ToString(), warning.Message, System.StringComparison.Ordinal);
    }

    /// <summary>In a build that trims or publishes with Native AOT the generator does not register a generic interface's
    /// decorator (closing it is dynamic code), and says so from a module initializer: a registration of the generic
    /// interface is then left undecorated and logged once per service type, not left uncached without a word.</summary>
    [Fact]
    public void A_registration_of_a_generic_interface_whose_decorator_the_build_cannot_close_is_logged()
    {
        Runtime.CachedGenDecorators.RegisterUnusableGeneric(typeof(IUnclosableStore<>)); // what that build's generated code does
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(log);
        services.AddScoped<IUnclosableStore<Pallet>, UnclosableStore<Pallet>>();
        services.AddScoped(typeof(IUnclosableStore<>), typeof(UnclosableStore<>));
        services.AddSingleton<IProductCatalog, ProductSource>();
        services.AddCachedGen();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<CachedProductCatalog>(provider.GetRequiredService<IProductCatalog>()); // the runtime, resolved
        using var scope = provider.CreateScope();
        Assert.IsType<UnclosableStore<Pallet>>(scope.ServiceProvider.GetRequiredService<IUnclosableStore<Pallet>>());
        var warnings = log.Events.Where(e => e.Id == 1030).ToList();
        Assert.Equal(2, warnings.Count); // the closed registration and the open one
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains(warnings, w => w.Message.Contains(typeof(IUnclosableStore<Pallet>).ToString(), System.StringComparison.Ordinal));
        Assert.DoesNotContain(log.Events, e => e.Id == 1019);
    }

    [Fact]
    public void Registrations_made_before_AddCachedGen_log_nothing()
    {
        var log = new PayloadGuardTests.EventLog();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(log);
        services.AddSingleton<IProductBatchReader, ProductSource>();
        services.AddSingleton<IProductCatalog, ProductSource>();
        services.AddCachedGen();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<CachedProductCatalog>(provider.GetRequiredService<IProductCatalog>());
        Assert.DoesNotContain(log.Events, e => e.Id == 1019);
        Assert.NotEmpty(provider.GetServices<IProductBatchReader>().OfType<CachedProductBatchReader>());
    }
}

/// <summary>A generic interface whose decorator a trimmed build would not register (no [Cached] here: the test registers
/// it as unusable itself).</summary>
public interface IUnclosableStore<T>
{
    Task<T?> FindAsync(int id);
}

public sealed class UnclosableStore<T> : IUnclosableStore<T>
{
    public Task<T?> FindAsync(int id) => Task.FromResult<T?>(default);
}
