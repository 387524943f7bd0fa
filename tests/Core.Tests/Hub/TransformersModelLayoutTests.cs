using System.Text;
using Probe.Core.Hub;

namespace Probe.Tests.Hub;

/// <summary>Which files of a listing a transformers model needs.</summary>
public class TransformersModelLayoutTests
{
    static readonly TransformersModelLayout Layout = TransformersModelLayout.Instance;
    static readonly byte[] Config = HubTestKit.TransformersFiles()["config.json"];

    static RepoSelection Select(IEnumerable<string> files, string? variant = null) => Layout.Select(Config, files.ToArray(), variant, null);

    [Test]
    public void From_a_full_repo_listing_only_config_tokenizer_and_weights_are_chosen()
    {
        var selection = Select(HubTestKit.TransformersWithDecoys().Keys);

        Assert.That(selection.Files, Is.EqualTo(HubTestKit.TransformersFiles().Keys.Order(StringComparer.Ordinal)));
        Assert.That(selection.IsComplete, Is.True);
        Assert.That(selection.ShardIndexes, Is.Empty);
    }

    [Test]
    public void Generation_config_tokenizer_config_special_tokens_and_chat_template_are_optional()
    {
        var selection = Select(["config.json", "tokenizer.json", "model.safetensors"]);
        Assert.That(selection.Files, Is.EqualTo(new[] { "config.json", "model.safetensors", "tokenizer.json" }));
        Assert.That(selection.IsComplete, Is.True);
    }

    [Test]
    public void A_variant_file_is_chosen_over_the_plain_weights()
    {
        var selection = Select(HubTestKit.TransformersWithDecoys().Keys, "fp16");
        Assert.That(selection.Files, Does.Contain("model.fp16.safetensors").And.Not.Contain("model.safetensors"));
        Assert.That(selection.VariantFound, Is.True);
    }

    [Test]
    public void Without_the_variant_the_plain_weights_are_chosen_and_the_variant_is_not_found()
    {
        var selection = Select(HubTestKit.TransformersFiles().Keys, "fp16");
        Assert.That(selection.Files, Does.Contain("model.safetensors"));
        Assert.That(selection.VariantFound, Is.False);
    }

    [Test]
    public void A_shard_index_stands_for_its_shards()
    {
        var selection = Select(["config.json", "tokenizer.json", "model.safetensors.index.json", "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors"]);
        Assert.That(selection.ShardIndexes, Is.EqualTo(new[] { "model.safetensors.index.json" }));
        Assert.That(selection.Files, Is.EqualTo(new[] { "config.json", "model.safetensors.index.json", "tokenizer.json" }));
    }

    [Test]
    public void Pickle_only_weights_are_unreadable_and_the_conversion_is_named()
    {
        var selection = Select(["config.json", "tokenizer.json", "pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin",
            "pytorch_model-00002-of-00002.bin", "training_args.bin"]);

        Assert.That(selection.Missing, Is.Empty);
        Assert.That(selection.Unreadable, Has.Count.EqualTo(1));
        Assert.That(selection.Unreadable[0], Does.StartWith(
            "weights only in pytorch_model-00001-of-00002.bin, pytorch_model-00002-of-00002.bin, which Probe does not read (it reads safetensors only")
            .And.Contain("save_pretrained(dir)"));
        Assert.That(selection.Unreadable[0], Does.Not.Contain("training_args"), "training state is not weights");
    }

    [Test]
    public void A_missing_tokenizer_and_missing_weights_are_named()
    {
        Assert.That(Select(["config.json", "vocab.json", "merges.txt"]).Missing, Is.EqualTo(new[]
        {
            "tokenizer.json (the fast tokenizer, which tokenizer.save_pretrained(dir) writes)",
            "safetensors weights (model.safetensors, or a sharded or variant form)",
        }));
    }

    [Test]
    public void A_diffusers_component_config_is_not_taken_for_a_transformers_config()
    {
        var unetConfig = File.ReadAllBytes(Path.Combine(HubTestKit.FixturePipeline, "unet", "config.json"));
        var e = Assert.Throws<ModelResolutionException>(() => Layout.Select(unetConfig, ["config.json"], null, null));
        Assert.That(e!.Reason, Is.EqualTo(ModelResolutionError.InvalidModel));
        Assert.That(e.Message, Is.EqualTo("config.json names a '_class_name' and no 'model_type': it configures a diffusers model, not a transformers one"));
    }

    [Test]
    public void Malformed_config_is_refused()
    {
        var e = Assert.Throws<ModelResolutionException>(() => Layout.Select(Encoding.UTF8.GetBytes("{\"model_type\": "), ["config.json"], null, null));
        Assert.That(e!.Message, Does.StartWith("config.json is not valid JSON"));
    }

    [Test]
    public void Components_are_refused_because_a_transformers_model_is_resolved_whole()
    {
        var e = Assert.Throws<ModelResolutionException>(() => Layout.Select(Config, ["config.json"], null, ["unet"]));
        Assert.That(e!.Message, Is.EqualTo("components (unet) are parts of a diffusers pipeline; a transformers model is resolved whole"));
    }
}
