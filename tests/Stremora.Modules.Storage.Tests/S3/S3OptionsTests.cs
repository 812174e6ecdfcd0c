using Stremora.Modules.Storage.S3;

namespace Stremora.Modules.Storage.Tests.S3;

public sealed class S3OptionsTests
{
    [Fact]
    public void Bad_settings_are_refused_with_the_setting_named_and_no_value_echoed()
    {
        var options = new S3Options
        {
            BucketName = "bucket",
            AccessKeyId = "AKIA-SECRET-LOOKING",
            ServiceUrl = "ftp://files.example",
            PartSizeBytes = 1024,
            UrlExpiryMinutes = 0,
        };

        var result = new S3OptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "Storage:S3:PartSizeBytes must be between 5 MiB (5242880) and 5 GiB.",
                "Storage:S3:UrlExpiryMinutes must be between 1 and 1440 (a day).",
                "AWS_ENDPOINT_URL_S3 must be an absolute http:// or https:// URL.",
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.",
            ],
            result.Failures);
    }

    [Fact]
    public void Presigned_urls_live_a_quarter_of_an_hour_unless_configured_and_never_past_a_day()
    {
        Assert.Equal(15, new S3Options().UrlExpiryMinutes);
        var tooLong = new S3OptionsValidator().Validate(null, new S3Options { UrlExpiryMinutes = S3Options.MaxUrlExpiryMinutes + 1 });
        Assert.Equal(["Storage:S3:UrlExpiryMinutes must be between 1 and 1440 (a day)."], tooLong.Failures);
        Assert.True(new S3OptionsValidator().Validate(null, new S3Options { UrlExpiryMinutes = S3Options.MaxUrlExpiryMinutes }).Succeeded);
    }

    [Fact]
    public void A_bucket_without_a_custom_endpoint_needs_a_region()
    {
        var result = new S3OptionsValidator().Validate(null, new S3Options { BucketName = "bucket" });
        Assert.Equal(["AWS_REGION is required when AWS_S3_BUCKET_NAME is set."], result.Failures);
    }

    [Theory]
    [InlineData("stremora", "stremora/")]
    [InlineData("stremora/", "stremora/")]
    [InlineData("team/stremora", "team/stremora/")]
    [InlineData("", "")]
    public void A_key_prefix_always_names_a_folder(string configured, string used)
    {
        Assert.Equal(used, new S3Options { KeyPrefix = configured }.KeyPrefix);
    }

    [Fact]
    public void Without_a_bucket_s3_is_simply_not_configured()
    {
        Assert.True(new S3OptionsValidator().Validate(null, new S3Options()).Succeeded);
        Assert.False(new S3Options().IsConfigured);
    }
}
