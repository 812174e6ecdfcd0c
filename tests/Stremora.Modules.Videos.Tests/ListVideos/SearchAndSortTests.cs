using System.Net;
using System.Text.Json;
using Marten;
using Snapshooter;
using Snapshooter.Xunit;
using Stremora.Modules.Videos.Tests.Infrastructure;

namespace Stremora.Modules.Videos.Tests.ListVideos;

[Collection(VideosApiGroup.Name)]
public sealed class SearchAndSortTests(VideosApiFactory api)
{
    [Fact]
    public async Task Search_finds_a_title_word_and_a_description_word_but_not_a_word_in_neither()
    {
        using var client = api.ClientFor("search-owner");
        await client.UploadValidAsync("Sunset over the harbour", description: "Seagulls circling the fishing boats.");
        await client.UploadValidAsync("Mountain hike", description: "Snow on the ridge.");

        Assert.Equal(["Sunset over the harbour"], await TitlesAsync("q=harbour"));
        Assert.Equal(["Sunset over the harbour"], await TitlesAsync("q=seagull"));
        Assert.Equal(["Mountain hike"], await TitlesAsync("q=snow%20ridge"));
        Assert.Empty(await TitlesAsync("q=volcano"));
        var (_, body) = await api.CreateClient().SendAsync(HttpMethod.Get, "/api/videos?ownerId=search-owner&q=harbour");
        Scrub.Json(body).MatchSnapshot(SnapshotNameExtension.Create("response"));

        async Task<IReadOnlyList<string>> TitlesAsync(string query)
        {
            var (status, page) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos?ownerId=search-owner&{query}");
            Assert.Equal(HttpStatusCode.OK, status);
            return [.. Items(page).Select(v => v.GetProperty("title").GetString()!)];
        }
    }

    [Theory]
    [InlineData("newest", new[] { "cherry", "Apple", "banana", "date" })]
    [InlineData("oldest", new[] { "date", "banana", "Apple", "cherry" })]
    [InlineData("title", new[] { "Apple", "banana", "cherry", "date" })]
    [InlineData("duration", new[] { "cherry", "banana", "date", "Apple" })]
    public async Task Each_sort_order_holds_and_walking_every_page_by_cursor_yields_every_video_once(string sort, string[] expected)
    {
        var owner = $"sort-{sort}";
        using var client = api.ClientFor(owner);
        var ids = new Dictionary<string, Guid>();
        foreach (var title in new[] { "date", "banana", "Apple", "cherry" })
        {
            ids[title] = (await client.UploadValidAsync(title)).GetProperty("id").GetGuid();
        }

        // Every sample is the same 2 s clip: give two videos other durations, and take the figures from two others,
        // as from videos stored before media analysis; those come last, oldest first.
        await SetDurationAsync(ids["banana"], 30.5);
        await SetDurationAsync(ids["cherry"], 4);
        await RemoveMediaAsync(ids["date"]);
        await RemoveMediaAsync(ids["Apple"]);

        var (_, first) = await api.CreateClient().SendAsync(HttpMethod.Get, $"/api/videos?ownerId={owner}&sort={sort}");
        Assert.Equal(expected, Items(first).Select(v => v.GetProperty("title").GetString()));

        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/api/videos?ownerId={owner}&sort={sort}&pageSize=1" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var (status, body) = await api.CreateClient().SendAsync(HttpMethod.Get, url);
            Assert.True(status == HttpStatusCode.OK, body);
            var page = JsonDocument.Parse(body).RootElement;
            Assert.Equal(4, page.GetProperty("total").GetInt64());
            walked.AddRange(Items(body).Select(v => v.GetProperty("title").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && walked.Count <= expected.Length);

        Assert.Equal(expected, walked);
    }

    [Fact]
    public async Task Legacy_pages_keep_working_up_to_ten_thousand_items_deep()
    {
        using var response = await api.CreateClient().GetAsync(new Uri("/api/videos?page=501&pageSize=20", UriKind.Relative));
        var (status, _) = await api.CreateClient().SendAsync(HttpMethod.Get, "/api/videos?page=100&pageSize=100");

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["page"], problem.ErrorNames());
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("sort=rating", "sort")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "cursor")]
    public async Task A_bad_sort_or_cursor_is_400_problem(string query, string field)
    {
        using var response = await api.CreateClient().GetAsync(new Uri($"/api/videos?{query}", UriKind.Relative));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([field], problem.ErrorNames());
    }

    private static List<JsonElement> Items(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(v => v.Clone()).ToList();

    private async Task RemoveMediaAsync(Guid id)
    {
        await using var session = api.Store.LightweightSession();
        session.QueueSqlCommand($"update {api.Store.Options.Schema.For<VideoDetails>()} set data = data - 'media' where id = ?", id);
        await session.SaveChangesAsync();
    }

    private async Task SetDurationAsync(Guid id, double seconds)
    {
        await using var session = api.Store.LightweightSession();
        session.QueueSqlCommand(
            $"update {api.Store.Options.Schema.For<VideoDetails>()} set data = jsonb_set(data, '{{media,durationSeconds}}', to_jsonb(?::double precision)) where id = ?",
            seconds,
            id);
        await session.SaveChangesAsync();
    }
}
