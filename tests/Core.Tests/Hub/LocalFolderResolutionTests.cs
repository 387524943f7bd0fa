
using Probe.Core.Hub;

namespace Probe.Tests.Hub;

/// <summary>A diffusers folder is used in place; anything that is neither a folder nor a hub id is refused clearly.</summary>
public class LocalFolderResolutionTests
{
    static async Task<ResolvedModel> Resolve(ModelRequest request)
    {
        using var cache = new TempDir("probe-cache");
        using var resolver = new ModelResolver(HubTestKit.Settings(cache.Path, offline: true), HubTestKit.FastOptions);
        return await resolver.ResolveAsync(request);
    }

    static async Task<ModelResolutionException> Refused(ModelRequest request) =>
        (await Assert.ThrowsAsync<ModelResolutionException>(() => Resolve(request)))!;

    [Test]
    public async Task A_diffusers_folder_resolves_to_itself_with_its_pipeline_files()
    {
        var model = await Resolve(new ModelRequest(HubTestKit.FixturePipeline, Revision: "ignored-for-folders"));

        Assert.That((model.Source, model.Path, model.RepoId, model.Commit), Is.EqualTo((ModelSource.LocalFolder, HubTestKit.FixturePipeline, (string?)null, (string?)null)));
        Assert.That(model.Files, Is.EqualTo(HubTestKit.FixtureFiles().Keys.Order(StringComparer.Ordinal)));
    }

    [Test]
    public async Task Components_can_be_narrowed_to_what_the_caller_builds()
    {
        var model = await Resolve(new ModelRequest(HubTestKit.FixturePipeline, Components: ["unet", "scheduler"]));
        Assert.That(model.Files, Is.EqualTo(new[]
        {
            "model_index.json", "scheduler/scheduler_config.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
        }));
    }

    [Test]
    public async Task A_component_model_index_does_not_list_is_refused()
    {
        var e = await Refused(new ModelRequest(HubTestKit.FixturePipeline, Components: ["transformer"]));
        Assert.That(e.Message, Does.StartWith("model_index.json lists no component 'transformer' (it lists: scheduler, text_encoder, tokenizer, unet, vae)"));
    }

    [Test]
    public async Task A_folder_without_model_index_is_not_a_pipeline()
    {
        using var dir = new TempDir();
        var e = await Refused(new ModelRequest(dir.Path));
        Assert.That(e.Reason, Is.EqualTo(ModelResolutionError.InvalidModel));
        Assert.That(e.Message, Does.StartWith($"{dir.Path} has no model_index.json: not a diffusers pipeline folder"));
    }

    [Test]
    public async Task A_folder_missing_weights_names_them()
    {
        using var dir = new TempDir();
        foreach (var (path, bytes) in HubTestKit.FixtureFiles().Where(f => f.Key != "vae/diffusion_pytorch_model.safetensors"))
            File.WriteAllBytes(dir.File(path), bytes);
        var e = await Refused(new ModelRequest(dir.Path));
        Assert.That(e.Message, Does.StartWith($"{dir.Path} is not a complete pipeline: vae/ safetensors weights (diffusion_pytorch_model.safetensors or model.safetensors"));
    }

    [Test]
    public async Task A_path_that_does_not_exist_is_not_taken_for_a_hub_id()
    {
        var e = await Refused(new ModelRequest("./models/not-there"));
        Assert.That(e.Reason, Is.EqualTo(ModelResolutionError.NotFound));
        Assert.That(e.Message, Does.StartWith("--model './models/not-there': no such folder"));
    }

    [TestCase("not a repo!")]
    [TestCase("org--name/x")]
    [TestCase("-leading/dash")]
    public async Task Text_that_is_neither_folder_nor_repo_id_is_refused(string model)
    {
        var e = await Refused(new ModelRequest(model));
        Assert.That(e.Reason, Is.EqualTo(ModelResolutionError.InvalidModel));
        Assert.That(e.Message, Does.Contain("is neither a folder nor a hub repo id"));
    }

    [TestCase("../escape")]
    [TestCase("a//b")]
    public async Task A_revision_that_could_leave_refs_is_refused(string revision)
    {
        var e = await Refused(new ModelRequest("org/name", Revision: revision));
        Assert.That(e.Message, Is.EqualTo($"--revision '{revision}' is not a branch, tag or commit name"));
    }

    [Test]
    public async Task A_variant_that_is_not_a_plain_word_is_refused()
    {
        var e = await Refused(new ModelRequest(HubTestKit.FixturePipeline, Variant: "../fp16"));
        Assert.That(e.Message, Does.Contain("variant '../fp16' must be a plain word such as fp16"));
    }
}
