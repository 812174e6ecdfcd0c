using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Stremora.Modules.Videos.Tests.Infrastructure;

/// <summary>
/// Makes a response byte-identical across runs before it is snapshotted: GUIDs (with or without dashes)
/// become &lt;id-1&gt;, &lt;id-2&gt;... in order of appearance, timestamps &lt;time&gt;, elapsed times 0,
/// trace ids &lt;trace&gt;. Everything else (providers, sizes, SHA-256, statuses, types) stays pinned.
/// </summary>
public static partial class Scrub
{
    public static JToken Json(string body)
    {
        var token = Stremora.TestKit.Snapshots.Json.Parse(body);
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Walk(token, ids);
        return token;
    }

    private static void Walk(JToken token, Dictionary<string, string> ids)
    {
        switch (token)
        {
            case JObject obj:
                foreach (var property in obj.Properties().ToList())
                {
                    if (property.Name is "elapsedMs")
                    {
                        property.Value = 0;
                    }
                    else if (property.Name is "traceId")
                    {
                        property.Value = "<trace>";
                    }
                    else
                    {
                        Walk(property.Value, ids);
                    }
                }

                break;
            case JArray array:
                foreach (var item in array)
                {
                    Walk(item, ids);
                }

                break;
            case JValue { Type: JTokenType.Date }:
                ((JValue)token).Value = "<time>";
                break;
            case JValue { Type: JTokenType.String } value:
                var text = (string)value.Value!;
                text = Timestamp().Replace(text, "<time>");
                text = Guid().Replace(text, m =>
                {
                    var key = m.Value.Replace("-", "", StringComparison.Ordinal);
                    if (!ids.TryGetValue(key, out var name))
                    {
                        name = $"<id-{ids.Count + 1}>";
                        ids[key] = name;
                    }

                    return name;
                });
                value.Value = text;
                break;
        }
    }

    [GeneratedRegex("(?<![0-9a-f])[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}(?![0-9a-f])", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Timestamp();
}
