using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Stremora.Modules.Images.UploadImage;

/// <summary>What the OpenAPI document cannot learn from the endpoint, which reads its form by hand (streaming).</summary>
internal static class ImageUploadDocs
{
    public static RouteHandlerBuilder ImageUploadForm(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Required = new HashSet<string> { "kind", "image" },
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                ["kind"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["avatar", "cover"], Description = "Sent before the image part." },
                                ["image"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "JPEG, PNG or WebP (sniffed from the bytes), at most Upload:MaxImageBytes." },
                            },
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder ImageIdempotencyHeader(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = ImageIdempotency.Header,
                In = ParameterLocation.Header,
                Description = "Optional. The same key and content from the same user returns the same image instead of a second upload.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
            });
            return Task.CompletedTask;
        });
}
