using System.Reflection;
using FastEndpoints;
using NetArchTest.Rules;
using Stremora.Modules.Images;
using Stremora.Modules.Storage;
using Stremora.Modules.Videos;
using Stremora.SharedKernel;

namespace Stremora.ArchitectureTests;

/// <summary>The module rules (docs/architecture.md), checked on the compiled assemblies.</summary>
public sealed class ModuleBoundaryTests
{
    private static readonly Assembly Api = typeof(Program).Assembly;
    private static readonly Assembly SharedKernel = typeof(StremoraPolicies).Assembly;
    private static readonly Assembly[] Modules = [StorageModule.Assembly, VideosModule.Assembly, ImagesModule.Assembly];

    [Theory]
    [InlineData("Stremora.Modules.Videos")]
    [InlineData("Stremora.Modules.Images")]
    public void A_catalogue_module_uses_only_the_storage_contracts(string module)
    {
        var assembly = Modules.Single(a => a.GetName().Name == module);
        var storageInternals = StorageModule.Assembly.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(ns => ns.StartsWith("Stremora.Modules.Storage.", StringComparison.Ordinal) && ns != "Stremora.Modules.Storage.Contracts")
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(storageInternals);

        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(storageInternals).GetResult();

        Assert.True(result.IsSuccessful, Describe(result));
        Assert.True(
            Types.InAssembly(assembly).ShouldNot().HaveDependencyOn(typeof(StorageModule).FullName).GetResult().IsSuccessful,
            $"{module} must not call the storage module's registration; the host composes modules.");
    }

    [Fact]
    public void Images_and_videos_know_nothing_of_each_other()
    {
        var images = Types.InAssembly(ImagesModule.Assembly).ShouldNot().HaveDependencyOn("Stremora.Modules.Videos").GetResult();
        var videos = Types.InAssembly(VideosModule.Assembly).ShouldNot().HaveDependencyOn("Stremora.Modules.Images").GetResult();

        Assert.True(images.IsSuccessful, Describe(images));
        Assert.True(videos.IsSuccessful, Describe(videos));
        Assert.DoesNotContain(ImagesModule.Assembly.GetReferencedAssemblies(), a => a.Name == VideosModule.Assembly.GetName().Name);
    }

    [Fact]
    public void Storage_knows_nothing_of_videos_or_images()
    {
        var result = Types.InAssembly(StorageModule.Assembly).ShouldNot().HaveDependencyOnAny("Stremora.Modules.Videos", "Stremora.Modules.Images").GetResult();
        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void Shared_kernel_depends_on_no_module_and_no_host()
    {
        var result = Types.InAssembly(SharedKernel).ShouldNot().HaveDependencyOnAny("Stremora.Modules", "Stremora.Api").GetResult();
        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void Modules_expose_only_their_registration_and_contracts()
    {
        var exposed = Modules
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.Name.EndsWith("Module", StringComparison.Ordinal) && t.Namespace?.EndsWith(".Contracts", StringComparison.Ordinal) != true)
            .Select(t => t.FullName)
            .ToList();

        Assert.True(exposed.Count == 0, "Public types outside Contracts: " + string.Join(", ", exposed));
    }

    [Fact]
    public void Module_classes_are_sealed_or_static_by_default()
    {
        var open = Modules
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsClass && !t.IsAbstract && !t.IsSealed && !t.IsNested && !IsCompilerGenerated(t))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(open.Count == 0, "Classes that should be sealed: " + string.Join(", ", open));
    }

    [Fact]
    public void The_host_only_composes_it_declares_no_endpoints()
    {
        var endpoints = Api.GetTypes().Where(t => typeof(IEndpoint).IsAssignableFrom(t) && !t.IsAbstract).Select(t => t.FullName).ToList();
        Assert.True(endpoints.Count == 0, "Endpoints belong in modules: " + string.Join(", ", endpoints));
    }

    [Fact]
    public void The_host_uses_modules_only_through_their_registration_and_contracts()
    {
        var internalsOfModules = Modules
            .SelectMany(a => a.GetTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            // Compiler-generated helpers (regex, logging) live in System.*/Microsoft.* namespaces: not the module's internals.
            .Where(ns => ns.StartsWith("Stremora.Modules.", StringComparison.Ordinal))
            .Where(ns => !ns.EndsWith(".Contracts", StringComparison.Ordinal) && ns is not "Stremora.Modules.Storage" and not "Stremora.Modules.Videos" and not "Stremora.Modules.Images")
            .Distinct(StringComparer.Ordinal)
            .ToArray();

        var result = Types.InAssembly(Api).ShouldNot().HaveDependencyOnAny(internalsOfModules).GetResult();
        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void Endpoints_live_in_a_slice_folder_and_are_internal_sealed()
    {
        var endpoints = Modules
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IEndpoint).IsAssignableFrom(t) && !t.IsAbstract)
            .ToList();
        Assert.NotEmpty(endpoints);

        foreach (var endpoint in endpoints)
        {
            Assert.True(endpoint.IsSealed && !endpoint.IsPublic, $"{endpoint.FullName} must be internal sealed");
            Assert.EndsWith("Endpoint", endpoint.Name, StringComparison.Ordinal);
            var moduleRoot = endpoint.Assembly.GetName().Name!;
            Assert.True(
                endpoint.Namespace is not null && endpoint.Namespace.Length > moduleRoot.Length && endpoint.Namespace.StartsWith(moduleRoot + ".", StringComparison.Ordinal),
                $"{endpoint.FullName} must live in a slice folder under {moduleRoot}");
        }
    }

    private static bool IsCompilerGenerated(Type type) =>
        type.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is not null || type.Name.Contains('<', StringComparison.Ordinal);

    private static string Describe(TestResult result) =>
        result.IsSuccessful ? "" : "Violations: " + string.Join(", ", result.FailingTypeNames ?? []);
}
