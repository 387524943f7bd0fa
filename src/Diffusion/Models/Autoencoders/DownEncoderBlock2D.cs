using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>diffusers' <c>DownEncoderBlock2D</c>: resnets without time embedding, then an optional downsampler (padding 0).</summary>
public sealed class DownEncoderBlock2D : nn.Module<Tensor, Tensor>
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Downsample2D>? downsamplers;

    public DownEncoderBlock2D(long inChannels, long outChannels, int layers, int groups, bool addDownsample,
                              Device? device, ScalarType? dtype) : base(nameof(DownEncoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, 1e-6, device: device, dtype: dtype))
            .ToArray());
        if (addDownsample) downsamplers = nn.ModuleList(new Downsample2D(outChannels, outChannels, padding: 0, device, dtype));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var r in resnets) x = r.forward(x, null);
        return downsamplers is null ? x : downsamplers[0].forward(x);
    }
}
