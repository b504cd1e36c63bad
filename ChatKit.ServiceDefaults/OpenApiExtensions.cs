using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The OpenAPI document each service serves about its own endpoints (<c>Microsoft.AspNetCore.OpenApi</c>), with the
/// bearer token the endpoints that require authorization ask for.
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/openapi/v1.json";
    const string BearerScheme = "Bearer";

    /// <summary>
    /// Adds the <c>v1</c> document. Every endpoint but the anonymous ones names the bearer scheme and a 401: the
    /// fallback policy (<c>AddChatKitAuthentication</c>) signs in every endpoint that does not allow anonymous callers.
    /// </summary>
    public static TBuilder AddDefaultOpenApi<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.AddComponent<IOpenApiSecurityScheme>(BearerScheme, new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "A Better Auth JWT or a ChatKit session token.",
                });
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any()) return Task.CompletedTask;
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
                operation.Responses ??= [];
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "The bearer token is missing or not valid." });
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// Maps <see cref="DocumentPath"/> in every environment, for signed-in callers only: it describes just the endpoints
    /// mapped in that environment (no development token endpoint outside Development), holds no configuration or
    /// secrets, and is built on request, so it costs nothing until someone asks; the token keeps anonymous scanners out.
    /// </summary>
    public static WebApplication MapDefaultOpenApi(this WebApplication app)
    {
        app.MapOpenApi().RequireAuthorization();
        return app;
    }
}
