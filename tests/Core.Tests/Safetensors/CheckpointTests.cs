using System.Text.Json;
using Probe.Core.Safetensors;
using TorchSharp;

namespace Probe.Tests.Safetensors;

/// <summary>Which weights a component folder resolves to: single, sharded, variant (current and legacy names).</summary>
public class CheckpointTests
{
    static void WriteSingle(string path, float value, torch.ScalarType dtype = torch.ScalarType.Float32, string name = "w")
    {
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(path, [new(name, torch.full(2, value, dtype))]);
    }

    /// <summary>Writes shards holding tensors a (in the first) and b, c (in the second) plus their index.</summary>
    static void WriteSharded(string dir, string indexName, string shard1, string shard2, float value)
    {
        using var scope = torch.NewDisposeScope();
        SafetensorsWriter.Write(Path.Combine(dir, shard1), [new("a", torch.full(2, value))]);
        SafetensorsWriter.Write(Path.Combine(dir, shard2), [new("b", torch.full(3, value)), new("c", torch.full(1, value))]);
        var index = new { metadata = new { total_size = 24 }, weight_map = new Dictionary<string, string> { ["a"] = shard1, ["b"] = shard2, ["c"] = shard2 } };
        File.WriteAllText(Path.Combine(dir, indexName), JsonSerializer.Serialize(index));
    }

    static float ValueOf(Checkpoint checkpoint, string name = "w")
    {
        using var t = checkpoint.Load(name, torch.float32);
        return t[0].item<float>();
    }

    [Test]
    public void Plain_weights_are_used_when_no_variant_is_asked_for()
    {
        using var dir = new TempDir();
        WriteSingle(dir.File("unet/diffusion_pytorch_model.safetensors"), 1);
        WriteSingle(dir.File("unet/diffusion_pytorch_model.fp16.safetensors"), 2, torch.float16);

        using var checkpoint = Checkpoint.OpenComponent(Path.Combine(dir.Path, "unet"), null);
        Assert.That(ValueOf(checkpoint), Is.EqualTo(1));
        Assert.That(checkpoint.Files.Select(Path.GetFileName), Is.EqualTo(new[] { "diffusion_pytorch_model.safetensors" }));
    }

    [Test]
    public void The_variant_file_wins_when_asked_for()
    {
        using var dir = new TempDir();
        WriteSingle(dir.File("unet/diffusion_pytorch_model.safetensors"), 1);
        WriteSingle(dir.File("unet/diffusion_pytorch_model.fp16.safetensors"), 2, torch.float16);

        using var checkpoint = Checkpoint.OpenComponent(Path.Combine(dir.Path, "unet"), "fp16");
        Assert.That(checkpoint.Info("w").DType, Is.EqualTo(SafetensorsDType.F16));
        Assert.That(ValueOf(checkpoint), Is.EqualTo(2));
    }

    [Test]
    public void A_component_without_the_variant_falls_back_to_its_plain_weights()
    {
        using var dir = new TempDir();
        WriteSingle(dir.File("vae/diffusion_pytorch_model.safetensors"), 1);

        using var checkpoint = Checkpoint.OpenComponent(Path.Combine(dir.Path, "vae"), "fp16");
        Assert.That(ValueOf(checkpoint), Is.EqualTo(1));
    }

    [Test]
    public void Transformers_naming_is_found_for_text_encoders()
    {
        using var dir = new TempDir();
        WriteSingle(dir.File("text_encoder/model.safetensors"), 5);

        using var checkpoint = Checkpoint.OpenComponent(Path.Combine(dir.Path, "text_encoder"), null);
        Assert.That(ValueOf(checkpoint), Is.EqualTo(5));
    }

    [Test]
    public void A_sharded_checkpoint_reads_each_tensor_from_its_shard()
    {
        using var dir = new TempDir();
        var unet = Path.GetDirectoryName(dir.File("unet/x"))!;
        WriteSharded(unet, "diffusion_pytorch_model.safetensors.index.json",
            "diffusion_pytorch_model-00001-of-00002.safetensors", "diffusion_pytorch_model-00002-of-00002.safetensors", 3);

        using var checkpoint = Checkpoint.OpenComponent(unet, null);
        Assert.That(checkpoint.Names, Is.EquivalentTo(new[] { "a", "b", "c" }));
        Assert.That(checkpoint.Files.Select(Path.GetFileName), Is.EqualTo(new[]
        {
            "diffusion_pytorch_model-00001-of-00002.safetensors", "diffusion_pytorch_model-00002-of-00002.safetensors",
        }));
        Assert.That(ValueOf(checkpoint, "b"), Is.EqualTo(3));
        Assert.That(checkpoint.Info("b").Shape, Is.EqualTo(new long[] { 3 }));
    }

    [Test]
    public void A_sharded_variant_is_preferred_over_plain_single_weights()
    {
        using var dir = new TempDir();
        var unet = Path.GetDirectoryName(dir.File("unet/x"))!;
        WriteSingle(Path.Combine(unet, "diffusion_pytorch_model.safetensors"), 1, name: "a");
        WriteSharded(unet, "diffusion_pytorch_model.safetensors.index.fp16.json",
            "diffusion_pytorch_model.fp16-00001-of-00002.safetensors", "diffusion_pytorch_model.fp16-00002-of-00002.safetensors", 7);

        using var checkpoint = Checkpoint.OpenComponent(unet, "fp16");
        Assert.That(ValueOf(checkpoint, "a"), Is.EqualTo(7));
        Assert.That(checkpoint.Files, Has.Count.EqualTo(2));
    }

    [Test]
    public void Legacy_variant_naming_is_still_found()
    {
        // Older diffusers wrote the variant before "index" and after the shard number.
        using var dir = new TempDir();
        var unet = Path.GetDirectoryName(dir.File("unet/x"))!;
        WriteSingle(Path.Combine(unet, "diffusion_pytorch_model.safetensors"), 1, name: "a");
        WriteSharded(unet, "diffusion_pytorch_model.safetensors.fp16.index.json",
            "diffusion_pytorch_model-00001-of-00002.fp16.safetensors", "diffusion_pytorch_model-00002-of-00002.fp16.safetensors", 9);

        using var checkpoint = Checkpoint.OpenComponent(unet, "fp16");
        Assert.That(ValueOf(checkpoint, "c"), Is.EqualTo(9));
    }

    [Test]
    public void A_missing_shard_names_the_index_the_tensor_and_the_shard()
    {
        using var dir = new TempDir();
        var unet = Path.GetDirectoryName(dir.File("unet/x"))!;
        WriteSharded(unet, "diffusion_pytorch_model.safetensors.index.json", "s1.safetensors", "s2.safetensors", 1);
        File.Delete(Path.Combine(unet, "s2.safetensors"));

        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.OpenComponent(unet, null));
        Assert.That(e!.File, Does.EndWith("diffusion_pytorch_model.safetensors.index.json"));
        Assert.That(e.Tensor, Is.EqualTo("b"));
        Assert.That(e.Problem, Is.EqualTo("shard 's2.safetensors' is missing"));
    }

    [Test]
    public void A_tensor_the_index_puts_in_the_wrong_shard_is_reported()
    {
        using var dir = new TempDir();
        var unet = Path.GetDirectoryName(dir.File("unet/x"))!;
        WriteSharded(unet, "diffusion_pytorch_model.safetensors.index.json", "s1.safetensors", "s2.safetensors", 1);
        File.WriteAllText(Path.Combine(unet, "diffusion_pytorch_model.safetensors.index.json"),
            "{\"weight_map\":{\"a\":\"s2.safetensors\"}}");

        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.OpenComponent(unet, null));
        Assert.That(e!.Message, Does.EndWith("s2.safetensors: tensor 'a': listed in diffusion_pytorch_model.safetensors.index.json but not in the shard"));
    }

    [Test]
    public void Shard_names_cannot_leave_the_component_folder()
    {
        using var dir = new TempDir();
        var unet = Path.GetDirectoryName(dir.File("unet/x"))!;
        WriteSingle(dir.File("outside.safetensors"), 1, name: "a");
        File.WriteAllText(Path.Combine(unet, "diffusion_pytorch_model.safetensors.index.json"),
            "{\"weight_map\":{\"a\":\"../outside.safetensors\"}}");

        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.OpenComponent(unet, null));
        Assert.That(e!.Problem, Does.Contain("is not a plain file name beside the index"));
    }

    [Test]
    public void Pickle_only_weights_are_refused_with_a_conversion_hint()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("unet/diffusion_pytorch_model.bin"), [0x80, 0x02]);

        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.OpenComponent(Path.Combine(dir.Path, "unet"), null));
        Assert.That(e!.Message, Does.Contain("diffusion_pytorch_model.bin").And.Contain("safe_serialization=True"));
    }
}
