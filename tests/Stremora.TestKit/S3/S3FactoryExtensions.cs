using Stremora.TestKit.Host;

namespace Stremora.TestKit.S3;

public static class S3FactoryExtensions
{
    /// <summary>Points the host's S3 provider at <paramref name="bucket"/>.</summary>
    public static StremoraApiFactory WithS3(this StremoraApiFactory factory, TestBucket bucket)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(bucket);
        return factory.With(bucket.Settings.Select(setting => KeyValuePair.Create(setting.Key, (string?)setting.Value)));
    }
}
