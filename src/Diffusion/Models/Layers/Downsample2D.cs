using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>
/// diffusers' <c>Downsample2D</c> with a strided 3×3 <c>conv</c>. With padding 0 (the VAE encoder) the input is first
/// padded by one pixel on the right and bottom only, as diffusers does.
/// </summary>
public sealed class Downsample2D : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv;
    readonly int _padding;

    public Downsample2D(long channels, long outChannels, int padding, Device? device = null, ScalarType? dtype = null)
        : base(nameof(Downsample2D))
    {
        _padding = padding;
        conv = nn.Conv2d(channels, outChannels, 3, stride: 2, padding: padding, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        if (_padding != 0) return conv.forward(x);
        using var padded = nn.functional.pad(x, [0, 1, 0, 1]);
        return conv.forward(padded);
    }
}
