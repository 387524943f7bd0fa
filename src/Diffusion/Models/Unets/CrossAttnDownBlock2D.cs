using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>diffusers' <c>CrossAttnDownBlock2D</c>: (resnet, transformer) pairs then an optional strided-conv downsampler.</summary>
public sealed class CrossAttnDownBlock2D : nn.Module, IUNetDownBlock
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Transformer2DModel> attentions;
    public readonly ModuleList<Downsample2D>? downsamplers;

    public CrossAttnDownBlock2D(UNetBlockSpec spec) : base(nameof(CrossAttnDownBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, spec.Layers)
            .Select(i => spec.Resnet(i == 0 ? spec.InChannels : spec.OutChannels, spec.OutChannels)).ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, spec.Layers).Select(_ => spec.Transformer(spec.OutChannels)).ToArray());
        if (spec.AddSampler)
            downsamplers = nn.ModuleList(new Downsample2D(spec.OutChannels, spec.OutChannels, spec.DownsamplePadding, spec.Device, spec.DType));
        RegisterComponents();
    }

    public (Tensor Hidden, Tensor[] Skips) Forward(Tensor hidden, Tensor temb, Tensor? context)
    {
        var skips = new List<Tensor>();
        for (var i = 0; i < resnets.Count; i++)
        {
            hidden = resnets[i].forward(hidden, temb);
            hidden = attentions[i].forward(hidden, context ?? throw new ArgumentNullException(nameof(context)));
            skips.Add(hidden);
        }
        if (downsamplers is not null)
        {
            hidden = downsamplers[0].forward(hidden);
            skips.Add(hidden);
        }
        return (hidden, skips.ToArray());
    }
}
