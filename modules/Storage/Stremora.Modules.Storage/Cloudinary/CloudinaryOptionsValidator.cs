using Microsoft.Extensions.Options;

namespace Stremora.Modules.Storage.Cloudinary;

/// <summary>Fails start-up with every configuration problem found while reading the settings (messages never hold secrets).</summary>
internal sealed class CloudinaryOptionsValidator : IValidateOptions<CloudinaryOptions>
{
    public ValidateOptionsResult Validate(string? name, CloudinaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Problems);
    }
}
