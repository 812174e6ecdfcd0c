using Stremora.Modules.Storage.Cloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class CloudinarySignerTests
{
    // Cloudinary's documented worked example (Upload API reference, "Generating authentication signatures").
    private static readonly Dictionary<string, string?> DocumentedExample = new()
    {
        ["eager"] = "w_400,h_300,c_pad|w_260,h_200,c_crop",
        ["public_id"] = "sample_image",
        ["timestamp"] = "1315060510",
    };

    [Fact]
    public void String_to_sign_matches_the_documented_example()
    {
        Assert.Equal(
            "eager=w_400,h_300,c_pad|w_260,h_200,c_crop&public_id=sample_image&timestamp=1315060510",
            CloudinarySigner.StringToSign(DocumentedExample));
    }

    [Fact]
    public void Sha1_signature_matches_the_documented_example()
    {
        Assert.Equal("bfd09f95f331f558cbd1320e67aa8d488770583e", CloudinarySigner.Sign(DocumentedExample, "abcd", CloudinarySignatureAlgorithm.Sha1));
    }

    [Fact]
    public void Sha256_signature_is_the_sha256_of_the_same_string_and_secret()
    {
        // sha256("eager=w_400,h_300,c_pad|w_260,h_200,c_crop&public_id=sample_image&timestamp=1315060510abcd"), computed with sha256sum.
        Assert.Equal(
            "cc927e1290f9e3ae4c1a741eda21a4630b4ce80f9ce0bc0296337d25cf40f91e",
            CloudinarySigner.Sign(DocumentedExample, "abcd", CloudinarySignatureAlgorithm.Sha256));
    }

    [Fact]
    public void Unsigned_and_empty_parameters_are_left_out_and_the_rest_sorted()
    {
        var parameters = new Dictionary<string, string?>
        {
            ["timestamp"] = "1700000000",
            ["file"] = "ignored",
            ["api_key"] = "ignored",
            ["cloud_name"] = "ignored",
            ["resource_type"] = "ignored",
            ["signature"] = "ignored",
            ["tags"] = "",
            ["folder"] = null,
            ["public_id"] = "a/b",
            ["invalidate"] = "true",
        };

        Assert.Equal("invalidate=true&public_id=a/b&timestamp=1700000000", CloudinarySigner.StringToSign(parameters));
    }

    [Fact]
    public void Ampersands_inside_values_are_escaped_as_signature_version_2_requires()
    {
        var parameters = new Dictionary<string, string?> { ["context"] = "caption=a&b", ["timestamp"] = "1" };

        Assert.Equal("context=caption=a%26b&timestamp=1", CloudinarySigner.StringToSign(parameters));
    }
}
