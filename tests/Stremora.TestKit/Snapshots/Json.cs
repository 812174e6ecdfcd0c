using Newtonsoft.Json.Linq;

namespace Stremora.TestKit.Snapshots;

/// <summary>Snapshooter serialises with Newtonsoft: hand it a JToken so a JSON body is pinned as JSON.</summary>
public static class Json
{
    public static JToken Parse(string body) => JToken.Parse(body);
}
