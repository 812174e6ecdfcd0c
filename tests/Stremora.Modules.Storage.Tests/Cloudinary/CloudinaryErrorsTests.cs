using System.Net;
using Stremora.Modules.Storage.Cloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class CloudinaryErrorsTests
{
    [Theory]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(408, true)]
    [InlineData(420, true)]
    [InlineData(423, true)]
    [InlineData(429, true)]
    [InlineData(499, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    public void Status_codes_are_classified_as_cloudinary_documents_them(int status, bool transient)
    {
        var failure = CloudinaryErrors.FromResponse((HttpStatusCode)status, "{\"error\":{\"message\":\"m\"}}");

        Assert.Equal(transient, failure.IsTransient);
        Assert.Equal($"cloudinary answered {status}: m", failure.Message);
    }

    [Fact]
    public void Messages_drop_the_signed_string_and_any_secret_and_stay_short()
    {
        var body = "{\"error\":{\"message\":\"Invalid Signature abc123. String to sign - 'public_id=x&timestamp=1'.\"}}";
        var secretEcho = "{\"error\":{\"message\":\"key s3cr3t rejected " + new string('x', 1000) + "\"}}";

        Assert.Equal("cloudinary answered 401: Invalid Signature [redacted].", CloudinaryErrors.FromResponse(HttpStatusCode.Unauthorized, body, "s3cr3t", "abc123").Message);
        var echoed = CloudinaryErrors.FromResponse(HttpStatusCode.BadRequest, secretEcho, "s3cr3t").Message;
        Assert.DoesNotContain("s3cr3t", echoed, StringComparison.Ordinal);
        Assert.True(echoed.Length < 400);
    }

    [Fact]
    public void A_body_that_is_not_cloudinary_json_still_gives_a_message()
    {
        Assert.Equal("cloudinary answered 502: (no error message)", CloudinaryErrors.FromResponse(HttpStatusCode.BadGateway, "<html>bad gateway</html>").Message);
    }
}
