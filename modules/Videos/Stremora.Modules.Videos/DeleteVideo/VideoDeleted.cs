namespace Stremora.Modules.Videos.DeleteVideo;

/// <summary>The video left the catalog; its files are removed by cleanup jobs scheduled in the same transaction.</summary>
/// <param name="DeletedBy">The user id (sub) of whoever deleted it.</param>
/// <param name="ByAdmin">True when an admin deleted someone else's video.</param>
internal sealed record VideoDeleted(string DeletedBy, bool ByAdmin, DateTimeOffset DeletedAt);
