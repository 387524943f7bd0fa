using Probe.Diffusion.Models.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>diffusers' <c>UNetMidBlock2D</c> as the VAE uses it: resnet, single-head spatial self-attention, resnet.</summary>
public sealed class UNetMidBlock2D : nn.Module<Tensor, Tensor>
{
    public readonly ModuleList<ResnetBlock2D> resnets;
    public readonly ModuleList<Attention> attentions;

    public UNetMidBlock2D(long channels, int groups, Device? device, ScalarType? dtype) : base(nameof(UNetMidBlock2D))
    {
        const double eps = 1e-6;
        resnets = nn.ModuleList(
            new ResnetBlock2D(channels, channels, null, groups, eps, device: device, dtype: dtype),
            new ResnetBlock2D(channels, channels, null, groups, eps, device: device, dtype: dtype));
        // attention_head_dim defaults to the channel count, so there is one head spanning all channels.
        attentions = nn.ModuleList(new Attention(channels, null, heads: 1, dimHead: channels, bias: true, upcast: true,
                                                 normNumGroups: groups, eps: eps, device: device, dtype: dtype));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = resnets[0].forward(x, null);
        h = attentions[0].forward(h, null);
        h = resnets[1].forward(h, null);
        return h.MoveToOuterDisposeScope();
    }
}
