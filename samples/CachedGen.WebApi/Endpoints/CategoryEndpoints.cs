using System;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CachedGen.WebApi.Endpoints;

/// <summary><c>/tenants/{tenantId}/categories</c>: list pages (with product counts), get, create, rename.</summary>
public static class CategoryEndpoints
{
    public static IEndpointRouteBuilder MapCategories(this IEndpointRouteBuilder routes)
    {
        var categories = routes.MapGroup("/tenants/{tenantId:guid}/categories").WithTags("Categories");

        categories.MapGet("/", (Guid tenantId, int? page, int? pageSize, ICategoryRepository repository, CancellationToken ct)
            => repository.ListAsync(tenantId, page ?? 1, pageSize ?? 20, ct));

        categories.MapGet("/{id:int}", async Task<Results<Ok<CategoryDto>, ProblemHttpResult>> (Guid tenantId, int id, ICategoryRepository repository, CancellationToken ct)
            => await repository.GetAsync(tenantId, id, ct) is { } category ? TypedResults.Ok(category) : ProductEndpoints.NotFound("category", id));

        categories.MapPost("/", async Task<Results<Created<CategoryDto>, ValidationProblem>> (Guid tenantId, CategoryInput input, ICategoryRepository repository, CancellationToken ct) =>
        {
            if (Validate(input) is { } problem)
            {
                return problem;
            }

            var created = await repository.CreateAsync(tenantId, input, ct);
            return TypedResults.Created($"/tenants/{tenantId}/categories/{created.Id}", created);
        });

        categories.MapPut("/{id:int}", async Task<Results<Ok<CategoryDto>, ProblemHttpResult, ValidationProblem>> (Guid tenantId, int id, CategoryInput input, ICategoryRepository repository, CancellationToken ct) =>
        {
            if (Validate(input) is { } problem)
            {
                return problem;
            }

            return await repository.UpdateAsync(tenantId, id, input, ct) is { } updated ? TypedResults.Ok(updated) : ProductEndpoints.NotFound("category", id);
        });

        return routes;
    }

    private static ValidationProblem? Validate(CategoryInput input)
        => string.IsNullOrWhiteSpace(input.Name) || input.Name.Length > 100
            ? TypedResults.ValidationProblem(ProductEndpoints.Errors("name", "Give a name of 1 to 100 characters."))
            : null;
}
