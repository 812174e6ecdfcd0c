using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stremora.Modules.Storage.Cloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class CloudinaryOptionsTests
{
    private static CloudinaryOptions Read(params (string Key, string? Value)[] settings)
    {
        using var services = CloudinaryTestServices.Build(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));
        return services.GetRequiredService<IOptions<CloudinaryOptions>>().Value;
    }

    private static OptionsValidationException StartUpFailure(params (string Key, string? Value)[] settings)
    {
        using var services = CloudinaryTestServices.Build(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void Cloudinary_url_gives_the_three_credentials()
    {
        var options = Read(("CLOUDINARY_URL", "cloudinary://614335564976464:Abc-D_ef@my-cloud"));

        Assert.Equal(("614335564976464", "Abc-D_ef", "my-cloud"), (options.ApiKey, options.ApiSecret, options.CloudName));
        Assert.True(options.IsConfigured);
    }

    [Fact]
    public void Three_separate_variables_configure_it_too_and_override_the_url()
    {
        var separate = Read(("CLOUDINARY_CLOUD_NAME", "c"), ("CLOUDINARY_API_KEY", "k"), ("CLOUDINARY_API_SECRET", "s"));
        var overridden = Read(("CLOUDINARY_URL", "cloudinary://k:s@from-url"), ("CLOUDINARY_CLOUD_NAME", "from-variable"));

        Assert.Equal(("k", "s", "c"), (separate.ApiKey, separate.ApiSecret, separate.CloudName));
        Assert.True(separate.IsConfigured);
        Assert.Equal("from-variable", overridden.CloudName);
    }

    [Fact]
    public void Defaults_are_cloudinary_com_sha1_20_mb_chunks_one_at_a_time_and_the_stremora_folder()
    {
        var options = Read(("CLOUDINARY_URL", "cloudinary://k:s@c"));

        Assert.Equal(new Uri("https://api.cloudinary.com"), options.BaseAddress);
        Assert.Equal(CloudinarySignatureAlgorithm.Sha1, options.SignatureAlgorithm);
        Assert.Equal(20_000_000, options.ChunkSizeBytes);
        Assert.Equal(1, options.ConcurrentChunks);
        Assert.Equal("stremora", options.Folder);
    }

    [Fact]
    public void Base_address_algorithm_chunk_size_chunks_in_flight_and_folder_are_read()
    {
        var options = Read(
            ("CLOUDINARY_URL", "cloudinary://k:s@c"),
            ("CLOUDINARY_API_BASE_URL", "http://127.0.0.1:9999/"),
            ("Storage:Cloudinary:SignatureAlgorithm", "SHA256"),
            ("Storage:Cloudinary:ChunkSizeBytes", "6000000"),
            ("Storage:Cloudinary:ConcurrentChunks", "4"),
            ("Storage:Cloudinary:Folder", "/media/"));

        Assert.Equal(new Uri("http://127.0.0.1:9999/"), options.BaseAddress);
        Assert.Equal(CloudinarySignatureAlgorithm.Sha256, options.SignatureAlgorithm);
        Assert.Equal(6_000_000, options.ChunkSizeBytes);
        Assert.Equal(4, options.ConcurrentChunks);
        Assert.Equal("media", options.Folder);
    }

    [Fact]
    public void Missing_credentials_leave_it_unconfigured_without_failing_start_up()
    {
        var options = Read(("CLOUDINARY_CLOUD_NAME", "c"), ("CLOUDINARY_API_KEY", "k"));

        Assert.False(options.IsConfigured);
        Assert.Empty(options.Problems);
    }

    [Theory]
    [InlineData("https://k:TopSecretValue@c")]
    [InlineData("cloudinary://k-only-TopSecretValue@c")]
    [InlineData("cloudinary://k:TopSecretValue@")]
    [InlineData("cloudinary://k:TopSecretValue")]
    public void A_malformed_cloudinary_url_fails_start_up_naming_the_setting_but_not_the_secret(string url)
    {
        var failure = StartUpFailure(("CLOUDINARY_URL", url));

        Assert.Contains("CLOUDINARY_URL", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("TopSecretValue", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5242879")]
    [InlineData("1000")]
    [InlineData("100000001")]
    [InlineData("twenty")]
    public void A_chunk_size_cloudinary_would_refuse_fails_start_up_naming_the_setting(string chunkSize)
    {
        var failure = StartUpFailure(("Storage:Cloudinary:ChunkSizeBytes", chunkSize));

        Assert.Contains("Storage:Cloudinary:ChunkSizeBytes", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("9")]
    [InlineData("two")]
    public void Chunks_in_flight_outside_1_to_8_fail_start_up_naming_the_setting(string inFlight)
    {
        var failure = StartUpFailure(("Storage:Cloudinary:ConcurrentChunks", inFlight));

        Assert.Contains("Storage:Cloudinary:ConcurrentChunks", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_signature_algorithm_or_base_address_fails_start_up()
    {
        var failure = StartUpFailure(("Storage:Cloudinary:SignatureAlgorithm", "md5"), ("CLOUDINARY_API_BASE_URL", "not a url"));

        Assert.Contains("Storage:Cloudinary:SignatureAlgorithm", failure.Message, StringComparison.Ordinal);
        Assert.Contains("CLOUDINARY_API_BASE_URL", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_smallest_chunk_cloudinary_accepts_starts_fine()
    {
        using var services = CloudinaryTestServices.Build([KeyValuePair.Create<string, string?>("Storage:Cloudinary:ChunkSizeBytes", "5242880")]);

        services.GetRequiredService<IStartupValidator>().Validate();
    }
}
