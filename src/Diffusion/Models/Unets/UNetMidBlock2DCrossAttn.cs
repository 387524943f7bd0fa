using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Unets;

/// <summary>diffusers' <c>UNetMidBlock2DCrossAttn</c>: resnet, then (transformer, resnet) pairs.</summary>
public sealed class UNetMidBlock2DCrossAttn : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Transformer2DModel> attentions;

    public UNetMidBlock2DCrossAttn(UNetBlockSpec spec) : base(nameof(UNetMidBlock2DCrossAttn))
    {
        resnets = nn.ModuleList(Enumerable.Range(0, spec.Layers + 1).Select(_ => spec.Resnet(spec.InChannels, spec.InChannels)).ToArray());
        attentions = nn.ModuleList(Enumerable.Range(0, spec.Layers).Select(_ => spec.Transformer(spec.InChannels)).ToArray());
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor temb, Tensor context)
    {
        hidden = resnets[0].forward(hidden, temb);
        for (var i = 0; i < attentions.Count; i++)
        {
            hidden = attentions[i].forward(hidden, context);
            hidden = resnets[i + 1].forward(hidden, temb);
        }
        return hidden;
    }
}
