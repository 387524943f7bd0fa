using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>diffusers' VAE <c>Decoder</c>: latents [B,latent,h,w] → image [B,3,h·f,w·f] in about [-1, 1].</summary>
public sealed class Decoder : nn.Module<Tensor, Tensor>
{
    public readonly Conv2d conv_in;
    public readonly UNetMidBlock2D mid_block;
    public readonly ModuleList<UpDecoderBlock2D> up_blocks;
    public readonly GroupNorm conv_norm_out;
    public readonly Conv2d conv_out;

    public Decoder(AutoencoderKLConfig config, Device? device, ScalarType? dtype) : base(nameof(Decoder))
    {
        var reversed = config.BlockOutChannels.Reverse().ToArray();
        conv_in = nn.Conv2d(config.LatentChannels, reversed[0], 3, padding: 1, device: device, dtype: dtype);
        mid_block = new UNetMidBlock2D(reversed[0], config.NormNumGroups, device, dtype);
        up_blocks = nn.ModuleList(Enumerable.Range(0, reversed.Length).Select(i => new UpDecoderBlock2D(
            i == 0 ? reversed[0] : reversed[i - 1], reversed[i], config.LayersPerBlock + 1, config.NormNumGroups,
            i < reversed.Length - 1, device, dtype)).ToArray());
        conv_norm_out = nn.GroupNorm(config.NormNumGroups, reversed[^1], 1e-6, affine: true, device: device, dtype: dtype);
        conv_out = nn.Conv2d(reversed[^1], config.OutChannels, 3, padding: 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    /// <summary>When set, receives intermediate outputs by their diffusers debug names (decoder.conv_in, decoder.up_blocks.0, …).</summary>
    public Action<string, Tensor>? Observer { get; set; }

    public override Tensor forward(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = conv_in.forward(z);
        Observer?.Invoke("decoder.conv_in", h);
        h = mid_block.forward(h);
        Observer?.Invoke("decoder.mid_block", h);
        for (var i = 0; i < up_blocks.Count; i++)
        {
            h = up_blocks[i].forward(h);
            Observer?.Invoke($"decoder.up_blocks.{i}", h);
        }
        h = conv_norm_out.forward(h);
        Observer?.Invoke("decoder.conv_norm_out", h);
        h = conv_out.forward(nn.functional.silu(h));
        Observer?.Invoke("decoder.conv_out", h);
        return h.MoveToOuterDisposeScope();
    }
}
