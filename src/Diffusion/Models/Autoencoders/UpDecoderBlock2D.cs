using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>diffusers' <c>UpDecoderBlock2D</c>: resnets without time embedding, then an optional upsampler.</summary>
public sealed class UpDecoderBlock2D : nn.Module<Tensor, Tensor>
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Upsample2D>? upsamplers;

    public UpDecoderBlock2D(long inChannels, long outChannels, int layers, int groups, bool addUpsample,
                            Device? device, ScalarType? dtype) : base(nameof(UpDecoderBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, layers)
            .Select(i => new ResnetBlock2D(i == 0 ? inChannels : outChannels, outChannels, null, groups, 1e-6, device: device, dtype: dtype))
            .ToArray());
        if (addUpsample) upsamplers = nn.ModuleList(new Upsample2D(outChannels, outChannels, device, dtype));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        foreach (var r in resnets) x = r.forward(x, null);
        return upsamplers is null ? x : upsamplers[0].forward(x, null);
    }
}
