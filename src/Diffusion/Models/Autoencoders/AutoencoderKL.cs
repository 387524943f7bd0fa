using Probe.Core.Safetensors;
using Probe.Core.Weights;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>
/// diffusers' <c>AutoencoderKL</c>: the SD VAE. <see cref="Decode"/> maps UNet latents (already divided by the
/// scaling factor) to images in about [-1, 1]; <see cref="Encode"/> maps images to the latent Gaussian.
/// </summary>
public sealed class AutoencoderKL : nn.Module<Tensor, Tensor>
{
    public readonly Encoder encoder;
    public readonly Decoder decoder;
    public readonly Conv2d quant_conv;
    public readonly Conv2d post_quant_conv;

    public AutoencoderKL(AutoencoderKLConfig config, Device? device = null, ScalarType? dtype = null) : base(nameof(AutoencoderKL))
    {
        Config = config;
        encoder = new Encoder(config, device, dtype);
        decoder = new Decoder(config, device, dtype);
        quant_conv = nn.Conv2d(2 * config.LatentChannels, 2 * config.LatentChannels, 1, device: device, dtype: dtype);
        post_quant_conv = nn.Conv2d(config.LatentChannels, config.LatentChannels, 1, device: device, dtype: dtype);
        RegisterComponents();
    }

    public AutoencoderKLConfig Config { get; }

    /// <summary>The dtype the VAE's weights are stored in (inputs must match it).</summary>
    public ScalarType DType => post_quant_conv.weight!.dtype;

    /// <summary>When set, receives intermediate decoder outputs by their diffusers debug names.</summary>
    public Action<string, Tensor>? Observer
    {
        get => decoder.Observer;
        set => decoder.Observer = value;
    }

    /// <summary>Builds the VAE from <c>config.json</c> in <paramref name="componentDir"/> and loads its weights (legacy attention names accepted).</summary>
    public static AutoencoderKL FromPretrained(string componentDir, ScalarType dtype = ScalarType.Float32,
                                              Device? device = null, string? variant = null)
    {
        var config = AutoencoderKLConfig.FromFile(Path.Combine(componentDir, "config.json"));
        using var checkpoint = Checkpoint.OpenComponent(componentDir, variant, "diffusion_pytorch_model");
        var model = new AutoencoderKL(config, device, dtype);
        try
        {
            WeightLoader.Load(model, checkpoint, "vae", LegacyAttentionKey);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>
    /// Checkpoints converted from the original SD repository name the mid-block attention
    /// <c>query/key/value/proj_attn</c>; diffusers converts them on load, and so do we.
    /// </summary>
    static string? LegacyAttentionKey(string key)
    {
        foreach (var (modern, legacy) in new[] { (".to_q.", ".query."), (".to_k.", ".key."), (".to_v.", ".value."), (".to_out.0.", ".proj_attn.") })
            if (key.Contains(".attentions.", StringComparison.Ordinal) && key.Contains(modern, StringComparison.Ordinal))
                return key.Replace(modern, legacy, StringComparison.Ordinal);
        return null;
    }

    /// <summary>Decodes latents that were already divided by the scaling factor: [B,4,h,w] → [B,3,H,W].</summary>
    public Tensor Decode(Tensor z)
    {
        using var scope = NewDisposeScope();
        var h = post_quant_conv.forward(z);
        Observer?.Invoke("post_quant_conv", h);
        return decoder.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Encodes images in [-1, 1] to the latent Gaussian's (mean, log-variance clamped to [-30, 20]).</summary>
    public (Tensor Mean, Tensor LogVar) Encode(Tensor image)
    {
        using var scope = NewDisposeScope();
        var moments = quant_conv.forward(encoder.forward(image)).chunk(2, 1);
        var mean = moments[0].MoveToOuterDisposeScope();
        var logvar = moments[1].clamp(-30.0, 20.0).MoveToOuterDisposeScope();
        return (mean, logvar);
    }

    /// <summary>Decodes a sample; <c>forward</c> exists so the VAE composes like any module.</summary>
    public override Tensor forward(Tensor z) => Decode(z);
}
