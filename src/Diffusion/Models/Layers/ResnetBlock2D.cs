using Probe.Core.Torch;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Layers;

/// <summary>
/// diffusers' <c>ResnetBlock2D</c> (resnet.py) with <c>time_embedding_norm="default"</c>: GroupNorm → SiLU → 3×3 conv,
/// plus the projected time embedding, GroupNorm → SiLU → 3×3 conv, and a 1×1 <c>conv_shortcut</c> when the channel
/// count changes. Without time embedding channels it is the VAE's resnet.
/// </summary>
public sealed class ResnetBlock2D : nn.Module<Tensor, Tensor?, Tensor>
{
    public readonly GroupNorm norm1;
    public readonly Conv2d conv1;
    public nn.Module<Tensor, Tensor>? time_emb_proj;
    public readonly GroupNorm norm2;
    public readonly Conv2d conv2;
    public readonly Conv2d? conv_shortcut;
    readonly double _outputScaleFactor;

    public ResnetBlock2D(long inChannels, long outChannels, long? tembChannels, int groups, double eps,
                         double outputScaleFactor = 1.0, Device? device = null, ScalarType? dtype = null)
        : base(nameof(ResnetBlock2D))
    {
        _outputScaleFactor = outputScaleFactor;
        norm1 = nn.GroupNorm(groups, inChannels, eps, affine: true, device: device, dtype: dtype);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1, device: device, dtype: dtype);
        if (tembChannels is { } t) time_emb_proj = nn.Linear(t, outChannels, true, device, dtype);
        norm2 = nn.GroupNorm(groups, outChannels, eps, affine: true, device: device, dtype: dtype);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, device: device, dtype: dtype);
        if (inChannels != outChannels) conv_shortcut = nn.Conv2d(inChannels, outChannels, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>Recompute this block's activations in backward instead of keeping them (<see cref="ActivationCheckpoint"/>).</summary>
    public bool GradientCheckpointing { get; set; }

    public override Tensor forward(Tensor input, Tensor? temb)
    {
        if (!GradientCheckpointing || !is_grad_enabled()) return Compute(input, temb);
        return temb is null
            ? ActivationCheckpoint.Run(this, x => Compute(x[0], null), input)
            : ActivationCheckpoint.Run(this, x => Compute(x[0], x[1]), input, temb);
    }

    Tensor Compute(Tensor input, Tensor? temb)
    {
        using var scope = NewDisposeScope();
        var h = conv1.forward(nn.functional.silu(norm1.forward(input)));
        if (time_emb_proj is not null && temb is not null)
            h = h + time_emb_proj.forward(nn.functional.silu(temb)).unsqueeze(-1).unsqueeze(-1);
        h = conv2.forward(nn.functional.silu(norm2.forward(h)));
        var shortcut = conv_shortcut is null ? input : conv_shortcut.forward(input);
        var output = shortcut + h;
        if (_outputScaleFactor != 1.0) output = output / _outputScaleFactor;
        return output.MoveToOuterDisposeScope();
    }
}
