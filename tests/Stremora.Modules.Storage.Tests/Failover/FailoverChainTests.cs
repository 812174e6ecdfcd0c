using System.IO.Pipelines;
using System.Security.Cryptography;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Failover;
using Stremora.Modules.Storage.Local;

namespace Stremora.Modules.Storage.Tests.Failover;

public sealed class FailoverChainTests : IDisposable
{
    private const string Key = "videos/0199aaaa-bbbb-7ccc-8ddd-eeeeffff0000/video";

    private readonly ChainHarness _harness = new();
    private readonly MemoryProvider _cloudinary = new("cloudinary");
    private readonly MemoryProvider _s3 = new("s3");

    public void Dispose() => _harness.Dispose();

    private static StoreFileRequest Request(long maxBytes = 10_000_000) => new(StoredFileKind.Video, Key, "video/mp4", maxBytes);

    private static byte[] Data(int size = 300_000) => RandomNumberGenerator.GetBytes(size);

    private static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public async Task Stores_on_the_first_provider_in_order_with_size_and_sha256()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var data = Data();

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(data), CancellationToken.None));

        Assert.Equal("cloudinary", result.File.Provider);
        Assert.Equal(data.Length, result.File.Bytes);
        Assert.Equal(Sha(data), result.File.Sha256);
        Assert.Equal("video/mp4", result.File.ContentType);
        Assert.Equal($"https://cloudinary.test/{result.File.Locator}", result.File.ProviderUrl!);
        Assert.Equal(data, _cloudinary.Files[result.File.Locator]);
        Assert.Equal(0, _s3.Uploads);
        var attempt = Assert.Single(result.Attempts);
        Assert.Equal((StoredFileKind.Video, "cloudinary", AttemptOutcomes.Stored, (string?)null), (attempt.File, attempt.Provider, attempt.Outcome, attempt.Error));
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task The_configured_order_decides_who_is_tried_first()
    {
        var chain = _harness.Chain([_cloudinary, _s3], " S3 , cloudinary");

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(Data()), CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.Equal(["s3", "cloudinary"], chain.Links.Select(l => l.Name));
    }

    [Fact]
    public async Task A_failure_mid_stream_falls_back_to_the_next_provider_which_replays_the_whole_file()
    {
        _cloudinary.Fault = MemoryProviderFault.FailMidStream;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var data = Data(1_000_000);

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(data), CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.Equal(data, _s3.Files[result.File.Locator]);
        Assert.Empty(_cloudinary.Files);
        Assert.Equal(
            [("cloudinary", AttemptOutcomes.Failed, "cloudinary reset the connection"), ("s3", AttemptOutcomes.Stored, null)],
            result.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)));
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_file_backed_source_is_replayed_from_its_own_file_and_never_copied_into_the_spool()
    {
        _cloudinary.Fault = MemoryProviderFault.FailMidStream;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var data = Data(1_000_000);
        var staged = Path.Combine(Directory.CreateDirectory(_harness.Directory).FullName, "staged");
        await File.WriteAllBytesAsync(staged, data);
        await using var source = new StagedSource(staged, _harness.SpoolFiles);

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), source, CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.Equal(data, _s3.Files[result.File.Locator]);
        Assert.Equal(Sha(data), result.File.Sha256);
        Assert.True(source.Reads > 0);
        Assert.Equal(0, source.SpoolFilesSeen);
        Assert.Equal(data, await File.ReadAllBytesAsync(staged));
    }

    [Fact]
    public async Task The_fallback_replays_from_the_spool_while_the_client_is_still_sending()
    {
        _cloudinary.Fault = MemoryProviderFault.FailMidStream;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var pipe = new Pipe();
        var data = Data(500_000);

        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), CancellationToken.None);
        await pipe.Writer.WriteAsync(data.AsMemory(0, 200_000));

        // S3 is fed while the client has not finished: the fallback does not wait for the whole file.
        await _s3.WaitingForClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await pipe.Writer.WriteAsync(data.AsMemory(200_000));
        await pipe.Writer.CompleteAsync();
        var result = Assert.IsType<StoreOutcome.Stored>(await store);

        Assert.Equal("s3", result.File.Provider);
        Assert.Equal(data, _s3.Files[result.File.Locator]);
        Assert.Equal(Sha(data), result.File.Sha256);
    }

    [Fact]
    public async Task A_wrong_reported_size_is_a_failed_attempt_and_what_was_stored_is_deleted()
    {
        _cloudinary.Fault = MemoryProviderFault.ReportWrongSize;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var data = Data();

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(data), CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.Empty(_cloudinary.Files);
        Assert.Equal(1, _cloudinary.Uploads);
        Assert.Equal($"cloudinary reported {data.Length - 1} bytes stored, {data.Length} were sent", result.Attempts[0].Error);
    }

    [Fact]
    public async Task A_wrong_reported_checksum_is_a_failed_attempt_and_what_was_stored_is_deleted()
    {
        _cloudinary.Fault = MemoryProviderFault.ReportWrongChecksum;
        _s3.ReportsChecksum = true;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(Data()), CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.Empty(_cloudinary.Files);
        Assert.Equal("cloudinary reported a different SHA-256 than was sent", result.Attempts[0].Error);
    }

    [Fact]
    public async Task When_every_provider_fails_the_error_lists_each_attempt_and_nothing_is_left()
    {
        _cloudinary.Fault = MemoryProviderFault.FailMidStream;
        _s3.Fault = MemoryProviderFault.ReportWrongSize;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        var failure = Assert.IsType<StoreOutcome.AllFailed>(await chain.StoreAsync(Request(), new MemoryStream(Data()), CancellationToken.None));

        Assert.Equal(
            [("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Failed)],
            failure.Attempts.Select(a => (a.Provider, a.Outcome)));
        Assert.All(failure.Attempts, a => Assert.False(string.IsNullOrEmpty(a.Error)));
        Assert.Empty(_cloudinary.Files);
        Assert.Empty(_s3.Files);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task An_open_circuit_skips_the_provider_at_once_and_it_is_tried_again_after_the_break()
    {
        var time = new FakeTimeProvider();
        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3", time);
        var link = chain.Links[0];

        // MinimumThroughput is 2: two failures in a row open the circuit.
        for (var i = 0; i < 2; i++)
        {
            var result = await chain.StoreAsync(Request(), new MemoryStream(Data(1000)), CancellationToken.None);
            Assert.Equal(AttemptOutcomes.Failed, result.Attempts[0].Outcome);
        }

        Assert.Equal(CircuitStates.Open, link.CircuitState);
        _cloudinary.Fault = MemoryProviderFault.None;

        var skipped = await chain.StoreAsync(Request(), new MemoryStream(Data(1000)), CancellationToken.None);
        Assert.Equal(
            [("cloudinary", AttemptOutcomes.Skipped, "circuit open"), ("s3", AttemptOutcomes.Stored, null)],
            skipped.Attempts.Select(a => (a.Provider, a.Outcome, a.Error)));
        Assert.Equal(2, _cloudinary.Uploads);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitStates.HalfOpen, link.CircuitState);

        var probe = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(Data(1000)), CancellationToken.None));
        Assert.Equal("cloudinary", probe.File.Provider);
        Assert.Equal(CircuitStates.Closed, link.CircuitState);
        Assert.Equal((1, 2, 1L), link.Stats.Snapshot());
    }

    [Fact]
    public async Task A_provider_that_stops_making_progress_times_out_and_the_next_one_stores()
    {
        _cloudinary.Fault = MemoryProviderFault.Hang;
        var chain = _harness.Chain(
            [_cloudinary, _s3],
            "cloudinary,s3",
            configure: o => o.Providers["cloudinary"] = new ProviderAttemptSettings { IdleTimeoutSeconds = 0.2 });

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(Data()), CancellationToken.None));

        Assert.Equal("s3", result.File.Provider);
        Assert.Equal(("cloudinary", AttemptOutcomes.Failed, "no progress for 0.2 s"), (result.Attempts[0].Provider, result.Attempts[0].Outcome, result.Attempts[0].Error));
    }

    [Fact]
    public async Task Waiting_for_a_slow_client_does_not_count_as_the_provider_stalling()
    {
        var time = new FakeTimeProvider();
        var chain = _harness.Chain(
            [_cloudinary, _s3],
            "cloudinary,s3",
            time,
            o => o.Providers["cloudinary"] = new ProviderAttemptSettings { IdleTimeoutSeconds = 5, TimeoutSeconds = 3600 });
        var pipe = new Pipe();
        var data = Data(100_000);

        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), CancellationToken.None);
        await _cloudinary.WaitingForClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        time.Advance(TimeSpan.FromMinutes(5));
        await pipe.Writer.WriteAsync(data);
        await pipe.Writer.CompleteAsync();
        var result = Assert.IsType<StoreOutcome.Stored>(await store);

        Assert.Equal("cloudinary", result.File.Provider);
        Assert.Single(result.Attempts);
    }

    [Fact]
    public async Task The_overall_attempt_timeout_counts_only_the_providers_time_never_a_wait_for_the_client()
    {
        var time = new FakeTimeProvider();
        var chain = _harness.Chain(
            [_cloudinary, _s3],
            "cloudinary,s3",
            time,
            o => o.Providers["cloudinary"] = new ProviderAttemptSettings { IdleTimeoutSeconds = 5, TimeoutSeconds = 60 });
        var pipe = new Pipe();

        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), CancellationToken.None);
        await _cloudinary.WaitingForClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // A slow client: longer than the attempt may take, all of it spent waiting for its bytes.
        time.Advance(TimeSpan.FromSeconds(61));
        await pipe.Writer.WriteAsync(new byte[10]);
        await pipe.Writer.CompleteAsync();
        var result = Assert.IsType<StoreOutcome.Stored>(await store);

        Assert.Equal("cloudinary", result.File.Provider);
        Assert.Single(result.Attempts);
    }

    [Fact]
    public async Task A_file_over_the_limit_stops_the_attempt_and_leaves_nothing_anywhere()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        Assert.IsType<StoreOutcome.TooLarge>(await chain.StoreAsync(Request(maxBytes: 100_000), new MemoryStream(Data(300_000)), CancellationToken.None));

        Assert.Empty(_cloudinary.Files);
        Assert.Empty(_s3.Files);
        Assert.Equal(0, _s3.Uploads);
        Assert.Empty(_harness.SpoolFiles());

        // The client's mistake is not the provider's: its circuit has seen nothing.
        Assert.Equal((0, 0, 0L), chain.Links[0].Stats.Snapshot());
    }

    [Fact]
    public async Task A_client_abort_cancels_the_attempt_and_leaves_nothing_anywhere()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var pipe = new Pipe();
        using var cts = new CancellationTokenSource();

        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), cts.Token);
        await pipe.Writer.WriteAsync(new byte[70_000]);
        await _cloudinary.WaitingForClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store);
        Assert.Empty(_cloudinary.Files);
        Assert.Equal(0, _s3.Uploads);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task A_client_stream_that_breaks_stops_the_chain_with_the_clients_error()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        var pipe = new Pipe();

        var store = chain.StoreAsync(Request(), pipe.Reader.AsStream(), CancellationToken.None);
        await pipe.Writer.WriteAsync(new byte[70_000]);
        await _cloudinary.WaitingForClient.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await pipe.Writer.CompleteAsync(new IOException("The client went away."));

        var error = Assert.IsType<IOException>(Assert.IsType<StoreOutcome.Aborted>(await store).Cause);
        Assert.Equal("The client went away.", error.Message);
        Assert.Empty(_cloudinary.Files);
        Assert.Equal(0, _s3.Uploads);
        Assert.Empty(_harness.SpoolFiles());
    }

    [Fact]
    public async Task Unconfigured_providers_are_left_out()
    {
        _cloudinary.IsConfigured = false;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");

        var result = await chain.StoreAsync(Request(), new MemoryStream(Data()), CancellationToken.None);

        Assert.Equal("s3", Assert.Single(result.Attempts).Provider);
        Assert.Equal([("cloudinary", false), ("s3", true)], chain.Entries.Select(e => (e.Name, e.Configured)));
    }

    [Fact]
    public async Task With_no_cloud_configured_the_local_disk_takes_the_upload()
    {
        _cloudinary.IsConfigured = false;
        _s3.IsConfigured = false;
        var options = new StorageOptions();
        options.Local.Root = Path.Combine(_harness.Directory, "media");
        var local = new LocalDiskProvider(Options.Create(options));
        var chain = _harness.Chain([_cloudinary, _s3, local], "cloudinary,s3");
        var data = Data();

        var result = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(data), CancellationToken.None));

        Assert.Equal("local", result.File.Provider);
        Assert.Equal(Key + ".mp4", result.File.Locator);
        Assert.Equal("/media/" + Key + ".mp4", result.File.ProviderUrl!);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(options.Local.Root, Key + ".mp4")));
        Assert.Equal(["cloudinary", "s3", "local"], chain.Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task Metrics_count_uploads_bytes_failovers_and_attempt_durations()
    {
        _cloudinary.Fault = MemoryProviderFault.FailImmediately;
        var chain = _harness.Chain([_cloudinary, _s3], "cloudinary,s3");
        using var uploads = new MetricCollector<long>(_harness.MeterFactory, StorageMetrics.MeterName, "stremora.storage.uploads");
        using var bytes = new MetricCollector<long>(_harness.MeterFactory, StorageMetrics.MeterName, "stremora.storage.bytes");
        using var failovers = new MetricCollector<long>(_harness.MeterFactory, StorageMetrics.MeterName, "stremora.storage.failovers");
        using var durations = new MetricCollector<double>(_harness.MeterFactory, StorageMetrics.MeterName, "stremora.storage.attempt.duration");

        await chain.StoreAsync(Request(), new MemoryStream(Data(1234)), CancellationToken.None);

        var upload = Assert.Single(uploads.GetMeasurementSnapshot());
        Assert.Equal(("s3", "video"), (upload.Tags["provider"], upload.Tags["kind"]));
        Assert.Equal(1234, Assert.Single(bytes.GetMeasurementSnapshot()).Value);
        Assert.Equal("cloudinary", Assert.Single(failovers.GetMeasurementSnapshot()).Tags["provider"]);
        Assert.Equal(
            [("cloudinary", AttemptOutcomes.Failed), ("s3", AttemptOutcomes.Stored)],
            durations.GetMeasurementSnapshot().Select(m => ((string)m.Tags["provider"]!, (string)m.Tags["outcome"]!)));
    }

    [Fact]
    public async Task Delete_and_playback_url_go_to_the_provider_that_holds_the_file()
    {
        var chain = _harness.Chain([_cloudinary, _s3], "s3,cloudinary");
        var stored = Assert.IsType<StoreOutcome.Stored>(await chain.StoreAsync(Request(), new MemoryStream(Data()), CancellationToken.None)).File;

        Assert.Equal($"https://s3.test/{stored.Locator}", await chain.GetPlaybackUrlAsync(stored, CancellationToken.None));
        await chain.DeleteAsync(stored, CancellationToken.None);
        await chain.DeleteAsync(stored, CancellationToken.None);

        Assert.Empty(_s3.Files);
    }

    /// <summary>A source whose bytes are already in a file, as a resumable upload's staged file is; it counts spool files present at each read.</summary>
    private sealed class StagedSource(string path, Func<IReadOnlyList<string>> spoolFiles)
        : FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0), IFileBackedSource
    {
        public string FilePath => Name;

        public int Reads { get; private set; }

        public int SpoolFilesSeen { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            SpoolFilesSeen += spoolFiles().Count;
            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
