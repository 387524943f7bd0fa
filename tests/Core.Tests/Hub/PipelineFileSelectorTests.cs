using System.Text;
using Probe.Core.Hub;

namespace Probe.Tests.Hub;

/// <summary>Which files of a listing a pipeline needs.</summary>
public class PipelineFileSelectorTests
{
    static readonly byte[] ModelIndex = File.ReadAllBytes(Path.Combine(HubTestKit.FixturePipeline, "model_index.json"));

    [Test]
    public void From_a_full_repo_listing_only_the_pipeline_files_are_chosen()
    {
        var selection = PipelineFileSelector.Select(ModelIndex, HubTestKit.FixtureWithDecoys().Keys, null);

        Assert.That(selection.Files, Is.EquivalentTo(HubTestKit.FixtureFiles().Keys));
        Assert.That(selection.IsComplete, Is.True);
        Assert.That(selection.ShardIndexes, Is.Empty);
    }

    [Test]
    public void Components_listed_as_null_in_model_index_are_not_required()
    {
        // The fixture lists safety_checker and feature_extractor as [null, null] and has no folders for them.
        var selection = PipelineFileSelector.Select(ModelIndex, HubTestKit.FixtureFiles().Keys, null);
        Assert.That(selection.Files, Has.None.StartsWith("safety_checker/").And.None.StartsWith("feature_extractor/"));
        Assert.That(selection.Missing, Is.Empty);
    }

    [Test]
    public void A_legacy_variant_index_is_chosen_for_its_variant()
    {
        var files = HubTestKit.FixtureFiles().Keys.Append("unet/diffusion_pytorch_model.safetensors.fp16.index.json").ToArray();
        var selection = PipelineFileSelector.Select(ModelIndex, files, "fp16");
        Assert.That(selection.ShardIndexes, Is.EqualTo(new[] { "unet/diffusion_pytorch_model.safetensors.fp16.index.json" }));
        Assert.That(selection.Files, Does.Not.Contain("unet/diffusion_pytorch_model.safetensors"));
        Assert.That(selection.VariantFound, Is.True);
    }

    [Test]
    public void A_model_folder_without_weights_is_reported_missing()
    {
        var files = HubTestKit.FixtureFiles().Keys.Where(f => f != "text_encoder/model.safetensors").ToArray();
        var selection = PipelineFileSelector.Select(ModelIndex, files, null);
        Assert.That(selection.Missing, Has.Count.EqualTo(1));
        Assert.That(selection.Missing[0], Does.StartWith("text_encoder/ safetensors weights"));
    }

    [Test]
    public void A_listed_component_without_a_folder_is_reported_missing()
    {
        var files = HubTestKit.FixtureFiles().Keys.Where(f => !f.StartsWith("scheduler/", StringComparison.Ordinal)).ToArray();
        Assert.That(PipelineFileSelector.Select(ModelIndex, files, null).Missing, Is.EqualTo(new[] { "scheduler/ (the whole component folder)" }));
    }

    [Test]
    public void Malformed_model_index_is_refused()
    {
        var e = Assert.Throws<ModelResolutionException>(() => PipelineFileSelector.Select("{\"unet\": [\"diffusers\""u8, [], null));
        Assert.That(e!.Message, Does.StartWith("model_index.json is not valid JSON"));
    }

    [Test]
    public void Shards_are_named_beside_their_index_and_may_not_leave_the_folder()
    {
        var index = Encoding.UTF8.GetBytes("""{"metadata":{"total_size":8},"weight_map":{"a":"s-00002.safetensors","b":"s-00001.safetensors","c":"s-00001.safetensors"}}""");
        Assert.That(PipelineFileSelector.ShardsOf("unet/x.safetensors.index.json", index),
            Is.EqualTo(new[] { "unet/s-00001.safetensors", "unet/s-00002.safetensors" }));

        var hostile = Encoding.UTF8.GetBytes("""{"weight_map":{"a":"../../etc/passwd"}}""");
        var e = Assert.Throws<ModelResolutionException>(() => PipelineFileSelector.ShardsOf("unet/x.safetensors.index.json", hostile));
        Assert.That(e!.Message, Does.Contain("maps tensor 'a' to something that is not a file name beside the index"));
    }
}
