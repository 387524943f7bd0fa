using Probe.Core.Configuration;

namespace Probe.Diffusion.Models.Autoencoders;

/// <summary>The keys of diffusers' <c>AutoencoderKL</c> config used by SD 1.x / 2.x VAEs.</summary>
public sealed record AutoencoderKLConfig
{
    public int InChannels { get; init; } = 3;
    public int OutChannels { get; init; } = 3;
    public int LatentChannels { get; init; } = 4;
    public int[] BlockOutChannels { get; init; } = [128, 256, 512, 512];
    public int LayersPerBlock { get; init; } = 2;
    public int NormNumGroups { get; init; } = 32;
    public int SampleSize { get; init; } = 768;
    public double ScalingFactor { get; init; } = 0.18215;
    public bool ForceUpcast { get; init; } = true;

    /// <summary>Pixels per latent along each side: 2^(blocks − 1).</summary>
    public int ScaleFactor => 1 << (BlockOutChannels.Length - 1);

    public static AutoencoderKLConfig FromFile(string path) => FromJson(ConfigJson.Load(path));

    public static AutoencoderKLConfig FromJson(ConfigJson c)
    {
        c.Require("act_fn", "silu");
        c.Require("latents_mean");
        c.Require("latents_std");
        c.Require("shift_factor");
        c.Require("use_quant_conv", true);
        c.Require("use_post_quant_conv", true);
        c.Require("mid_block_add_attention", true);
        var blocks = c.IntList("block_out_channels", [128, 256, 512, 512]);
        foreach (var (key, expected) in new[] { ("down_block_types", "DownEncoderBlock2D"), ("up_block_types", "UpDecoderBlock2D") })
        {
            var types = c.StringList(key, Enumerable.Repeat(expected, blocks.Length).ToArray());
            if (types.Length != blocks.Length || types.Any(t => t != expected))
                throw new ConfigException(c.Source, key, $"must list {blocks.Length} × {expected} (found {string.Join(", ", types)})");
        }
        var groups = c.Int("norm_num_groups", 32);
        foreach (var ch in blocks)
            if (groups <= 0 || ch % groups != 0)
                throw new ConfigException(c.Source, "norm_num_groups", $"= {groups} does not divide block channels {ch}");
        return new AutoencoderKLConfig
        {
            InChannels = c.Int("in_channels", 3),
            OutChannels = c.Int("out_channels", 3),
            LatentChannels = c.Int("latent_channels", 4),
            BlockOutChannels = blocks,
            LayersPerBlock = c.Int("layers_per_block", 2),
            NormNumGroups = groups,
            SampleSize = c.Int("sample_size", 768),
            ScalingFactor = c.Double("scaling_factor", 0.18215),
            ForceUpcast = c.Bool("force_upcast", true),
        };
    }

    /// <summary>The Stable Diffusion 2.1 VAE (84M parameters).</summary>
    public static AutoencoderKLConfig StableDiffusion21 { get; } = new();
}
