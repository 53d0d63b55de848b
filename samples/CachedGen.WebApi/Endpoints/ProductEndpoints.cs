using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CachedGen.WebApi.Endpoints;

/// <summary><c>/tenants/{tenantId}/products</c>: list pages, search, get, create, replace, delete. The handlers see
/// <see cref="IProductRepository"/>, which resolves to CachedGen's generated <c>CachedProductRepository</c>.</summary>
public static class ProductEndpoints
{
    public static IEndpointRouteBuilder MapProducts(this IEndpointRouteBuilder routes)
    {
        var products = routes.MapGroup("/tenants/{tenantId:guid}/products").WithTags("Products");

        products.MapGet("/", (Guid tenantId, int? page, int? pageSize, IProductRepository repository, CancellationToken ct)
            => repository.ListAsync(tenantId, page ?? 1, pageSize ?? 20, ct));

        products.MapGet("/search", async Task<Results<Ok<Page<ProductSummary>>, ValidationProblem>> (Guid tenantId, string? q, int? page, IProductRepository repository, CancellationToken ct)
            => string.IsNullOrWhiteSpace(q) || q.Length > 100
                ? TypedResults.ValidationProblem(Errors("q", "Give a search text of 1 to 100 characters."))
                : TypedResults.Ok(await repository.SearchAsync(tenantId, q.Trim(), page ?? 1, ct)));

        products.MapGet("/{id:int}", async Task<Results<Ok<ProductDto>, ProblemHttpResult>> (Guid tenantId, int id, IProductRepository repository, CancellationToken ct)
            => await repository.GetAsync(tenantId, id, ct) is { } product ? TypedResults.Ok(product) : NotFound("product", id));

        products.MapPost("/", async Task<Results<Created<ProductDto>, ValidationProblem>> (Guid tenantId, ProductInput input, IProductRepository repository, ICategoryRepository categories, CancellationToken ct) =>
        {
            if (await ValidateAsync(tenantId, input, categories, ct) is { } problem)
            {
                return problem;
            }

            var created = await repository.CreateAsync(tenantId, input, ct);
            return TypedResults.Created($"/tenants/{tenantId}/products/{created.Id}", created);
        });

        products.MapPut("/{id:int}", async Task<Results<Ok<ProductDto>, ProblemHttpResult, ValidationProblem>> (Guid tenantId, int id, ProductInput input, IProductRepository repository, ICategoryRepository categories, CancellationToken ct) =>
        {
            if (await ValidateAsync(tenantId, input, categories, ct) is { } problem)
            {
                return problem;
            }

            return await repository.UpdateAsync(tenantId, id, input, ct) is { } updated ? TypedResults.Ok(updated) : NotFound("product", id);
        });

        products.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (Guid tenantId, int id, IProductRepository repository, CancellationToken ct)
            => await repository.DeleteAsync(tenantId, id, ct) ? TypedResults.NoContent() : NotFound("product", id));

        return routes;
    }

    internal static ProblemHttpResult NotFound(string what, int id)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No {what} {id} in this tenant.");

    internal static Dictionary<string, string[]> Errors(string field, string message) => new() { [field] = [message] };

    private static async Task<ValidationProblem?> ValidateAsync(Guid tenantId, ProductInput input, ICategoryRepository categories, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 200)
        {
            errors["name"] = ["Give a name of 1 to 200 characters."];
        }

        if (input.Description is { Length: > 2000 })
        {
            errors["description"] = ["The description is limited to 2000 characters."];
        }

        if (input.Price < 0)
        {
            errors["price"] = ["The price cannot be negative."];
        }

        // A cached read too: the category of a product is checked without a database round trip most of the time.
        if (await categories.GetAsync(tenantId, input.CategoryId, ct) is null)
        {
            errors["categoryId"] = [$"This tenant has no category {input.CategoryId}."];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }
}
