namespace Stremora.Modules.Videos.UploadVideo;

/// <summary>
/// Claims an Idempotency-Key for one user's upload. The id is the hash of user + key, so the primary key
/// makes two concurrent uploads with the same key collide in the database instead of both storing.
/// </summary>
internal sealed record UploadIdempotencyKey(string Id, Guid VideoId);
