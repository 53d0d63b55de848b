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
