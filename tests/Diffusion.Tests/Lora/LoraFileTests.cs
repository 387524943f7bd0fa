using System.Text.Json;
using Probe.Core.Lora;
using Probe.Core.Safetensors;
using Probe.Diffusion.Lora;
using static TorchSharp.torch;

namespace Probe.Tests.Lora;

public class LoraFileTests
{
    const string Q = "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q";
    const string Out = "up_blocks.2.attentions.1.transformer_blocks.0.attn2.to_out.0";

    [Test]
    public void Save_then_load_round_trips_weights_and_output()
    {
        using var dir = new TempDir();
        using var unet = LoraTestKit.LoadUnet();
        var adapter = UNetLora.Of(unet).AddAdapter("attack", new LoraConfig { Rank = 4, Alpha = 8 }, initSeed: 9);
        LoraTestKit.Randomize(adapter, 21);
        using var expected = LoraTestKit.Forward(unet);
        LoraFile.Save(adapter, dir.Path);

        using var fresh = LoraTestKit.LoadUnet();
        var loaded = UNetLora.Of(fresh).LoadAdapter(dir.Path, "attack");
        using var actual = LoraTestKit.Forward(fresh);
        var original = adapter.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Assert.Multiple(() =>
        {
            Assert.That(loaded.ModulePaths, Is.EquivalentTo(adapter.ModulePaths));
            foreach (var (name, p) in loaded.NamedParameters())
                Assert.That(LoraTestKit.MaxAbsDiff(p, original[name]), Is.Zero, name);
            Assert.That(LoraTestKit.MaxAbsDiff(actual, expected), Is.Zero);
        });
    }

    [Test]
    public void Saved_file_uses_diffusers_keys_and_carries_alpha_in_lora_adapter_metadata()
    {
        using var dir = new TempDir();
        using var unet = LoraTestKit.LoadUnet();
        var adapter = UNetLora.Of(unet).AddAdapter("attack", new LoraConfig { Rank = 4, Alpha = 8 });
        LoraFile.Save(adapter, dir.Path);
        using var file = SafetensorsFile.Open(Path.Combine(dir.Path, LoraFile.WeightName));
        using var meta = JsonDocument.Parse(file.Metadata[LoraFile.AdapterMetadataKey]);
        var root = meta.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(file.Tensors.Keys, Does.Contain($"unet.{Q}.lora_A.weight"));
            Assert.That(file.Tensors[$"unet.{Q}.lora_A.weight"].Shape, Is.EqualTo(new long[] { 4, 32 }));
            Assert.That(file.Tensors[$"unet.{Q}.lora_B.weight"].Shape, Is.EqualTo(new long[] { 32, 4 }));
            Assert.That(file.Tensors.Keys, Has.All.StartWith("unet.").And.Contains("lora"), "diffusers requires 'lora' in every key");
            Assert.That(file.Metadata["format"], Is.EqualTo("pt"));
            Assert.That(root.GetProperty("unet.r").GetInt32(), Is.EqualTo(4));
            Assert.That(root.GetProperty("unet.lora_alpha").GetInt32(), Is.EqualTo(8));
            Assert.That(root.GetProperty("unet.target_modules").EnumerateArray().Select(e => e.GetString()), Does.Contain(Q));
            Assert.That(root.GetProperty("unet.use_dora").GetBoolean(), Is.False);
        });
    }

    [Test]
    public void Kohya_and_old_diffusers_files_load_into_the_same_modules_as_the_peft_layout()
    {
        using var dir = new TempDir();
        using var g = new Generator(3);
        var (aQ, bQ) = (randn([2, 32], generator: g), randn([32, 2], generator: g));
        var (aO, bO) = (randn([2, 32], generator: g), randn([32, 2], generator: g));
        const double alpha = 8;

        var peft = Write(dir, "peft.safetensors", new()
        {
            [$"unet.{Q}.lora_A.weight"] = aQ, [$"unet.{Q}.lora_B.weight"] = bQ,
            [$"unet.{Out}.lora_A.weight"] = aO, [$"unet.{Out}.lora_B.weight"] = bO,
        }, new() { [LoraFile.AdapterMetadataKey] = """{"unet.r": 2, "unet.lora_alpha": 8}""" });
        var kohya = Write(dir, "kohya.safetensors", new()
        {
            [$"lora_unet_{Q.Replace('.', '_')}.lora_down.weight"] = aQ, [$"lora_unet_{Q.Replace('.', '_')}.lora_up.weight"] = bQ,
            [$"lora_unet_{Q.Replace('.', '_')}.alpha"] = tensor(alpha),
            [$"lora_unet_{Out.Replace('.', '_')}.lora_down.weight"] = aO, [$"lora_unet_{Out.Replace('.', '_')}.lora_up.weight"] = bO,
            [$"lora_unet_{Out.Replace('.', '_')}.alpha"] = tensor(alpha),
        });
        // ddpo-pytorch's save_attn_procs layout: no alpha stored, so the update is B·A (scale 1); scale B to match.
        var attnQ = Q[..^".to_q".Length];
        var attnOut = Out[..^".to_out.0".Length];
        var old = Write(dir, "old.safetensors", new()
        {
            [$"{attnQ}.processor.to_q_lora.down.weight"] = aQ, [$"{attnQ}.processor.to_q_lora.up.weight"] = bQ * (alpha / 2),
            [$"unet.{attnOut}.processor.to_out_lora.down.weight"] = aO, [$"unet.{attnOut}.processor.to_out_lora.up.weight"] = bO * (alpha / 2),
        });

        Dictionary<string, Tensor> Deltas(string path, LoraLayout expectedLayout)
        {
            using var unet = LoraTestKit.LoadUnet();
            var lora = UNetLora.Of(unet);
            using (var weights = LoraFile.Read(path, lora.TargetPaths.Keys.ToArray()))
                Assert.That(weights.Layout, Is.EqualTo(expectedLayout));
            var adapter = lora.LoadAdapter(path, "x");
            var layers = adapter.ModulePaths;
            Assert.That(layers, Is.EquivalentTo(new[] { Q, Out }));
            var deltas = new Dictionary<string, Tensor>();
            foreach (var (p, layer) in adapter.Layers) deltas[p] = layer.DeltaWeight("x").DetachFromDisposeScope();
            return deltas;
        }

        var fromPeft = Deltas(peft, LoraLayout.Peft);
        var fromKohya = Deltas(kohya, LoraLayout.Kohya);
        var fromOld = Deltas(old, LoraLayout.DiffusersOld);
        using var expected = bQ.matmul(aQ) * (alpha / 2);
        Assert.Multiple(() =>
        {
            Assert.That(LoraTestKit.MaxAbsDiff(fromPeft[Q], expected), Is.LessThan(1e-5), "peft alpha from metadata");
            foreach (var m in new[] { Q, Out })
            {
                Assert.That(LoraTestKit.MaxAbsDiff(fromKohya[m], fromPeft[m]), Is.LessThan(1e-5), $"kohya {m}");
                Assert.That(LoraTestKit.MaxAbsDiff(fromOld[m], fromPeft[m]), Is.LessThan(1e-5), $"old diffusers {m}");
            }
        });
    }

    [Test]
    public void A_peft_file_without_metadata_uses_alpha_equal_to_rank_as_diffusers_does()
    {
        using var dir = new TempDir();
        using var g = new Generator(1);
        var (a, b) = (randn([2, 32], generator: g), randn([32, 2], generator: g));
        var path = Write(dir, "plain.safetensors", new() { [$"{Q}.lora_A.weight"] = a, [$"{Q}.lora_B.weight"] = b });
        using var unet = LoraTestKit.LoadUnet();
        var adapter = UNetLora.Of(unet).LoadAdapter(path, "plain");
        using var delta = adapter.Layers.Single().Layer.DeltaWeight("plain");
        using var expected = b.matmul(a);
        Assert.That(LoraTestKit.MaxAbsDiff(delta, expected), Is.LessThan(1e-5));
    }

    [Test]
    public void Unknown_and_unmatched_keys_fail_with_one_error_listing_them_all()
    {
        using var dir = new TempDir();
        var w = zeros(2, 32);
        var path = Write(dir, "bad.safetensors", new()
        {
            [$"unet.{Q}.lora_A.weight"] = w, [$"unet.{Q}.lora_B.weight"] = zeros(32, 2),
            ["unet.something.weird"] = w,
            ["unet.down_blocks.0.resnets.0.conv1.lora_A.weight"] = w,
            ["lora_unet_down_blocks_0_resnets_0_time_emb_proj.lora_down.weight"] = w,
            ["text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight"] = w,
        });
        using var unet = LoraTestKit.LoadUnet();
        var e = Assert.Throws<LoraFormatException>(() => UNetLora.Of(unet).LoadAdapter(path, "bad"));
        Assert.Multiple(() =>
        {
            Assert.That(e!.Message, Does.Contain("unet.something.weird"));
            Assert.That(e.Message, Does.Contain("down_blocks.0.resnets.0.conv1"));
            Assert.That(e.Message, Does.Contain("lora_unet_down_blocks_0_resnets_0_time_emb_proj.lora_down.weight"));
            Assert.That(e.Message, Does.Contain("text-encoder keys"));
            Assert.That(UNetLora.Of(unet).Adapters, Is.Empty, "nothing was half-loaded");
        });
    }

    [Test]
    public void Text_encoder_keys_can_be_skipped_explicitly()
    {
        using var dir = new TempDir();
        var path = Write(dir, "te.safetensors", new()
        {
            [$"unet.{Q}.lora_A.weight"] = zeros(2, 32), [$"unet.{Q}.lora_B.weight"] = zeros(32, 2),
            ["text_encoder.text_model.encoder.layers.0.self_attn.q_proj.lora_A.weight"] = zeros(2, 16),
        });
        using var unet = LoraTestKit.LoadUnet();
        using var weights = LoraFile.Read(path, UNetLora.Of(unet).TargetPaths.Keys.ToArray(), ignoreTextEncoder: true);
        Assert.Multiple(() =>
        {
            Assert.That(weights.Modules.Select(m => m.ModulePath), Is.EqualTo(new[] { Q }));
            Assert.That(weights.SkippedTextEncoderKeys, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void A_module_with_only_one_half_is_reported()
    {
        using var dir = new TempDir();
        var path = Write(dir, "half.safetensors", new() { [$"unet.{Q}.lora_A.weight"] = zeros(2, 32) });
        using var unet = LoraTestKit.LoadUnet();
        var e = Assert.Throws<LoraFormatException>(() => UNetLora.Of(unet).LoadAdapter(path, "half"));
        Assert.That(e!.Message, Does.Contain("no up/lora_B"));
    }

    static string Write(TempDir dir, string name, Dictionary<string, Tensor> tensors, Dictionary<string, string>? metadata = null)
    {
        var path = Path.Combine(dir.Path, name);
        SafetensorsWriter.Write(path, tensors, metadata);
        return path;
    }
}
