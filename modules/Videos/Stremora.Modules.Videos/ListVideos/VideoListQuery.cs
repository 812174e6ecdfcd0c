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

    /// <summary>The ready, published videos: the predicate of the partial index <see cref="ListedIndex"/> that counts them.</summary>
    public const string Listed = $"data ->> 'status' = '{StoredReady}' and {Published}";

    /// <summary>The ready, unpublished videos: the predicate of the partial index <see cref="UnlistedIndex"/>.</summary>
    public const string Unlisted = $"data ->> 'status' = '{StoredReady}' and not {Published}";

    public const string ListedIndex = "mt_doc_videodetails_idx_listed";

    public const string UnlistedIndex = "mt_doc_videodetails_idx_unlisted";

    // Documents stored before "published" existed are published.
    private const string Published = "coalesce((data ->> 'published')::boolean, true)";

    private const string OwnedBy = "data ->> 'ownerId' = ?";

    private readonly string _table;
    private readonly string? _ownerId;
    private readonly string? _viewerId;
    private readonly bool _viewerIsAdmin;
    private readonly bool _searched;
    private readonly StringBuilder _where = new();
    private readonly List<object> _parameters = [];

    public VideoListQuery(IQuerySession session, ListVideosRequest request, string? viewerId, bool viewerIsAdmin)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(request);
        _table = session.DocumentStore.Options.Schema.For<VideoDetails>();
        Sort = request.Sort;
        _ownerId = string.IsNullOrEmpty(request.OwnerId) ? null : request.OwnerId;
        _viewerId = viewerId;
        _viewerIsAdmin = viewerIsAdmin;
        _searched = !string.IsNullOrWhiteSpace(request.Q);
        And($"data ->> 'status' = '{StoredReady}'");
        if (_ownerId is not null)
        {
            And(OwnedBy, _ownerId);
        }

        if (!viewerIsAdmin)
        {
            And($"({Published} or {OwnedBy})", viewerId ?? "");
        }

        if (_searched)
        {
            And($"to_tsvector('{SearchConfig}', {SearchVector}) @@ websearch_to_tsquery('{SearchConfig}', ?)", request.Q!);
        }
    }

    public string Sort { get; }

    /// <summary>
    /// How many videos the list holds. A search counts its matches through the full-text index. A plain list counts
    /// the published ones and the unpublished ones the viewer may see apart, each with exactly the predicate of a
    /// partial index over the owner, so PostgreSQL answers from the index alone instead of reading every document.
    /// </summary>
    public async Task<long> CountAsync(IQuerySession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (_searched)
        {
            return await CountWhereAsync(session, _where.ToString(), _parameters, ct);
        }

        var owner = _ownerId is null ? "" : " and " + OwnedBy;
        List<object> ownerValue = _ownerId is null ? [] : [_ownerId];
        var total = await CountWhereAsync(session, Listed + owner, ownerValue, ct);
        if (_viewerIsAdmin)
        {
            return total + await CountWhereAsync(session, Unlisted + owner, ownerValue, ct);
        }

        // Another viewer's unpublished videos are not theirs to count; an anonymous viewer sees none.
        return _viewerId is null || (_ownerId is not null && _ownerId != _viewerId)
            ? total
            : total + await CountWhereAsync(session, $"{Unlisted} and {OwnedBy}", [_viewerId], ct);
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

    private async Task<long> CountWhereAsync(IQuerySession session, string where, List<object> parameters, CancellationToken ct)
    {
        var counts = await session.QueryAsync<long>($"select count(*) from {_table} where {where}", ct, [.. parameters]);
        return counts[0];
    }

    private void And(string predicate, params object[] values)
    {
        _where.Append(_where.Length == 0 ? "" : " and ").Append(predicate);
        _parameters.AddRange(values);
    }
}
