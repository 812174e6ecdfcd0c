using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Stremora.Modules.Videos;

/// <summary>
/// What the OpenAPI document cannot learn from FastEndpoints by itself: query parameters bound by
/// FastEndpoints and the problem responses an endpoint returns besides its typed results.
/// </summary>
internal static class OpenApiDocs
{
    public static RouteHandlerBuilder QueryParameter(this RouteHandlerBuilder builder, string name, JsonSchemaType type, string description, JsonNode? defaultValue = null) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = description,
                Schema = new OpenApiSchema { Type = type, Default = defaultValue },
            });
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder Problem(this RouteHandlerBuilder builder, int status, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
            };
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder HeaderParameter(this RouteHandlerBuilder builder, string name, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Header,
                Description = description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
            });
            return Task.CompletedTask;
        });

    /// <summary>The upload form, which the endpoint reads by hand (streaming) and so cannot describe through a request type.</summary>
    public static RouteHandlerBuilder UploadForm(this RouteHandlerBuilder builder) =>
        builder.MultipartForm(
            new Dictionary<string, IOpenApiSchema>
            {
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = 200 },
                ["description"] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 5000 },
                ["video"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "MP4, QuickTime, 3GP, WebM, Matroska, AVI, FLV, ASF/WMV, MPEG-PS or MPEG-TS (sniffed from the bytes)." },
                ["thumbnail"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "JPEG, PNG or WebP (sniffed from the bytes)." },
            },
            "title",
            "video");

    /// <summary>A multipart/form-data body an endpoint reads by hand (streaming): its parts, and which are required.</summary>
    public static RouteHandlerBuilder MultipartForm(this RouteHandlerBuilder builder, Dictionary<string, IOpenApiSchema> parts, params string[] required) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Required = new HashSet<string>(required), Properties = parts },
                    },
                },
            };
            return Task.CompletedTask;
        });
}
