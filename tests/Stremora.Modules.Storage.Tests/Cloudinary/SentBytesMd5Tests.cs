using System.Security.Cryptography;
using Stremora.Modules.Storage.Cloudinary;

namespace Stremora.Modules.Storage.Tests.Cloudinary;

public sealed class SentBytesMd5Tests
{
    private static readonly byte[] Content = RandomNumberGenerator.GetBytes(250_000);

#pragma warning disable CA5351 // the value under test is Cloudinary's MD5 etag
    private static string Md5Of(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351

    private static MemoryStream Chunk(long offset, int length) => new(Content, (int)offset, length, writable: false);

    [Fact]
    public async Task Chunks_read_in_order_give_the_md5_of_the_whole_file()
    {
        using var md5 = new SentBytesMd5();
        foreach (var (offset, length) in new[] { (0, 100_000), (100_000, 100_000), (200_000, 50_000) })
        {
            await using var body = md5.Observe(Chunk(offset, length), offset);
            await body.CopyToAsync(Stream.Null, 8192);
        }

        Assert.Equal(Md5Of(Content), md5.HexFor(Content.Length));
    }

    [Fact]
    public async Task A_body_rewound_and_read_again_is_hashed_once()
    {
        using var md5 = new SentBytesMd5();
        await using (var body = md5.Observe(Chunk(0, 100_000), 0))
        {
            var half = new byte[40_000];
            await body.ReadExactlyAsync(half);
            body.Position = 0;
            await body.CopyToAsync(Stream.Null);
        }

        Assert.Equal(Md5Of(Content.AsSpan(0, 100_000)), md5.HexFor(100_000));
    }

    [Fact]
    public async Task Nothing_is_claimed_for_bytes_that_were_never_read()
    {
        using var md5 = new SentBytesMd5();
        await using (var first = md5.Observe(Chunk(0, 100_000), 0))
        {
            await first.CopyToAsync(Stream.Null);
        }

        // The second chunk is skipped: a later one cannot fill the gap.
        await using (var third = md5.Observe(Chunk(200_000, 50_000), 200_000))
        {
            await third.CopyToAsync(Stream.Null);
        }

        Assert.Null(md5.HexFor(Content.Length));
        Assert.NotNull(md5.HexFor(100_000));
    }
}
