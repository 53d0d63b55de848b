using System.IO;
using CachedGen.WebApi.Catalog;
using CachedGen.WebApi.Data;
using CachedGen.WebApi.Endpoints;
using CachedGen.WebApi.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The CachedGen web sample: dotnet run --project samples/CachedGen.WebApi, then curl http://localhost:5080/health.
// L1 only on a SQLite file by default; ConnectionStrings:redis (plus the two secrets) adds Redis. See
// docs/getting-started.md#the-web-sample.
var builder = WebApplication.CreateBuilder(args);
var services = builder.Services;

// 1. EF Core on SQLite. The file lives under the content root (App_Data/ is git-ignored). Interceptors registered in
//    DI are attached (the HTTP tests count SQL commands with one).
var database = new SqliteConnectionStringBuilder(builder.Configuration.GetConnectionString("catalog") ?? "Data Source=App_Data/catalog.db");
if (database.DataSource != ":memory:")
{
    database.DataSource = Path.Combine(builder.Environment.ContentRootPath, database.DataSource); // unless rooted
    Directory.CreateDirectory(Path.GetDirectoryName(database.DataSource)!);
}

services.AddDbContext<CatalogDbContext>((sp, o) => o.UseSqlite(database.ToString()).AddInterceptors(sp.GetServices<IInterceptor>()));

// 2. The repositories, registered as usual...
services.AddScoped<IProductRepository, EfProductRepository>();
services.AddScoped<ICategoryRepository, EfCategoryRepository>();
services.AddScoped<ICustomerRepository, EfCustomerRepository>();

// 3. ...then CachedGen, which wraps each of them in its generated decorator (CachedProductRepository, ...).
services.AddCatalogCaching(builder.Configuration);

// 4. Health, telemetry, ProblemDetails for every error.
services.AddCatalogHealthChecks();
services.AddCatalogTelemetry(builder.Configuration);
services.AddProblemDetails();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();

using (var scope = app.Services.CreateScope())
{
    await CatalogSeed.EnsureSeededAsync(scope.ServiceProvider.GetRequiredService<CatalogDbContext>());
}

app.MapGet("/", () => TypedResults.Ok(new
{
    sample = "CachedGen.WebApi",
    demoTenant = CatalogSeed.DemoTenant,
    products = $"/tenants/{CatalogSeed.DemoTenant}/products",
    categories = $"/tenants/{CatalogSeed.DemoTenant}/categories",
    health = "/health",
}));
app.MapProducts();
app.MapCategories();
app.MapCustomers();
app.MapCatalogHealth();
app.MapCatalogTelemetry();

await app.RunAsync();

/// <summary>The entry point, public for <c>WebApplicationFactory&lt;Program&gt;</c> in tests/CachedGen.WebApi.Tests.</summary>
public partial class Program;
