using System.Collections.Concurrent;
using Marten;
using Marten.Services;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Stremora.Modules.Videos.Tests.Infrastructure;
using ResumableUploadState = Stremora.Modules.Videos.ResumableUpload.ResumableUpload;

namespace Stremora.Modules.Videos.Tests.ResumableUpload;

/// <summary>
/// Each recorded offset is a PostgreSQL commit (a round trip and a WAL flush) on the way to a chunk's 204: a chunk
/// records its end once, and a long chunk without a checksum also every 8 MiB inside it, so a crash loses little.
/// </summary>
public sealed class OffsetRecordingTests(OffsetRecordingTests.RecordingApiFactory api) : IClassFixture<OffsetRecordingTests.RecordingApiFactory>
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task A_chunk_records_its_end_once_and_a_long_chunk_also_every_8_MiB_inside_it()
    {
        using var client = api.TusClient("tus-offset-recording-owner");
        var video = Samples.Mp4((24 * MiB) + 1000, seed: 37);
        var location = await client.CreateValidAsync(video.Length, "Recorded as it arrives");
        var id = TusHttp.IdOf(location);

        // Creation records offset 0. 8 MiB, as tus-js-client sends its chunks: its last byte is also a checkpoint, recorded once.
        await client.PatchAcceptedAsync(location, 0, video[..(8 * MiB)]);
        Assert.Equal([0, 8L * MiB], api.Offsets.RecordedFor(id));

        // The rest in one chunk: a checkpoint at the first read to reach 8 MiB into it (reads are at most 1 MiB), then its end.
        await client.PatchAcceptedAsync(location, 8 * MiB, video[(8 * MiB)..]);
        var recorded = api.Offsets.RecordedFor(id);
        Assert.Equal(4, recorded.Length);
        Assert.InRange(recorded[2], 16L * MiB, (17L * MiB) - 1);
        Assert.Equal(video.Length, recorded[3]);
    }

    /// <summary>The upload host, with every committed offset of every upload noted in order.</summary>
    public sealed class RecordingApiFactory : UploadsApiFactory
    {
        internal RecordedOffsets Offsets { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.ConfigureMarten(options => options.Listeners.Add(Offsets)));
        }
    }

    internal sealed class RecordedOffsets : DocumentSessionListenerBase
    {
        private readonly ConcurrentQueue<ResumableUploadState> _committed = new();

        public long[] RecordedFor(Guid id) => [.. _committed.Where(u => u.Id == id).Select(u => u.Offset)];

        public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            foreach (var upload in commit.Updated.Concat(commit.Inserted).OfType<ResumableUploadState>())
            {
                _committed.Enqueue(upload);
            }

            return Task.CompletedTask;
        }
    }
}
