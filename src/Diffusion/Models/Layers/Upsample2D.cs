using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>diffusers' <c>Upsample2D</c>: nearest-neighbour ×2 (or to an explicit size) followed by a 3×3 <c>conv</c>.</summary>
public sealed class Upsample2D : nn.Module<Tensor, long[]?, Tensor>
{
    public readonly Conv2d conv;

    public Upsample2D(long channels, long outChannels, Device? device = null, ScalarType? dtype = null) : base(nameof(Upsample2D))
    {
        conv = nn.Conv2d(channels, outChannels, 3, padding: 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, long[]? outputSize)
    {
        using var up = outputSize is null
            ? nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(x, size: outputSize, mode: InterpolationMode.Nearest);
        return conv.forward(up);
    }
}
