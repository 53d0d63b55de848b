using System;
using System.Threading;
using System.Threading.Tasks;
using CachedGen.WebApi.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace CachedGen.WebApi.Endpoints;

/// <summary><c>POST /tenants/{tenantId}/customers/lookup</c>: a customer by e-mail (personal data: hashed key,
/// encrypted value in Redis).</summary>
public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomers(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/tenants/{tenantId:guid}/customers/lookup", async Task<Results<Ok<CustomerDto>, ProblemHttpResult, ValidationProblem>> (Guid tenantId, CustomerLookup lookup, ICustomerRepository repository, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(lookup.Email) || lookup.Email.Length > 320)
            {
                return TypedResults.ValidationProblem(ProductEndpoints.Errors("email", "Give an e-mail address."));
            }

            return await repository.FindByEmailAsync(tenantId, lookup.Email.Trim().ToLowerInvariant(), ct) is { } customer
                ? TypedResults.Ok(customer)
                : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No customer with this e-mail in this tenant.");
        }).WithTags("Customers");

        return routes;
    }
}
