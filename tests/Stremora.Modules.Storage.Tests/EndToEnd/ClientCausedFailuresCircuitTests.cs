using Stremora.Modules.Storage.Contracts;
using Stremora.Modules.Storage.Tests.Support;
using Stremora.TestKit.FakeCloudinary;
using Stremora.TestKit.Host;
using Stremora.TestKit.Streams;

namespace Stremora.Modules.Storage.Tests.EndToEnd;

/// <summary>Five consecutive failures open Cloudinary's circuit; its attempts may take one second of its own time.</summary>
public sealed class ClientCausedFailuresFixture : FailoverHostFixture
{
    public const int FailuresToOpen = 5;

    protected override Task ConfigureAsync(StremoraApiFactory host)
    {
        host.With("Storage:CircuitBreaker:MinimumThroughput", FailuresToOpen.ToString(System.Globalization.CultureInfo.InvariantCulture));
        host.With("Storage:CircuitBreaker:FailureRatio", "1");
        host.With("Storage:CircuitBreaker:SamplingDurationSeconds", "600");
        host.With("Storage:CircuitBreaker:BreakDurationSeconds", "600");
        host.With("Storage:Providers:cloudinary:TimeoutSeconds", "1");
        return Task.CompletedTask;
    }
}

/// <summary>
/// Only failures that say something about the provider count against its circuit: a provider refusing
/// one bad file, or a client trickling its body for longer than an attempt may take, must not open it
/// for everyone; five real outages in a row still do.
/// </summary>
public sealed class ClientCausedFailuresCircuitTests(ClientCausedFailuresFixture fixture) : IClassFixture<ClientCausedFailuresFixture>
{
    [Fact]
    public async Task Refused_files_and_slow_clients_leave_the_circuit_closed_while_five_server_errors_open_it()
    {
        var link = fixture.Chain.Links.Single(l => l.Name == "cloudinary");

        fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.BadRequest);
        for (var i = 0; i < ClientCausedFailuresFixture.FailuresToOpen; i++)
        {
            var refused = await StoreAsync(new GeneratedStream(200_000, seed: (ulong)(10 + i), header: Samples.Mp4Prefix(200_000)), $"refused-{i}");
            Assert.Equal([("cloudinary", "failed"), ("s3", "stored")], Outcomes(refused));
        }

        Assert.Equal("closed", link.CircuitState);

        // Each client takes longer than the one second an attempt may take, all of it Cloudinary waiting for its bytes.
        fixture.Cloudinary.Faults.Clear();
        for (var i = 0; i < ClientCausedFailuresFixture.FailuresToOpen; i++)
        {
            var slow = await StoreAsync(new TrickleStream(new GeneratedStream(200_000, seed: (ulong)(20 + i), header: Samples.Mp4Prefix(200_000)), pieces: 6, TimeSpan.FromMilliseconds(300)), $"slow-{i}");
            Assert.Equal([("cloudinary", "stored")], Outcomes(slow));
        }

        Assert.Equal("closed", link.CircuitState);

        fixture.Cloudinary.Faults.FailAll(FakeCloudinaryFault.InternalServerError);
        try
        {
            for (var i = 0; i < ClientCausedFailuresFixture.FailuresToOpen; i++)
            {
                var failed = await StoreAsync(new GeneratedStream(200_000, seed: (ulong)(30 + i), header: Samples.Mp4Prefix(200_000)), $"outage-{i}");
                Assert.Equal([("cloudinary", "failed"), ("s3", "stored")], Outcomes(failed));
            }
        }
        finally
        {
            fixture.Cloudinary.Faults.Clear();
        }

        Assert.Equal("open", link.CircuitState);
    }

    private async Task<StoreOutcome> StoreAsync(Stream video, string name)
    {
        await using (video)
        {
            return await fixture.Storage.StoreAsync(Uploads.VideoRequest(name), video, CancellationToken.None);
        }
    }

    private static List<(string Provider, string Outcome)> Outcomes(StoreOutcome result) =>
        result.Attempts.Select(a => (a.Provider, a.Outcome)).ToList();

    /// <summary>A client that sends its body in a few pieces with a pause before each.</summary>
    private sealed class TrickleStream(Stream inner, int pieces, TimeSpan pause) : Stream
    {
        private readonly long _piece = (inner.Length + pieces - 1) / pieces;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (inner.Position % _piece == 0 && inner.Position < inner.Length)
            {
                await Task.Delay(pause, cancellationToken);
            }

            var toBoundary = (int)Math.Min(buffer.Length, _piece - (inner.Position % _piece));
            return await inner.ReadAsync(buffer[..toBoundary], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
