using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>diffusers' <c>UpBlock2D</c>: resnets over [hidden, skip] concatenations, then an optional upsampler.</summary>
public sealed class UpBlock2D : nn.Module, IUNetUpBlock
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Upsample2D>? upsamplers;

    public UpBlock2D(UNetBlockSpec spec, long prevOutputChannels) : base(nameof(UpBlock2D))
    {
        resnets = nn.ModuleList(spec.UpResnets(prevOutputChannels));
        if (spec.AddSampler) upsamplers = nn.ModuleList(new Upsample2D(spec.OutChannels, spec.OutChannels, spec.Device, spec.DType));
        RegisterComponents();
    }

    public int ResnetCount => resnets.Count;

    public Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor? context, long[]? upsampleSize)
    {
        for (var i = 0; i < resnets.Count; i++)
            hidden = resnets[i].forward(cat([hidden, skips[skips.Count - 1 - i]], 1), temb);
        return upsamplers is null ? hidden : upsamplers[0].forward(hidden, upsampleSize);
    }
}
