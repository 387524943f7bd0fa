using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>diffusers' VAE <c>Encoder</c>: image [B,3,H,W] → Gaussian moments [B,2·latent,H/f,W/f] (mean, log-variance).</summary>
public sealed class Encoder : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv_in;
    public readonly ModuleList<DownEncoderBlock2D> down_blocks;
    public readonly UNetMidBlock2D mid_block;
    public readonly GroupNorm conv_norm_out;
    public readonly Conv2d conv_out;

    public Encoder(AutoencoderKLConfig config, Device? device, ScalarType? dtype) : base(nameof(Encoder))
    {
        var ch = config.BlockOutChannels;
        conv_in = nn.Conv2d(config.InChannels, ch[0], 3, padding: 1, device: device, dtype: dtype);
        down_blocks = nn.ModuleList(Enumerable.Range(0, ch.Length).Select(i => new DownEncoderBlock2D(
            i == 0 ? ch[0] : ch[i - 1], ch[i], config.LayersPerBlock, config.NormNumGroups, i < ch.Length - 1, device, dtype)).ToArray());
        mid_block = new UNetMidBlock2D(ch[^1], config.NormNumGroups, device, dtype);
        conv_norm_out = nn.GroupNorm(config.NormNumGroups, ch[^1], 1e-6, affine: true, device: device, dtype: dtype);
        conv_out = nn.Conv2d(ch[^1], 2 * config.LatentChannels, 3, padding: 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(x);
        foreach (var block in down_blocks) h = block.forward(h);
        h = mid_block.forward(h);
        h = conv_out.forward(nn.functional.silu(conv_norm_out.forward(h)));
        return h.MoveToOuterDisposeScope();
    }
}
