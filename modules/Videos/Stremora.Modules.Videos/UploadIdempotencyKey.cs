namespace Stremora.Modules.Videos;

/// <summary>
/// Claims an Idempotency-Key for one user's upload. The id is the hash of user + key, so the primary key
/// makes two concurrent uploads with the same key collide in the database instead of both storing.
/// </summary>
internal sealed record UploadIdempotencyKey(string Id, Guid VideoId)
{
    /// <summary>An upload that failed or was abandoned frees its key (only if it still holds it) in the same transaction.</summary>
    public static void Release(Marten.IDocumentSession session, string? keyHash, Guid? videoId)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (keyHash is not null && videoId is { } holder)
        {
            session.DeleteWhere<UploadIdempotencyKey>(k => k.Id == keyHash && k.VideoId == holder);
        }
    }
}
