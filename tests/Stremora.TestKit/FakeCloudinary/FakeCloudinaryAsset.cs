namespace Stremora.TestKit.FakeCloudinary;

/// <summary>A file the fake holds, as a test sees it.</summary>
/// <param name="Path">Where its bytes are on disk.</param>
public sealed record FakeCloudinaryAsset(
    string AssetId,
    string PublicId,
    string ResourceType,
    string Format,
    long Version,
    string Path,
    long Bytes,
    string Sha256,
    string Etag,
    DateTimeOffset CreatedAt,
    string? OriginalFilename);

/// <summary>One request the fake received: what it was and how it was answered (0 when it hung or reset).</summary>
public sealed record FakeCloudinaryRequest(
    string Operation,
    string ResourceType,
    string? UploadId,
    string? ContentRange,
    int Status,
    FakeCloudinaryFault? Fault);
