using System.Text.Json;
using System.Text.Json.Serialization;
using FastEndpoints;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Stremora.SharedKernel;

namespace Stremora.Modules.Videos.VideoHistory;

/// <param name="Type">The event's name, e.g. <c>VideoFileStored</c>.</param>
/// <param name="Version">Its position in the video's stream, from 1.</param>
internal sealed record VideoHistoryEntry(string Type, long Version, DateTimeOffset At, JsonElement Data);

/// <summary>The video's event stream as it is, deleted or failed videos included (the stream outlives the catalog entry).</summary>
internal sealed class VideoHistoryEndpoint(IQuerySession session) : EndpointWithoutRequest<Results<Ok<IReadOnlyList<VideoHistoryEntry>>, ProblemHttpResult>>
{
    private static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public override void Configure()
    {
        Get("/api/videos/{id:guid}/history");
        Policies(StremoraPolicies.SignedInUser);
        Description(d => d
            .WithTags("Videos")
            .Problem(StatusCodes.Status401Unauthorized, "Not signed in.")
            .Problem(StatusCodes.Status403Forbidden, "Neither the owner nor an admin.")
            .Problem(StatusCodes.Status404NotFound, "No video with this id."));
        Summary(s => s.Summary = "Owner or admin: the video's lifecycle events in order.");
    }

    public override async Task<Results<Ok<IReadOnlyList<VideoHistoryEntry>>, ProblemHttpResult>> ExecuteAsync(CancellationToken ct)
    {
        var id = Route<Guid>("id");
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0 || events[0].Data is not VideoUploadStarted started)
        {
            return VideoProblems.NotFound(id);
        }

        if (!string.Equals(started.OwnerId, User.UserId(), StringComparison.Ordinal) && !User.IsAdmin())
        {
            // Someone else's unpublished video does not exist for this caller, its history neither.
            return await session.LoadAsync<VideoDetails>(id, ct) is { Published: false } ? VideoProblems.NotFound(id) : VideoProblems.Forbidden(id);
        }

        IReadOnlyList<VideoHistoryEntry> history =
        [
            .. events.Select(e => new VideoHistoryEntry(e.EventType.Name, e.Version, e.Timestamp, JsonSerializer.SerializeToElement(e.Data, e.EventType, DataJson))),
        ];
        return TypedResults.Ok(history);
    }
}
