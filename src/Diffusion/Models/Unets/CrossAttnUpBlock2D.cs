using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>diffusers' <c>CrossAttnUpBlock2D</c>: (resnet over [hidden, skip], transformer) pairs, then an optional upsampler.</summary>
public sealed class CrossAttnUpBlock2D : nn.Module, IUNetUpBlock
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Transformer2DModel> attentions;
    public readonly ModuleList<Upsample2D>? upsamplers;

    public CrossAttnUpBlock2D(UNetBlockSpec spec, long prevOutputChannels) : base(nameof(CrossAttnUpBlock2D))
    {
        resnets = nn.ModuleList(spec.UpResnets(prevOutputChannels));
        attentions = nn.ModuleList(Enumerable.Range(0, spec.Layers).Select(_ => spec.Transformer(spec.OutChannels)).ToArray());
        if (spec.AddSampler) upsamplers = nn.ModuleList(new Upsample2D(spec.OutChannels, spec.OutChannels, spec.Device, spec.DType));
        RegisterComponents();
    }

    public int ResnetCount => resnets.Count;

    public Tensor Forward(Tensor hidden, IReadOnlyList<Tensor> skips, Tensor temb, Tensor? context, long[]? upsampleSize)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (var i = 0; i < resnets.Count; i++)
        {
            hidden = resnets[i].forward(cat([hidden, skips[skips.Count - 1 - i]], 1), temb);
            hidden = attentions[i].forward(hidden, context);
        }
        return upsamplers is null ? hidden : upsamplers[0].forward(hidden, upsampleSize);
    }
}
