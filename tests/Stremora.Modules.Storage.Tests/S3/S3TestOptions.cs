using Microsoft.Extensions.Configuration;
using Stremora.Modules.Storage.S3;

namespace Stremora.Modules.Storage.Tests.S3;

/// <summary>S3 options for a moto bucket, read from its AWS_* settings by the product's own mapping.</summary>
internal static class S3TestOptions
{
    public static S3Options For(IReadOnlyDictionary<string, string> settings)
    {
        var options = new S3Options();
        options.ReadEnvironmentNames(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());
        return options;
    }
}
