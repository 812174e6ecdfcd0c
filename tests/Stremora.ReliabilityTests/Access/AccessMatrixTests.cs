using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Stremora.ReliabilityTests.Infrastructure;
using Stremora.TestKit.Host;

namespace Stremora.ReliabilityTests.Access;

/// <summary>
/// Every route × every kind of caller, one test case per cell. Forged tokens (expired, alg:none, another
/// key) all claim the owner's id and the admin role, so any that got through would show as a 2xx.
/// Public routes (GET video, list, health, OpenAPI) ignore credentials they cannot verify: the caller is
/// treated as anonymous and sees exactly the public data. Every 401/403 is problem+json and reveals neither
/// the video's data nor internals.
/// </summary>
public sealed class AccessMatrixTests(AccessApiFactory api) : IClassFixture<AccessApiFactory>
{
    /// <summary>Extra callers for the dashboard's own scheme (HTTP Basic), sent to every route.</summary>
    public enum BasicCaller
    {
        DashboardPassword,
        WrongDashboardPassword,
    }

    public static TheoryData<Route, Caller, HttpStatusCode> Cells()
    {
        var data = new TheoryData<Route, Caller, HttpStatusCode>();
        foreach (var route in Enum.GetValues<Route>())
        {
            foreach (var caller in Callers.All)
            {
                data.Add(route, caller, Expected(route, caller));
            }
        }

        return data;
    }

    public static TheoryData<Route, BasicCaller, HttpStatusCode> BasicCells()
    {
        var data = new TheoryData<Route, BasicCaller, HttpStatusCode>();
        foreach (var route in Enum.GetValues<Route>())
        {
            foreach (var caller in Enum.GetValues<BasicCaller>())
            {
                // Basic is the dashboard's credential only; on the API it is no credential at all.
                var expected = route switch
                {
                    Route.HangfireDashboard => caller == BasicCaller.DashboardPassword ? HttpStatusCode.OK : HttpStatusCode.Unauthorized,
                    _ => Expected(route, Caller.Anonymous),
                };
                data.Add(route, caller, expected);
            }
        }

        return data;
    }

    private static HttpStatusCode Expected(Route route, Caller caller)
    {
        var signedIn = caller is Caller.Owner or Caller.OtherUser or Caller.Admin;
        return route switch
        {
            Route.GetVideo or Route.ListVideos or Route.HealthReady or Route.OpenApi => HttpStatusCode.OK,
            Route.GetImage => HttpStatusCode.OK,
            Route.UploadImage => signedIn ? HttpStatusCode.Created : HttpStatusCode.Unauthorized,
            Route.DeleteImage => !signedIn ? HttpStatusCode.Unauthorized : caller == Caller.OtherUser ? HttpStatusCode.Forbidden : HttpStatusCode.NoContent,
            Route.UploadVideo => signedIn ? HttpStatusCode.Created : HttpStatusCode.Unauthorized,
            Route.DeleteVideo => !signedIn ? HttpStatusCode.Unauthorized : caller == Caller.OtherUser ? HttpStatusCode.Forbidden : HttpStatusCode.NoContent,
            Route.VideoHistory => !signedIn ? HttpStatusCode.Unauthorized : caller == Caller.OtherUser ? HttpStatusCode.Forbidden : HttpStatusCode.OK,
            Route.AdminStorage => !signedIn ? HttpStatusCode.Unauthorized : caller == Caller.Admin ? HttpStatusCode.OK : HttpStatusCode.Forbidden,
            // The dashboard answers 401 to anyone but an admin (it has its own Basic challenge).
            Route.HangfireDashboard => caller == Caller.Admin ? HttpStatusCode.OK : HttpStatusCode.Unauthorized,
            Route.CreateUpload => signedIn ? HttpStatusCode.Created : HttpStatusCode.Unauthorized,
            // Someone else's upload does not exist for them (404, not 403: its id reveals nothing).
            Route.UploadOffset => !signedIn ? HttpStatusCode.Unauthorized : caller == Caller.OtherUser ? HttpStatusCode.NotFound : HttpStatusCode.OK,
            Route.UploadChunk or Route.TerminateUpload => !signedIn ? HttpStatusCode.Unauthorized : caller == Caller.OtherUser ? HttpStatusCode.NotFound : HttpStatusCode.NoContent,
            Route.TusOptions => HttpStatusCode.NoContent,
            _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
        };
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public async Task Cell(Route route, Caller caller, HttpStatusCode expected)
    {
        await CheckAsync(route, $"{route} as {caller}", expected, request => Callers.Authorize(request, caller));
    }

    [Theory]
    [MemberData(nameof(BasicCells))]
    public async Task Basic_cell(Route route, BasicCaller caller, HttpStatusCode expected)
    {
        var password = caller == BasicCaller.DashboardPassword ? StremoraApiFactory.DashboardPassword : "not-the-password";
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{StremoraApiFactory.DashboardUser}:{password}"));
        await CheckAsync(route, $"{route} with Basic {caller}", expected, request => request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials));
    }

    [Fact]
    public void The_matrix_covers_every_route_and_caller()
    {
        // 17 routes × 7 bearer callers + 17 routes × 2 Basic callers.
        Assert.Equal(Enum.GetValues<Route>().Length * Callers.All.Count, Cells().Count);
        Assert.Equal(119, Cells().Count);
        Assert.Equal(34, BasicCells().Count);
    }

    private async Task CheckAsync(Route route, string context, HttpStatusCode expected, Action<HttpRequestMessage> authorize)
    {
        var seedId = api.Seed.GetProperty("id").GetString()!;
        // A delete needs a video (or image) of its own (a successful one removes it).
        var target = route switch
        {
            Route.DeleteVideo => (await api.UploadAsync(Callers.OwnerId, "Delete target " + context)).GetProperty("id").GetString()!,
            Route.DeleteImage => (await api.UploadImageAsync(Callers.OwnerId)).GetProperty("id").GetString()!,
            Route.GetImage => api.SeedImage.GetProperty("id").GetString()!,
            // A resumable upload of the owner's own, untouched: a chunk or a termination changes it.
            _ when AccessRequests.TouchesAnUpload(route) => await CreateOwnersUploadAsync(),
            _ => seedId,
        };
        var totalBefore = await api.CatalogTotalAsync();
        var storedBefore = api.StoredFiles();

        using var client = api.CreateClient();
        using var request = AccessRequests.For(route, target);
        authorize(request);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == expected, $"{context}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        if (AccessRequests.TouchesAnUpload(route) && expected is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound)
        {
            Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Resumable").Single());
            Assert.Equal((HttpStatusCode.OK, 0L), await OwnersViewAsync(target));
        }

        // A HEAD answer has no body to look at.
        var refusedWithBody = expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (AccessRequests.IsUploadRoute(route) && expected == HttpStatusCode.NotFound);
        if (refusedWithBody && request.Method != HttpMethod.Head)
        {
            ProblemAssert.IsProblem(expected, response.Content.Headers.ContentType?.MediaType, body, context);
            AssertLeaksNothing(body, context);
        }

        if (expected is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            // Refused means refused: nothing was created or removed.
            Assert.Equal(totalBefore, await api.CatalogTotalAsync());
            api.AssertStoredNothingSince(storedBefore, Guid.Parse(target), Guid.Parse(seedId));
            if (route == Route.DeleteVideo)
            {
                using var get = await client.GetAsync(new Uri($"/api/videos/{target}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            }

            if (route == Route.DeleteImage)
            {
                using var get = await client.GetAsync(new Uri($"/api/images/{target}", UriKind.Relative));
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            }
        }

        await AssertSuccessBodyAsync(route, expected, response, body, target, totalBefore, context);
    }

    private async Task AssertSuccessBodyAsync(Route route, HttpStatusCode status, HttpResponseMessage response, string body, string target, long totalBefore, string context)
    {
        switch (route, status)
        {
            case (Route.GetVideo, HttpStatusCode.OK):
                Assert.Equal(target, JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());
                break;
            case (Route.ListVideos, HttpStatusCode.OK):
                Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt64() >= 1, context);
                break;
            case (Route.UploadVideo, HttpStatusCode.Created):
                Assert.NotNull(response.Headers.Location);
                Assert.Equal(totalBefore + 1, await api.CatalogTotalAsync());
                break;
            case (Route.DeleteVideo, HttpStatusCode.NoContent):
                using (var client = api.CreateClient())
                using (var get = await client.GetAsync(new Uri($"/api/videos/{target}", UriKind.Relative)))
                {
                    Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
                }

                // Its files go by background job: wait, so the next cell starts from a quiet state.
                var folder = Guid.Parse(target).ToString("N");
                await Eventually.UntilAsync(() => Task.FromResult(!api.StoredFiles().Any(f => f.Contains(folder, StringComparison.Ordinal))), $"the files of deleted video {target} are removed");
                break;
            case (Route.VideoHistory, HttpStatusCode.OK):
                Assert.Equal("VideoUploadStarted", JsonDocument.Parse(body).RootElement[0].GetProperty("type").GetString());
                break;
            case (Route.AdminStorage, HttpStatusCode.OK):
                Assert.Contains("local", body, StringComparison.Ordinal);
                break;
            case (Route.HangfireDashboard, HttpStatusCode.OK):
                Assert.Contains("Stremora jobs", body, StringComparison.Ordinal);
                break;
            case (Route.HealthReady, HttpStatusCode.OK):
                Assert.Equal("Healthy", JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
                break;
            case (Route.OpenApi, HttpStatusCode.OK):
                Assert.True(JsonDocument.Parse(body).RootElement.TryGetProperty("paths", out _), context);
                break;
            case (Route.CreateUpload, HttpStatusCode.Created):
                Assert.StartsWith("/api/uploads/", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
                Assert.Equal("0", response.Headers.GetValues("Upload-Offset").Single());
                break;
            case (Route.UploadOffset, HttpStatusCode.OK):
                Assert.Equal(("0", AccessRequests.Tus.Length.ToString(CultureInfo.InvariantCulture)), (response.Headers.GetValues("Upload-Offset").Single(), response.Headers.GetValues("Upload-Length").Single()));
                break;
            case (Route.UploadChunk, HttpStatusCode.NoContent):
                Assert.Equal(AccessRequests.Tus.ChunkLength.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("Upload-Offset").Single());

                // The taken chunk wakes the upload's forwarder, which writes a partial file in the background, after this 204:
                // end the upload and wait for that file to go, so the next cell's "nothing stored" check sees only its own request.
                using (var owner = api.ClientFor(Callers.OwnerId))
                using (var terminated = await owner.SendAsync(AccessRequests.Tus.Request(HttpMethod.Delete, target)))
                {
                    Assert.Equal(HttpStatusCode.NoContent, terminated.StatusCode);
                }

                var uploadFolder = Guid.Parse(target).ToString("N");
                await Eventually.UntilAsync(() => Task.FromResult(!api.StoredFiles().Any(f => f.Contains(uploadFolder, StringComparison.Ordinal))), $"the partial file of terminated upload {target} is removed");
                break;
            case (Route.TerminateUpload, HttpStatusCode.NoContent):
                Assert.Equal(HttpStatusCode.Gone, (await OwnersViewAsync(target)).Status);
                break;
            case (Route.TusOptions, HttpStatusCode.NoContent):
                Assert.Equal("1.0.0", response.Headers.GetValues("Tus-Version").Single());
                break;
            case (Route.UploadImage, HttpStatusCode.Created):
                Assert.NotNull(response.Headers.Location);
                Assert.Equal(Samples.Sha256(AccessRequests.ImageBytes), JsonDocument.Parse(body).RootElement.GetProperty("file").GetProperty("sha256").GetString());
                break;
            case (Route.GetImage, HttpStatusCode.OK):
                Assert.Equal(target, JsonDocument.Parse(body).RootElement.GetProperty("id").GetString());
                break;
            case (Route.DeleteImage, HttpStatusCode.NoContent):
                using (var client = api.CreateClient())
                using (var get = await client.GetAsync(new Uri($"/api/images/{target}", UriKind.Relative)))
                {
                    Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
                }

                var imageFolder = Guid.Parse(target).ToString("N");
                await Eventually.UntilAsync(() => Task.FromResult(!api.StoredFiles().Any(f => f.Contains(imageFolder, StringComparison.Ordinal))), $"the file of deleted image {target} is removed");
                break;
        }
    }

    /// <summary>A refused caller learns nothing about the video: not its title, owner, files or events.</summary>
    private void AssertLeaksNothing(string body, string context)
    {
        string[] secrets =
        [
            AccessApiFactory.SeedTitle, AccessApiFactory.SeedDescriptionMarker, Callers.OwnerId, "Delete target",
            api.Seed.GetProperty("video").GetProperty("sha256").GetString()!,
            api.Seed.GetProperty("video").GetProperty("locator").GetString()!,
            api.SeedImage.GetProperty("file").GetProperty("locator").GetString()!,
            "VideoUploadStarted", "VideoFileStored", "locator", "sha256", "<html", "Hangfire",
            // What the admin route tells admins: providers, circuits, counts.
            "circuit", "cloudinary", "\"local\"", "filesStored",
        ];
        foreach (var secret in secrets)
        {
            Assert.False(body.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{context}: the refusal reveals '{secret}': {body}");
        }
    }

    private async Task<string> CreateOwnersUploadAsync()
    {
        using var client = api.ClientFor(Callers.OwnerId);
        using var response = await client.SendAsync(AccessRequests.Tus.Create());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return response.Headers.Location!.OriginalString.Split('/')[^1];
    }

    /// <summary>The upload as its owner sees it (HEAD): the status and the offset, which a refused request must leave alone.</summary>
    private async Task<(HttpStatusCode Status, long Offset)> OwnersViewAsync(string id)
    {
        using var client = api.ClientFor(Callers.OwnerId);
        using var response = await client.SendAsync(AccessRequests.Tus.Request(HttpMethod.Head, id));
        return (response.StatusCode, response.Headers.TryGetValues("Upload-Offset", out var offset) ? long.Parse(offset.Single(), CultureInfo.InvariantCulture) : -1);
    }

    /// <summary>The tus requests of the matrix: every one says Tus-Resumable 1.0.0, so version checks never answer first.</summary>
}
