using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>diffusers' <c>DownBlock2D</c>: resnets then an optional strided-conv downsampler, no attention.</summary>
public sealed class DownBlock2D : nn.Module, IUNetDownBlock
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Downsample2D>? downsamplers;

    public DownBlock2D(UNetBlockSpec spec) : base(nameof(DownBlock2D))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, spec.Layers)
            .Select(i => spec.Resnet(i == 0 ? spec.InChannels : spec.OutChannels, spec.OutChannels)).ToArray());
        if (spec.AddSampler)
            downsamplers = nn.ModuleList(new Downsample2D(spec.OutChannels, spec.OutChannels, spec.DownsamplePadding, spec.Device, spec.DType));
        RegisterComponents();
    }

    public (Tensor Hidden, Tensor[] Skips) Forward(Tensor hidden, Tensor temb, Tensor? context)
    {
        var skips = new List<Tensor>();
        foreach (var resnet in resnets)
        {
            hidden = resnet.forward(hidden, temb);
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
