using Marten;

namespace Stremora.Modules.Images.Tests;

/// <summary>Reconciliation flags an image whose file its provider lost, once, and clears the flag when the file is back.</summary>
[Collection(ImagesApiGroup.Name)]
public sealed class ImageReconcileTests(ImagesApiFactory api)
{
    [Fact]
    public async Task An_image_file_gone_from_its_provider_is_marked_missing_once_and_found_again_when_it_is_back()
    {
        using var owner = api.ClientFor("missing-image-owner");
        using var admin = api.ClientFor("missing-image-admin", admin: true);
        var bytes = Samples.Jpeg(1700, seed: 91);
        var image = await owner.UploadValidImageAsync("cover", bytes);
        var id = image.GetProperty("id").GetGuid();
        var locator = image.GetProperty("file").GetProperty("locator").GetString()!;
        Assert.Equal("cloudinary", image.GetProperty("file").GetProperty("provider").GetString());
        Assert.True(api.Cloudinary.RemoveAsset(locator, "image"));

        var first = await admin.ReconcileAsync();
        var second = await admin.ReconcileAsync();

        foreach (var report in new[] { first, second })
        {
            Assert.Contains(report.GetProperty("missing").EnumerateArray(), m => m.GetProperty("file").GetString() == "image" && m.GetProperty("videoId").GetGuid() == id && m.GetProperty("locator").GetString() == locator);
        }

        Assert.True((await DetailsAsync(id)).FileMissing);
        Assert.Equal([typeof(ImageUploaded), typeof(ImageFileMissing)], await EventTypesAsync(id));

        await api.Cloudinary.PlantAssetAsync(locator, bytes, "image");
        var back = await admin.ReconcileAsync();

        Assert.Contains(back.GetProperty("found").EnumerateArray(), f => f.GetProperty("file").GetString() == "image" && f.GetProperty("videoId").GetGuid() == id);
        Assert.DoesNotContain(back.GetProperty("missing").EnumerateArray(), m => m.GetProperty("locator").GetString() == locator);
        Assert.False((await DetailsAsync(id)).FileMissing);
        Assert.Equal([typeof(ImageUploaded), typeof(ImageFileMissing), typeof(ImageFileFound)], await EventTypesAsync(id));
    }

    private async Task<ImageDetails> DetailsAsync(Guid id)
    {
        await using var session = api.Store.QuerySession();
        return await session.LoadAsync<ImageDetails>(id) ?? throw new InvalidOperationException($"No image {id}.");
    }

    private async Task<IReadOnlyList<Type>> EventTypesAsync(Guid id)
    {
        await using var session = api.Store.QuerySession();
        return [.. (await session.Events.FetchStreamAsync(id)).Select(e => e.EventType)];
    }
}
