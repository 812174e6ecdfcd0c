using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Stremora.Modules.Videos.ListVideos;

/// <summary>
/// Where a page ended, for keyset paging: the sort, the last item's sort key and its id (the tie-breaker), and the
/// walk's total as its first page counted it, so later pages do not count every matching video again. Opaque to
/// clients (base64url JSON), so its shape may change without breaking anyone who just hands it back.
/// </summary>
/// <param name="Total">Null in cursors given out before the total travelled with them: such a page counts again.</param>
internal sealed record ListCursor(string Sort, string? Title, double? Duration, Guid Id, long? Total)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ListCursor After(string sort, VideoDetails last, double? duration, long total) =>
        new(sort, sort == ListSorts.Title ? last.Title : null, duration, last.Id, total);

    public string Encode() => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public static bool TryParse(string? text, [NotNullWhen(true)] out ListCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 2048)
        {
            return false;
        }

        try
        {
            cursor = JsonSerializer.Deserialize<ListCursor>(Base64Url.DecodeFromChars(text), Json);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }

        return cursor is { Sort: not null, Total: null or >= 0 } && cursor.Id != Guid.Empty && (cursor.Sort != ListSorts.Title || cursor.Title is not null);
    }
}
