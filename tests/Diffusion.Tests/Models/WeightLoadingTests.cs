using Probe.Core.Configuration;
using Probe.Core.Safetensors;
using Probe.Core.Weights;
using Probe.Diffusion.Models.Autoencoders;
using Probe.Diffusion.Models.Unets;
using static TorchSharp.torch;

namespace Probe.Tests;

public class WeightLoadingTests
{
    static string FixtureComponent(string component) =>
        Path.Combine(ReferenceSet.All().First(), "pipeline", component);

    static string CopyComponent(string component, Func<Dictionary<string, Tensor>, Dictionary<string, Tensor>> edit)
    {
        var source = FixtureComponent(component);
        var dir = Path.Combine(Path.GetTempPath(), "probe-tests", Guid.NewGuid().ToString("N"), component);
        Directory.CreateDirectory(dir);
        File.Copy(Path.Combine(source, "config.json"), Path.Combine(dir, "config.json"));
        var weights = Directory.GetFiles(source, "*.safetensors").Single();
        using var file = SafetensorsFile.Open(weights);
        var tensors = file.Tensors.Keys.ToDictionary(k => k, k => file.Load(k));
        SafetensorsWriter.Write(Path.Combine(dir, Path.GetFileName(weights)), edit(tensors));
        foreach (var t in tensors.Values) t.Dispose();
        return dir;
    }

    [Test]
    public void Legacy_vae_attention_names_load_and_decode_identically()
    {
        var legacy = CopyComponent("vae", t => t.ToDictionary(
            kv => kv.Key.Replace(".to_q.", ".query.").Replace(".to_k.", ".key.").Replace(".to_v.", ".value.").Replace(".to_out.0.", ".proj_attn."),
            kv => kv.Value));
        Assert.That(Directory.GetFiles(legacy).Any(f => File.ReadAllText(f, System.Text.Encoding.Latin1).Contains(".proj_attn.")), Is.True);

        using var scope = NewDisposeScope();
        using var modern = AutoencoderKL.FromPretrained(FixtureComponent("vae"));
        using var converted = AutoencoderKL.FromPretrained(legacy);
        using var noGrad = no_grad();
        manual_seed(0);
        var z = randn(1, 4, 8, 8);
        Assert.That(converted.Decode(z).eq(modern.Decode(z)).all().item<bool>(), Is.True);
    }

    [Test]
    public void Mismatched_unet_weights_are_all_listed_in_one_error()
    {
        var broken = CopyComponent("unet", t =>
        {
            t.Remove("conv_in.bias");
            t["conv_out.weight"] = zeros(4, 32, 1, 1);
            t["extra.tensor"] = zeros(2);
            return t;
        });
        var e = Assert.Throws<WeightLoadException>(() => UNet2DConditionModel.FromPretrained(broken).Dispose());
        Assert.That(e!.Message, Does.Contain("unet").And.Contain("diffusion_pytorch_model.safetensors"));
        Assert.That(e.Message, Does.Contain("1 missing from the checkpoint: conv_in.bias"));
        Assert.That(e.Message, Does.Contain("'conv_out.weight' has shape [4,32,1,1], the config expects [4,32,3,3]"));
        Assert.That(e.Message, Does.Contain("1 unexpected in the checkpoint: extra.tensor"));
    }

    [Test]
    public void Unsupported_unet_config_is_refused_by_key()
    {
        var dir = Path.Combine(Path.GetTempPath(), "probe-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var json = File.ReadAllText(Path.Combine(FixtureComponent("unet"), "config.json"))
            .Replace("\"class_embed_type\": null", "\"class_embed_type\": \"timestep\"");
        File.WriteAllText(Path.Combine(dir, "config.json"), json);
        var e = Assert.Throws<ConfigException>(() => UNet2DConditionConfig.FromFile(Path.Combine(dir, "config.json")));
        Assert.That(e!.Message, Does.Contain("'class_embed_type'").And.Contain("not supported"));
    }

    [Test]
    public void Attention_head_dim_means_number_of_heads()
    {
        var config = UNet2DConditionConfig.FromFile(Path.Combine(FixtureComponent("unet"), "config.json"));
        using var unet = new UNet2DConditionModel(config);
        var block = (CrossAttnDownBlock2D)unet.down_blocks[0];
        var heads = config.NumAttentionHeads[0];
        Assert.That(heads, Is.EqualTo(2));
        // With 2 heads over 32 channels each head is 16 wide: to_q maps 32 → 2·16.
        Assert.That(block.attentions[0].transformer_blocks[0].attn1.to_q.parameters().First().shape, Is.EqualTo(new long[] { 32, 32 }));
    }

    [Test]
    public void Full_sd21_unet_config_has_865M_parameters()
    {
        using var unet = new UNet2DConditionModel(UNet2DConditionConfig.StableDiffusion21, device: CPU, dtype: ScalarType.Float32);
        var count = unet.parameters().Sum(p => p.numel());
        Assert.That(count, Is.EqualTo(865_910_724));
    }
}
