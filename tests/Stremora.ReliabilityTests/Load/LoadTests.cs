using System.Net;
using System.Text.Json;
using Stremora.ReliabilityTests.Infrastructure;

namespace Stremora.ReliabilityTests.Load;

/// <summary>Room for 8 MiB videos.</summary>
public sealed class LoadApiFactory : ReliabilityApiFactory
{
    public LoadApiFactory()
    {
        With("Upload:MaxVideoBytes", (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        // One owner's 50 uploads at once load the server; the per-user cap that would refuse 47 of them has tests of its own.
        With("Upload:MaxConcurrentPerUser", "100");
    }
}

/// <summary>
/// 50 concurrent 8 MiB uploads, then 500 concurrent reads: every one succeeds, every stored file has the bytes
/// sent, and afterwards no spool file is left and no file descriptor stays open on a file (the process's
/// open files are back to the warmed-up baseline, none points into the service's folders).
/// </summary>
public sealed class LoadTests(LoadApiFactory api) : IClassFixture<LoadApiFactory>
{
    private const string Owner = "load-owner";
    private const int Uploads = 50;
    private const int Reads = 500;
    private const int VideoBytes = 8 * 1024 * 1024;

    [Fact]
    public async Task Fifty_concurrent_uploads_and_five_hundred_concurrent_reads_all_succeed_and_leak_nothing()
    {
        var video = Samples.Mp4(VideoBytes, seed: 77);
        var sha = Samples.Sha256(video);

        // Warm up (connection pools, lazily opened files), then take the baseline.
        await api.UploadAsync(Owner, "Warm-up", video);
        var baseline = OpenFiles();

        using var client = api.ClientFor(Owner);
        using var go = new SemaphoreSlim(0);
        var uploads = Enumerable.Range(0, Uploads).Select(async i =>
        {
            await go.WaitAsync();
            using var response = await client.PostAsync(new Uri("/api/videos", UriKind.Relative), UploadForm.Valid($"Load {i}", video).Build());
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        go.Release(Uploads);
        var uploaded = await Task.WhenAll(uploads);

        Assert.All(uploaded, u => Assert.True(u.StatusCode == HttpStatusCode.Created, $"{(int)u.StatusCode}: {u.Body}"));
        var ids = uploaded.Select(u => JsonDocument.Parse(u.Body).RootElement).Select(v =>
        {
            Assert.Equal(sha, v.GetProperty("video").GetProperty("sha256").GetString());
            return v.GetProperty("id").GetGuid();
        }).ToList();
        Assert.Equal(Uploads, ids.Distinct().Count());

        var reads = Enumerable.Range(0, Reads).Select(async i =>
        {
            await go.WaitAsync();
            var url = i % 5 == 0 ? $"/api/videos?ownerId={Owner}&page={(i % 3) + 1}" : $"/api/videos/{ids[i % ids.Count]}";
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            return (response.StatusCode, url);
        }).ToList();
        go.Release(Reads);
        var read = await Task.WhenAll(reads);
        Assert.All(read, r => Assert.True(r.StatusCode == HttpStatusCode.OK, $"{r.url}: {(int)r.StatusCode}"));

        foreach (var id in ids)
        {
            var stored = Directory.EnumerateFiles(Path.Combine(api.LocalStorageRoot, "videos", id.ToString("N"))).Single();
            Assert.Equal(VideoBytes, new FileInfo(stored).Length);
        }

        await Eventually.UntilAsync(() => Task.FromResult(api.SpoolFiles().Count == 0), "no spool file is left");
        await Eventually.UntilAsync(
            () => Task.FromResult(!OpenFiles().Any(f => f.StartsWith(api.WorkDirectory, StringComparison.Ordinal)) && OpenFiles().Count <= baseline.Count),
            $"open files are back to the baseline of {baseline.Count} (now: {string.Join(", ", OpenFiles().Except(baseline))})");
    }

    /// <summary>Targets of this process's descriptors that are data files (not sockets, pipes, devices or loaded code).</summary>
    private static List<string> OpenFiles()
    {
        var files = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                var target = new FileInfo(fd).LinkTarget;
                // Assemblies the runtime loads on first use stay open for good: code, not leaked files.
                if (target is not null && target.StartsWith('/') && !target.StartsWith("/dev/", StringComparison.Ordinal) && !target.StartsWith("/proc/", StringComparison.Ordinal)
                    && !target.EndsWith(".dll", StringComparison.Ordinal) && !target.Contains(".so", StringComparison.Ordinal))
                {
                    files.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed between listing and reading: not open any more.
            }
        }

        return files;
    }
}
