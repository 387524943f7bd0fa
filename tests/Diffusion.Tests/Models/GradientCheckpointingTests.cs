using Probe.Diffusion.Lora;
using Probe.Tests.Lora;
using static TorchSharp.torch;

namespace Probe.Tests.Models;

/// <summary>Activation checkpointing must change memory, never the numbers.</summary>
public class GradientCheckpointingTests
{
    [TestCase(0.0)]
    [TestCase(0.3)]
    public void LoRA_gradients_are_the_same_with_and_without_checkpointing(double dropout)
    {
        using var unet = LoraTestKit.LoadUnet();
        var adapter = UNetLora.Of(unet).AddAdapter("a", new LoraConfig { Dropout = dropout, Targets = LoraTargets.All }, initSeed: 2);
        LoraTestKit.Randomize(adapter, 8);
        unet.train();

        Dictionary<string, Tensor> Gradients(bool checkpointing)
        {
            unet.GradientCheckpointing = checkpointing;
            foreach (var p in adapter.Parameters()) p.grad = null;
            manual_seed(42);
            using (var scope = NewDisposeScope())
            {
                var (x, t, c) = LoraTestKit.Inputs();
                var output = unet.forward(x, t, c);
                output.pow(2).mean().backward();
            }
            return adapter.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.grad!.clone().DetachFromDisposeScope());
        }

        var plain = Gradients(false);
        var checkpointed = Gradients(true);
        Assert.Multiple(() =>
        {
            Assert.That(unet.GradientCheckpointing, Is.True);
            Assert.That(plain.Values.Sum(g => g.abs().sum().item<float>()), Is.GreaterThan(0f), "gradients reach the adapters");
            foreach (var (name, g) in plain)
                Assert.That(LoraTestKit.MaxAbsDiff(checkpointed[name], g), Is.LessThan(1e-6 + 1e-4 * g.abs().max().item<float>()), name);
        });
    }

    [Test]
    public void Inference_ignores_checkpointing()
    {
        using var unet = LoraTestKit.LoadUnet();
        using var plain = LoraTestKit.Forward(unet);
        unet.GradientCheckpointing = true;
        using var checkpointed = LoraTestKit.Forward(unet);
        Assert.That(LoraTestKit.MaxAbsDiff(plain, checkpointed), Is.Zero);
    }
}
