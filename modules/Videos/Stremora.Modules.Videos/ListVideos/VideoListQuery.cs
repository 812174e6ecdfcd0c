using System.Globalization;
using System.Text;
using Marten;

namespace Stremora.Modules.Videos.ListVideos;

/// <summary>
/// The listing in SQL over the video documents, so that every predicate is one an index serves: the full-text match
/// is the very expression of the GIN index (<see cref="SearchVector"/>), newest/oldest page along the primary key
/// (ids are UUID v7, time-ordered), and keyset predicates replace offsets.
/// </summary>
internal sealed class VideoListQuery
{
    /// <summary><see cref="VideoStatus.Ready"/> as the document stores it (its JSON name).</summary>
    private const string StoredReady = "ready";

    /// <summary>What the full-text index covers and what <c>q</c> is matched against: title and description.</summary>
    public const string SearchVector = "(data ->> 'title') || ' ' || (data ->> 'description')";

    public const string SearchConfig = "english";

    // Missing until media analysis has run (or in documents from before it): such videos sort last.
    private const string DurationKey = "(data #>> '{media,durationSeconds}')::double precision";

    private readonly string _table;
    private readonly StringBuilder _where = new();
    private readonly List<object> _parameters = [];

    public VideoListQuery(IQuerySession session, ListVideosRequest request, string? viewerId, bool viewerIsAdmin)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        _table = session.DocumentStore.Options.Schema.For<VideoDetails>();
        Sort = request.Sort;
        And("data ->> 'status' = ?", StoredReady);
        if (!string.IsNullOrEmpty(request.OwnerId))
        {
            And("data ->> 'ownerId' = ?", request.OwnerId);
        }

        if (!viewerIsAdmin)
        {
            // Documents stored before "published" existed are published.
            And("(coalesce((data ->> 'published')::boolean, true) or data ->> 'ownerId' = ?)", viewerId ?? "");
        }

        if (!string.IsNullOrWhiteSpace(request.Q))
        {
            And($"to_tsvector('{SearchConfig}', {SearchVector}) @@ websearch_to_tsquery('{SearchConfig}', ?)", request.Q);
        }
    }

    public string Sort { get; }

    public async Task<long> CountAsync(IQuerySession session, CancellationToken ct)
    {
        var counts = await session.QueryAsync<long>($"select count(*) from {_table} where {_where}", ct, [.. _parameters]);
        return counts[0];
    }

    /// <summary>One page after <paramref name="after"/> (or from <paramref name="offset"/>), plus one item to tell whether there is more.</summary>
    public async Task<IReadOnlyList<VideoDetails>> PageAsync(IQuerySession session, ListCursor? after, int offset, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var where = new StringBuilder(_where.ToString());
        var parameters = new List<object>(_parameters);
        if (after is not null)
        {
            var (keyset, values) = Keyset(after);
            where.Append(" and ").Append(keyset);
            parameters.AddRange(values);
        }

        parameters.Add(pageSize + 1);
        parameters.Add(offset);
        return await session.QueryAsync<VideoDetails>(
            $"select data from {_table} where {where} order by {OrderBy()} limit ? offset ?", ct, [.. parameters]);
    }

    /// <summary>The last item's duration, for the cursor of a duration-sorted page (null when it has none).</summary>
    public async Task<double?> DurationOfAsync(IQuerySession session, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var found = await session.QueryAsync<string>($"select coalesce(data #>> '{{media,durationSeconds}}', '') from {_table} where id = ?", ct, id);
        return found.Count == 0 || found[0].Length == 0 ? null : double.Parse(found[0], CultureInfo.InvariantCulture);
    }

    private string OrderBy() => Sort switch
    {
        ListSorts.Oldest => "id",
        ListSorts.Title => "lower(data ->> 'title'), id",
        ListSorts.Duration => $"{DurationKey} nulls last, id",
        _ => "id desc",
    };

    private (string Sql, object[] Values) Keyset(ListCursor after) => Sort switch
    {
        ListSorts.Oldest => ("id > ?", [after.Id]),
        ListSorts.Title => ("(lower(data ->> 'title'), id) > (lower(?), ?)", [after.Title!, after.Id]),
        ListSorts.Duration when after.Duration is { } duration =>
            ($"({DurationKey} > ? or ({DurationKey} = ? and id > ?) or {DurationKey} is null)", [duration, duration, after.Id]),
        ListSorts.Duration => ($"({DurationKey} is null and id > ?)", [after.Id]),
        _ => ("id < ?", [after.Id]),
    };

    private void And(string predicate, object value)
    {
        _where.Append(_where.Length == 0 ? "" : " and ").Append(predicate);
        _parameters.Add(value);
    }
}
