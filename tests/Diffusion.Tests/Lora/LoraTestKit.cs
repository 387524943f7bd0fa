using Probe.Diffusion.Models.Unets;
using static TorchSharp.torch;

namespace Probe.Tests.Lora;

/// <summary>The tiny SD-architecture UNet and fixed inputs for LoRA tests.</summary>
internal static class LoraTestKit
{
    public static string UnetDir => Path.Combine(Fixtures.Root, "sd21-tiny", "pipeline", "unet");

    public static UNet2DConditionModel LoadUnet() => UNet2DConditionModel.FromPretrained(UnetDir);

    /// <summary>Latents [2,4,16,16], timesteps, text states [2,77,16] from a fixed generator.</summary>
    public static (Tensor Sample, Tensor Timestep, Tensor Context) Inputs()
    {
        using var g = new Generator(7);
        return (randn([2, 4, 16, 16], generator: g), tensor(new long[] { 801, 301 }), randn([2, 77, 16], generator: g));
    }

    public static Tensor Forward(UNet2DConditionModel unet)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (x, t, c) = Inputs();
        return unet.forward(x, t, c).MoveToOuterDisposeScope();
    }

    /// <summary>Fills an adapter's B matrices with small random values so its update is not zero.</summary>
    public static void Randomize(Probe.Core.Lora.LoraAdapter adapter, ulong seed, double scale = 0.05)
    {
        using var g = new Generator(seed);
        using var noGrad = no_grad();
        foreach (var (name, p) in adapter.NamedParameters())
            if (name.EndsWith("lora_B.weight", StringComparison.Ordinal))
            {
                using var r = randn(p.shape, generator: g) * scale;
                p.copy_(r);
            }
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var d = (a.to(float64) - b.to(float64)).abs().max();
        return d.item<double>();
    }
}
