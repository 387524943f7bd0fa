using Probe.Core.Lora;
using Probe.Diffusion.Lora;
using static TorchSharp.torch;

namespace Probe.Tests.Lora;

public class LoraLayerTests
{
    [Test]
    public void A_new_adapter_changes_nothing_because_B_starts_at_zero()
    {
        using var unet = LoraTestKit.LoadUnet();
        using var before = LoraTestKit.Forward(unet);
        var adapter = UNetLora.Of(unet).AddAdapter("attack", new LoraConfig { Rank = 4, Alpha = 8 }, initSeed: 1);
        using var after = LoraTestKit.Forward(unet);
        Assert.Multiple(() =>
        {
            Assert.That(LoraTestKit.MaxAbsDiff(before, after), Is.Zero);
            Assert.That(adapter.NamedParameters().Where(p => p.Name.EndsWith("lora_B.weight", StringComparison.Ordinal))
                .All(p => p.Parameter.abs().max().item<float>() == 0f), Is.True, "B is zero");
            Assert.That(adapter.NamedParameters().Where(p => p.Name.EndsWith("lora_A.weight", StringComparison.Ordinal))
                .All(p => p.Parameter.abs().max().item<float>() > 0f), Is.True, "A is random");
        });
    }

    [Test]
    public void Only_the_trainable_adapter_requires_gradients()
    {
        using var unet = LoraTestKit.LoadUnet();
        var lora = UNetLora.Of(unet);
        var frozen = lora.AddAdapter("safety", new LoraConfig(), trainable: false);
        var attack = lora.AddAdapter("attack", new LoraConfig());
        var trainable = unet.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        var expected = attack.ModulePaths.Count * 2;
        Assert.Multiple(() =>
        {
            Assert.That(trainable, Has.Count.EqualTo(expected));
            Assert.That(trainable, Has.All.Contains(".lora_A.attack").Or.Contains(".lora_B.attack"));
            Assert.That(frozen.Parameters().Any(p => p.requires_grad), Is.False);
            Assert.That(lora.TrainableParameters().Count, Is.EqualTo(expected));
        });
    }

    [Test]
    public void Default_targets_are_the_four_attention_projections_of_every_attention()
    {
        using var unet = LoraTestKit.LoadUnet();
        var adapter = UNetLora.Of(unet).AddAdapter("a", new LoraConfig());
        var attentions = unet.named_modules().Count(m => m.module is Probe.Diffusion.Models.Layers.Attention);
        Assert.Multiple(() =>
        {
            Assert.That(adapter.ModulePaths, Has.Count.EqualTo(attentions * 4));
            Assert.That(adapter.ModulePaths, Does.Contain("down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q"));
            Assert.That(adapter.ModulePaths, Does.Contain("up_blocks.3.attentions.2.transformer_blocks.0.attn2.to_out.0"));
            Assert.That(adapter.ModulePaths, Does.Contain("mid_block.attentions.0.transformer_blocks.0.attn1.to_v"));
        });
    }

    [Test]
    public void Wrapped_layers_stay_registered_under_their_checkpoint_paths()
    {
        using var unet = LoraTestKit.LoadUnet();
        UNetLora.Of(unet).AddAdapter("a", new LoraConfig { Targets = LoraTargets.All });
        var names = unet.named_parameters().Select(p => p.name).ToHashSet();
        const string block = "down_blocks.0.attentions.0";
        Assert.Multiple(() =>
        {
            Assert.That(names, Does.Contain($"{block}.transformer_blocks.0.attn1.to_out.0.base_layer.weight"));
            Assert.That(names, Does.Contain($"{block}.transformer_blocks.0.attn1.to_out.0.lora_A.a"));
            Assert.That(names, Does.Contain($"{block}.transformer_blocks.0.ff.net.0.proj.lora_B.a"));
            Assert.That(names, Does.Contain($"{block}.transformer_blocks.0.ff.net.2.lora_B.a"));
            Assert.That(names, Does.Contain($"{block}.proj_in.lora_A.a"));
            Assert.That(names, Does.Not.Contain($"{block}.transformer_blocks.0.attn1.to_out.0.weight"), "the unwrapped entry is gone");
        });
    }

    [Test]
    public void Merged_forward_equals_unmerged_forward()
    {
        using var unet = LoraTestKit.LoadUnet();
        var lora = UNetLora.Of(unet);
        var adapter = lora.AddAdapter("a", new LoraConfig { Rank = 4, Alpha = 2, Targets = LoraTargets.All }, initSeed: 3);
        LoraTestKit.Randomize(adapter, 5);
        adapter.Scale = 0.7;
        using var baseline = Forward(unet, adapter, enabled: false);
        using var unmerged = LoraTestKit.Forward(unet);
        lora.Merge("a");
        using var merged = LoraTestKit.Forward(unet);
        lora.Unmerge("a");
        using var restored = LoraTestKit.Forward(unet);
        Assert.Multiple(() =>
        {
            Assert.That(LoraTestKit.MaxAbsDiff(unmerged, baseline), Is.GreaterThan(1e-3), "the adapter does something");
            Assert.That(LoraTestKit.MaxAbsDiff(merged, unmerged), Is.LessThan(2e-5), "merged = unmerged within fp32 rounding");
            Assert.That(LoraTestKit.MaxAbsDiff(restored, unmerged), Is.LessThan(2e-5), "unmerge restores the base");
        });
    }

    [Test]
    public void Stacked_adapters_add_their_scaled_updates()
    {
        using var unet = LoraTestKit.LoadUnet();
        var lora = UNetLora.Of(unet);
        var safety = lora.AddAdapter("safety", new LoraConfig { Rank = 2, Alpha = 4 }, initSeed: 1, trainable: false);
        var attack = lora.AddAdapter("attack", new LoraConfig { Rank = 4, Alpha = 4 }, initSeed: 2);
        LoraTestKit.Randomize(safety, 11);
        LoraTestKit.Randomize(attack, 12);
        safety.Scale = 0.5;
        attack.Scale = 1.5;
        using var stacked = LoraTestKit.Forward(unet);
        using (attack.Disabled())
        {
            using var safetyOnly = LoraTestKit.Forward(unet);
            Assert.That(LoraTestKit.MaxAbsDiff(safetyOnly, stacked), Is.GreaterThan(1e-3), "disabling the attack adapter changes the output");
        }
        using var again = LoraTestKit.Forward(unet);

        // Reference: the same updates merged into the base weights one by one.
        lora.Merge("safety");
        lora.Merge("attack");
        using var merged = LoraTestKit.Forward(unet);
        Assert.Multiple(() =>
        {
            Assert.That(LoraTestKit.MaxAbsDiff(stacked, merged), Is.LessThan(2e-5));
            Assert.That(LoraTestKit.MaxAbsDiff(again, stacked), Is.Zero, "the disabled scope restores the adapter");
        });
    }

    [Test]
    public void A_1x1_convolution_gets_the_same_update_as_its_linear_equivalent()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var conv = nn.Conv2d(6, 5, 1);
        var linear = nn.Linear(6, 5);
        using (no_grad())
        {
            linear.weight!.copy_(conv.weight!.view(5, 6));
            linear.bias!.copy_(conv.bias!);
        }
        var convLora = new LoraLayer(conv);
        var linearLora = new LoraLayer(linear);
        using var g1 = new Generator(4);
        using var g2 = new Generator(4);
        convLora.AddAdapter("a", 3, 6, 0, g1, trainable: true);
        linearLora.AddAdapter("a", 3, 6, 0, g2, trainable: true);
        var b = randn(5, 3);
        convLora.SetWeights("a", linearLora.A("a").view(3, 6, 1, 1), b.view(5, 3, 1, 1));
        linearLora.SetWeights("a", linearLora.A("a"), b);
        var x = randn(2, 6, 4, 4);
        var fromConv = convLora.forward(x);
        var fromLinear = linearLora.forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2);
        Assert.That(LoraTestKit.MaxAbsDiff(fromConv, fromLinear), Is.LessThan(1e-5));
    }

    [Test]
    public void Other_layer_types_are_refused_clearly()
    {
        using var conv = nn.Conv2d(4, 4, 3, padding: 1);
        var e = Assert.Throws<ArgumentException>(() => _ = new LoraLayer(conv));
        Assert.That(e!.Message, Does.Contain("1×1"));
    }

    static Tensor Forward(Probe.Diffusion.Models.Unets.UNet2DConditionModel unet, LoraAdapter adapter, bool enabled)
    {
        var was = adapter.Enabled;
        adapter.Enabled = enabled;
        try
        {
            return LoraTestKit.Forward(unet);
        }
        finally
        {
            adapter.Enabled = was;
        }
    }
}
