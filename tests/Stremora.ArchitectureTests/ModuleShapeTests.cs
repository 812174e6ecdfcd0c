using System.Reflection;
using System.Text.RegularExpressions;
using NetArchTest.Rules;
using Stremora.Modules.Images;
using Stremora.Modules.Storage;
using Stremora.Modules.Videos;

namespace Stremora.ArchitectureTests;

/// <summary>The shape inside the modules (docs/architecture.md): slices stand alone on a shared core, providers are folders.</summary>
public sealed class ModuleShapeTests
{
    private const string Videos = "Stremora.Modules.Videos";
    private const string Storage = "Stremora.Modules.Storage";
    private const string Images = "Stremora.Modules.Images";

    /// <summary>
    /// What the slices share: the video aggregate at the root, what both storage maintenance jobs share, and the media
    /// analysis every route that stores a video attaches to it.
    /// </summary>
    private static readonly string[] VideosShared = [Videos, Videos + ".StorageMaintenance", Videos + ".Media"];

    /// <summary>The module's composition: the only shared types that may name the slices.</summary>
    private static readonly string[] VideosComposition = [Videos + ".VideosModule", Videos + ".RecurringJobs"];

    private static readonly string[] Providers = [Storage + ".Cloudinary", Storage + ".S3", Storage + ".Local"];

    [Fact]
    public void Video_slices_do_not_import_each_other()
    {
        var slices = NamespacesOf(VideosModule.Assembly, Videos).Except(VideosShared).ToList();
        Assert.Contains(Videos + ".UploadVideo", slices);

        var violations = slices
            .SelectMany(slice => FailingTypes(VideosModule.Assembly, slice, slices.Where(s => s != slice)))
            .ToList();

        Assert.True(violations.Count == 0, "Slice types that use another slice: " + string.Join(", ", violations));
    }

    [Fact]
    public void The_shared_video_core_uses_no_slice_except_to_compose_them()
    {
        var slices = NamespacesOf(VideosModule.Assembly, Videos).Except(VideosShared).ToList();

        var violations = VideosShared
            .SelectMany(shared => FailingTypes(VideosModule.Assembly, shared, slices))
            .Where(t => !VideosComposition.Contains(t))
            .ToList();

        Assert.True(violations.Count == 0, "Shared types that use a slice: " + string.Join(", ", violations));
    }

    /// <summary>Marten stores every event the module registers; each is one of the aggregate's, at the module root.</summary>
    [Fact]
    public void Only_the_aggregate_at_the_module_root_defines_the_videos_events()
    {
        var events = (Type[])VideosModule.Assembly.GetType(Videos + ".VideoEvents", throwOnError: true)!
            .GetField("All", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
            .GetValue(null)!;
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(Videos, e.Namespace));
        Assert.All(events, e => Assert.True(e.IsSealed && e.GetMethod("<Clone>$") is not null, $"{e.Name} must be a sealed record"));
    }

    /// <summary>The images module has the videos' shape: slices on an aggregate at the root; only its registration names them.</summary>
    [Fact]
    public void Image_slices_stand_alone_on_the_image_aggregate()
    {
        var slices = NamespacesOf(ImagesModule.Assembly, Images).Except([Images]).ToList();
        Assert.Contains(Images + ".UploadImage", slices);

        var violations = slices
            .SelectMany(slice => FailingTypes(ImagesModule.Assembly, slice, slices.Where(s => s != slice)))
            .Concat(FailingTypes(ImagesModule.Assembly, Images, slices).Where(t => t != Images + ".ImagesModule"))
            .ToList();

        Assert.True(violations.Count == 0, "Types that use another slice: " + string.Join(", ", violations));
        var events = (Type[])ImagesModule.Assembly.GetType(Images + ".ImageEvents", throwOnError: true)!
            .GetField("All", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!
            .GetValue(null)!;
        Assert.All(events, e => Assert.Equal(Images, e.Namespace));
    }

    [Fact]
    public void Storage_internals_stay_internal()
    {
        var exposed = StorageModule.Assembly.GetExportedTypes()
            .Where(t => t.Namespace != Storage + ".Contracts" && t != typeof(StorageModule))
            .Select(t => t.FullName)
            .ToList();
        Assert.True(exposed.Count == 0, "Public storage types outside Contracts: " + string.Join(", ", exposed));

        var result = Types.InAssembly(StorageModule.Assembly).That().ResideInNamespace(Storage + ".Contracts")
            .ShouldNot().HaveDependencyOnAny([.. NamespacesOf(StorageModule.Assembly, Storage).Where(ns => ns != Storage && ns != Storage + ".Contracts")])
            .GetResult();
        Assert.True(result.IsSuccessful, "Contracts that name storage internals: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Providers_do_not_reference_each_other_and_the_chain_references_none()
    {
        var violations = Providers
            .SelectMany(provider => FailingTypes(StorageModule.Assembly, provider, Providers.Where(p => p != provider)))
            .Concat(FailingTypes(StorageModule.Assembly, Storage + ".Failover", Providers))
            .Concat(FailingTypes(StorageModule.Assembly, Storage + ".Maintenance", Providers))
            .Concat(FailingTypes(StorageModule.Assembly, Storage + ".Admin", Providers))
            .ToList();

        Assert.True(violations.Count == 0, "Types that name a provider folder not their own: " + string.Join(", ", violations));
    }

    /// <summary>The module's namespaces below <paramref name="root"/>, and the root itself.</summary>
    private static IEnumerable<string> NamespacesOf(Assembly assembly, string root) =>
        assembly.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(ns => ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

    /// <summary>Types directly in namespace <paramref name="ns"/> that use any type of <paramref name="forbidden"/> (exact namespaces).</summary>
    private static IEnumerable<string> FailingTypes(Assembly assembly, string ns, IEnumerable<string> forbidden)
    {
        var result = Types.InAssembly(assembly)
            .That().ResideInNamespaceMatching("^" + Regex.Escape(ns) + "$")
            .ShouldNot().HaveDependencyOnAny([.. forbidden])
            .GetResult();
        return result.IsSuccessful ? [] : result.FailingTypeNames ?? [];
    }
}
